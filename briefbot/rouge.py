"""Character-level ROUGE for Chinese summaries (no word segmentation needed at character level).

Only CJK characters, letters and digits count; punctuation, spaces and emoji do not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_KEEP = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")


def _chars(text: str) -> list[str]:
    return _KEEP.findall(text)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def _ngrams(chars: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(chars[i : i + n]) for i in range(len(chars) - n + 1))


def rouge_n(candidate: str, reference: str, n: int) -> Score:
    c, r = _ngrams(_chars(candidate), n), _ngrams(_chars(reference), n)
    overlap = sum((c & r).values())
    return Score(overlap / max(1, sum(c.values())), overlap / max(1, sum(r.values())))


def rouge_l(candidate: str, reference: str) -> Score:
    a, b = _chars(candidate), _chars(reference)
    if not a or not b:
        return Score(0.0, 0.0)
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    return Score(lcs / len(a), lcs / len(b))
