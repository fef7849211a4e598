"""Repair the artifacts that page layout leaves in briefing text.

Works on lines; produces paragraphs. The masthead and the colophon are never joined: only the body
between them is re-flowed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_CJK_CHAR = re.compile(f"[{CJK}]")
# sentence-final (or clause-final at a line end) punctuation: a line ending with one is complete
_TERMINAL = "。！？；：…”’」』）)!?;:"
_CLOSERS = "”’」』"
_PAGE_NUMBER = re.compile(
    r"^(?:[—－\-–~～]\s*[0-9０-９]+\s*[—－\-–~～]|第\s*[0-9０-９]+\s*页(?:\s*共\s*[0-9０-９]+\s*页)?|[0-9０-９]{1,3})$"
)
_SECTION = re.compile(r"^【[^】]{1,20}】$")
_SPACE_BETWEEN_CJK = re.compile(
    f"(?<=[{CJK}，。、；：！？“”‘’（）])[ \u3000\t]+(?=[{CJK}，。、；：！？“”‘’（）])"
)
# "11 月 19 日", "第 13 期": spaces between a digit and a CJK character are layout, not text
_SPACE_DIGIT_CJK = re.compile(
    f"(?<=[0-9０-９])[ \u3000]+(?=[{CJK}])|(?<=[{CJK}])[ \u3000]+(?=[0-9０-９])"
)
_COLOPHON = re.compile(
    r"^(?:[报送发]\s*[:：]|抄\s*送|主\s*送|印\s*发|共印\s*\d+\s*份|联系人|电\s*话|传\s*真|"
    r"(?:.*(?:办公室|领导小组|委员会))?\s*编\s*$|.*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发)"
)
_RULE = re.compile(r"^[─━—\-_=＿]{3,}$")


def _map_compat(ch: str) -> str:
    code = ord(ch)
    # Kangxi radicals, CJK radicals supplement, CJK compatibility ideographs: look-alikes from PDF fonts
    if 0x2F00 <= code <= 0x2FDF or 0x2E80 <= code <= 0x2EFF or 0xF900 <= code <= 0xFAFF:
        mapped = unicodedata.normalize("NFKC", ch)
        return mapped if len(mapped) == 1 else ch
    return ch


def clean_line(line: str) -> str:
    line = "".join(_map_compat(c) for c in line)
    line = line.replace("**", "").replace("\ufeff", "").strip(" \t\u3000\r")
    line = _SPACE_BETWEEN_CJK.sub("", line)
    return _SPACE_DIGIT_CJK.sub("", line)


@dataclass(frozen=True)
class Layout:
    masthead: list[str]
    body: list[str]
    colophon: list[str]


def is_section_heading(line: str) -> bool:
    return bool(_SECTION.match(line))


def split_layout(text: str) -> Layout:
    """Clean lines, drop page numbers and rules, and split into masthead, body and colophon."""
    lines = [clean_line(raw) for raw in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if _PAGE_NUMBER.match(line) or _RULE.match(line):
            kept.append("")
            continue
        kept.append(line)
    kept = _drop_running_headers(kept)
    # masthead: up to the first section heading or the first full sentence
    start = 0
    for i, line in enumerate(kept):
        if not line:
            continue
        if is_section_heading(line) or (len(line) > 40 and "。" in line) or line.endswith("。"):
            start = i
            break
    else:
        start = len(kept)
    end = len(kept)
    for i in range(len(kept) - 1, start - 1, -1):
        line = kept[i]
        if not line:
            continue
        if _COLOPHON.match(line):
            end = i
            continue
        break
    masthead = [ln for ln in kept[:start] if ln]
    colophon = [ln for ln in kept[end:] if ln]
    return Layout(masthead=masthead, body=kept[start:end], colophon=colophon)


def _drop_running_headers(lines: list[str]) -> list[str]:
    """A short non-sentence line seen three or more times is a running header: keep only the first."""
    counts: dict[str, int] = {}
    for line in lines:
        if line and len(line) <= 30 and not line.endswith("。"):
            counts[line] = counts.get(line, 0) + 1
    repeated = {line for line, n in counts.items() if n >= 3 and not is_section_heading(line)}
    seen: set[str] = set()
    out = []
    for line in lines:
        if line in repeated:
            if line in seen:
                out.append("")
                continue
            seen.add(line)
        out.append(line)
    return out


def _merge_fragment(previous: str, fragment: str) -> str | None:
    """A page break sometimes repeats the tail of a paragraph ("…贡献”" then "献。”").

    Return the merged paragraph when ``fragment`` is such a repeat, else None.
    """
    if len(fragment) > 8 or fragment[-1] not in _TERMINAL:
        return None
    stem = previous.rstrip(_CLOSERS + "。")
    for k in range(min(len(fragment) - 1, len(stem)), 0, -1):
        if stem.endswith(fragment[:k]) and _CJK_CHAR.match(fragment[0]):
            return stem + fragment[k:]
    return None


def reflow(body: list[str]) -> list[str]:
    """Join lines broken inside sentences, across blank lines and page breaks, into paragraphs."""
    paragraphs: list[str] = []
    for line in body:
        if not line:
            continue
        if paragraphs:
            previous = paragraphs[-1]
            merged = None if is_section_heading(previous) else _merge_fragment(previous, line)
            if merged is not None:
                paragraphs[-1] = merged
                continue
            if (
                not is_section_heading(previous)
                and not is_section_heading(line)
                and previous[-1] not in _TERMINAL
                and not _looks_like_heading(previous)
            ):
                paragraphs[-1] = previous + line
                continue
        paragraphs.append(line)
    return paragraphs


_NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^。]{1,30}$"
)


def _looks_like_heading(line: str) -> bool:
    return bool(_NUMBERED_HEADING.match(line))
