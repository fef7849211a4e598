"""What a web page prints about the article it carries: dates, the body behind it, a number.

``发布时间：2024-08-16 10:20  来源：某某局``, a disclosure table (``成文日期 | 2022年09月14日``,
``发布机构 | 某某办公室``, ``文号 | 督察通报第十七期``), a label over its value on the next line,
or a site's name before its address (``某某县政府 www.example.gov.cn 2021-04-01``). The labels are
in :mod:`briefbot.briefing.cues`; the page's own furniture is found by
:mod:`briefbot.briefing.roles.boilerplate`, whose lines are read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache

from briefbot.briefing import cues

_ISO = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SITE_ADDRESS = re.compile(r"^(?P<site>[\u4e00-\u9fff（）()]{2,24})\s+(?:https?://)?www\.[\w.-]+")


@dataclass(frozen=True)
class PageFields:
    written: str | None = None  # 成文日期, 发文日期: the document's own date
    published: str | None = None  # 发布时间, 公开日期: when the page went up
    body: str | None = None  # 发布机构, 公开责任部门, 发文机关
    source: str | None = None  # 来源, 信息来源
    number: str | None = None  # 文号
    site: str | None = None  # the site's name printed before its address
    closing: str | None = None  # 截止: when a consultation page closes

    def as_meta(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name))}


@cache
def _labels() -> tuple[re.Pattern[str], dict[str, str]]:
    kinds = {
        **{label: "written" for label in cues.PAGE_WRITTEN_LABELS},
        **{label: "published" for label in cues.PAGE_PUBLISHED_LABELS},
        **{label: "body" for label in cues.PAGE_BODY_LABELS},
        **{label: "source" for label in cues.PAGE_SOURCE_LABELS},
        **{label: "number" for label in cues.PAGE_NUMBER_LABELS},
        **{label: "closing" for label in cues.PAGE_CLOSING_LABELS},
    }
    names = "|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True))
    # a label starts a line, a cell or a field: never inside a word ("资金来源：")
    pattern = re.compile(
        rf"(?<![\u4e00-\u9fff])(?P<label>{names})\s*(?:[:：]\s*(?:\|\s*)?|\|\s*)"
        rf"(?P<value>(?:(?!(?:{names})\s*[:：|])[^|｜])*)"
    )
    return pattern, kinds


def _value(kind: str, words: str) -> str | None:
    words = words.strip()
    if kind in ("written", "published", "closing"):
        m = _ISO.search(words)
        return _iso(m) if m else None
    # a body, a source or a number runs to the next field on the line
    first = re.split(r"\s+|(?<=\S)(?=(?:发布|时间|日期|作者|浏览|点击|来源|字号))", words)[0]
    return first if first and not re.search("[:：]", first) else None


def _iso(m: re.Match[str]) -> str:
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def read(lines: list[str]) -> PageFields:
    """The first value of each field in ``lines``; a label may stand over its value."""
    pattern, kinds = _labels()
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        for m in pattern.finditer(line):
            kind = kinds[m.group("label")]
            words = m.group("value")
            if not words.strip() and i + 1 < len(lines):
                words = lines[i + 1]  # "发布时间：" / "2025-05-22 10:03"
            if kind not in found and (value := _value(kind, words)):
                found[kind] = value
            if kind == "source" and "published" not in found and (date := _ISO.search(line)):
                found["published"] = _iso(date)  # "2014-12-17 10:17 来源：某某日报"
        if "site" not in found and (site := _SITE_ADDRESS.match(line.strip())):
            found["site"] = site.group("site")
    return PageFields(**found)
