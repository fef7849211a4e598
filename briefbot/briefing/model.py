"""Plain data for a parsed briefing. JSON-friendly via :func:`to_jsonable`."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from briefbot.briefing.blocks import Dropped, Part


@dataclass(frozen=True)
class Issue:
    raw: str
    number: int | None
    year: int | None = None
    cumulative: int | None = None


@dataclass(frozen=True)
class Directive:
    leader: str
    title: str
    date: date | None
    date_raw: str
    text: str
    document: str | None = None
    verb: str = "批示"  # 批示, 批语, 按, 认为 (a body's view), 转发 (a relay note)


@dataclass(frozen=True)
class NewsItem:
    section: str
    lead: str  # the headline when the item has one, else its first sentence
    body: str
    headline: str | None = None


@dataclass(frozen=True)
class Task:
    ordinal: int
    heading: str
    body: str


@dataclass(frozen=True)
class Deadline:
    raw: str
    date: date | None
    approximate: bool = False  # 月底前, 年底前, 上旬
    recurring: bool = False  # 每月25日前
    owner: str | None = None  # who must act: 各单位, 各设区市
    what: str | None = None  # what is to be submitted or done
    to: str | None = None  # to whom it is submitted

    @property
    def concerns_units(self) -> bool:
        return self.owner is None or bool(re.search(r"各|单位|部门|市|县|区|乡镇", self.owner))


@dataclass(frozen=True)
class Colophon:
    report_to: tuple[str, ...] = ()  # 报
    send_to: tuple[str, ...] = ()  # 送
    issue_to: tuple[str, ...] = ()  # 发
    copy_to: tuple[str, ...] = ()  # 抄送
    printed_by: str | None = None
    supplied_by: str | None = None  # 供稿：the body that wrote the text
    printed_on: date | None = None
    copies: int | None = None
    contacts: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Briefing:
    title: str
    issue: Issue | None
    date: date | None
    issuer: str | None
    classification: str | None
    sections: tuple[str, ...]
    directives: tuple[Directive, ...]
    news: tuple[NewsItem, ...]
    tasks: tuple[Task, ...]
    problems: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    colophon: Colophon
    paragraphs: tuple[str, ...] = field(repr=False)
    content_hash: str = ""
    editor_notes: tuple[str, ...] = ()
    subtitle: str | None = None
    title_found: bool = True
    # a directive section's own heading when it says more than "领导批示" ("省长对…作出批示")
    directive_heading: str | None = (
        None  # False: the title is a stand-in (the file's name)  # a document title under the masthead's ("关于…的通报")
    )
    summary: tuple[str, ...] = ()  # extractive summary sentences, when the structure says little
    parts: tuple[Part, ...] = field(default=(), repr=False)  # every piece of text with its role
    dropped: tuple[Dropped, ...] = field(default=(), repr=False)  # what layout repair removed

    @property
    def is_directive(self) -> bool:
        return bool(self.directives)


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
