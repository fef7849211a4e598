"""An extractive summary for documents whose structure says little (one topic, no headings).

Sentences are ranked by TextRank (PageRank over a sentence-similarity graph; similarity is the
overlap of ``jieba`` word tokens, normalised by sentence length as in Mihalcea & Tarau 2004) with
a bonus for the lead sentence, and kept in document order until the budget is reached.
"""

from __future__ import annotations

import logging
import math
import re
from functools import cache

_SENTENCE = re.compile(r"[^。！？；]+[。！？；]+[”’」』）)]*|[^。！？；]+$")
MAX_SENTENCES = 240
_STOP = set("的了和与及在是对把被将为以于等各也都并就而又或其之这那")


@cache
def _tokenizer():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 6]


def _tokens(sentence: str) -> set[str]:
    words = _tokenizer().lcut(sentence)
    return {w for w in words if len(w) > 1 or (w not in _STOP and "\u4e00" <= w <= "\u9fff")}


def _rank(tokens: list[set[str]], damping: float = 0.85, rounds: int = 30) -> list[float]:
    n = len(tokens)
    edges: list[list[tuple[int, float]]] = [[] for _ in range(n)]  # sparse, both directions
    logs = [math.log(len(t)) if len(t) > 1 else 0.0 for t in tokens]
    for i in range(n):
        for j in range(i + 1, n):
            if logs[i] and logs[j] and (common := len(tokens[i] & tokens[j])):
                w = common / (logs[i] + logs[j])
                edges[i].append((j, w))
                edges[j].append((i, w))
    out_sum = [sum(w for _, w in row) or 1.0 for row in edges]
    score = [1.0] * n
    for _ in range(rounds):
        score = [
            (1 - damping) + damping * sum(w / out_sum[j] * score[j] for j, w in edges[i])
            for i in range(n)
        ]
    return score


def summarise(paragraphs: list[str], target: int) -> list[str]:
    """Sentences worth ``target`` characters, in document order (leads of paragraphs favoured)."""
    pool: list[tuple[int, str, bool]] = []
    for p in paragraphs:
        for k, s in enumerate(sentences(p)):
            pool.append((len(pool), s, k == 0))
    if not pool:
        return []
    if sum(len(s) for _, s, _ in pool) <= target:
        return [s for _, s, _ in pool]
    pool = pool[:MAX_SENTENCES]  # ranking is quadratic; a summary draws on the document's front
    scores = _rank([_tokens(s) for _, s, _ in pool])
    top = max(scores) or 1.0
    ranked = sorted(
        pool,
        key=lambda item: (
            -(scores[item[0]] / top + (0.5 if item[0] == 0 else 0.15 if item[2] else 0))
        ),
    )
    chosen: list[tuple[int, str]] = []
    total = 0
    for index, s, _ in ranked:
        if total >= target:
            break
        chosen.append((index, s))
        total += len(s)
    return [s for _, s in sorted(chosen)]
