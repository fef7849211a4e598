"""Plain data for a parsed briefing. JSON-friendly via :func:`to_jsonable`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any


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


@dataclass(frozen=True)
class NewsItem:
    section: str
    lead: str
    body: str


@dataclass(frozen=True)
class Task:
    ordinal: int
    heading: str
    body: str


@dataclass(frozen=True)
class Deadline:
    raw: str
    date: date | None
    approximate: bool = False
    recurring: bool = False


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
    colophon: tuple[str, ...]
    paragraphs: tuple[str, ...] = field(repr=False)
    content_hash: str = ""

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
