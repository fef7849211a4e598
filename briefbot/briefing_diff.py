"""What a correction changed: the sentences of two parses of the same briefing, compared with
difflib, as the few lines a 【更正】 notice leads with."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefbot.timefmt import cjk_punctuation

_SENTENCE = re.compile(r"[^。！？；]*[。！？；]+[”’」』]*|[^。！？；]+$")
MAX_CHANGES = 6
MAX_CHARS = 140


@dataclass(frozen=True)
class Change:
    kind: str  # "改为" (replaced or added) | "删去" (removed)
    text: str


def sentences(paragraphs: Sequence[str]) -> list[str]:
    out = []
    for paragraph in paragraphs:
        out += [s.strip() for s in _SENTENCE.findall(paragraph) if s.strip()]
    return out


def _short(text: str) -> str:
    text = cjk_punctuation(text)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def changed_sentences(old: Sequence[str], new: Sequence[str]) -> tuple[Change, ...]:
    """The sentences of ``new`` (paragraphs) that replace or add to ``old``'s, then those only
    removed; at most ``MAX_CHANGES``, each at most ``MAX_CHARS`` characters."""
    a, b = sentences(old), sentences(new)
    changes: list[Change] = []
    removed: list[Change] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert"):
            changes += [Change("改为", _short(s)) for s in b[j1:j2]]
        elif op == "delete":
            removed += [Change("删去", _short(s)) for s in a[i1:i2]]
    return tuple((changes + removed)[:MAX_CHANGES])


def count_changes(old: Sequence[str], new: Sequence[str]) -> int:
    a, b = sentences(old), sentences(new)
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal")
