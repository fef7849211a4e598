"""Ingest speed: parse and render 50 briefings of a few pages each, in a mix of formats.

    .venv/bin/python bench/ingest_bench.py

Target (issue 3): under 5 s in total on the 2-core machine.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefbot.briefing import extract  # noqa: E402
from briefbot.publishing import prepare  # noqa: E402
from tests.corpus.fidelity import documents  # noqa: E402
from tests.fixtures.builders import docx, html, pdf, txt  # noqa: E402
from tests.fixtures.synthetic import ALL, Synthetic  # noqa: E402


def longer(s: Synthetic, copies: int) -> Synthetic:
    """The briefing with its news repeated (numbered) so that it runs to a few pages."""
    extra = []
    for n in range(copies):
        for paragraph in s.body:
            if (
                not paragraph.startswith("【")
                and "批示" not in paragraph
                and "一是" not in paragraph
            ):
                extra.append(paragraph.replace("。", f"（第{n + 1}组）。", 1))
    return dataclasses.replace(s, body=[*s.body, "【基层动态】", *extra], name=f"{s.name}-long")


def main() -> None:
    builders = [("txt", txt), ("docx", docx), ("pdf", pdf), ("html", html)]
    corpus = []
    for i in range(50):
        s = longer(ALL[i % len(ALL)], copies=3 + i % 3)
        kind, build = builders[i % len(builders)]
        corpus.append((kind, build(s)))
    pages = [len(extract(data).pages) for kind, data in corpus if kind == "pdf"]
    sizes = [len(data) for _, data in corpus]
    per_kind: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for kind, data in corpus:
        t0 = time.perf_counter()
        prepared = prepare(data, f"bench.{kind}")
        per_kind[kind].append(time.perf_counter() - t0)
        assert prepared.briefing.title and prepared.parts
    total = time.perf_counter() - started
    print(
        f"50 briefings, {sum(sizes) / 1024:.0f} KiB in all; PDFs have {min(pages)}-{max(pages)} pages"
    )
    for kind, times in per_kind.items():
        print(
            f"  {kind:5} n={len(times):2}  mean {statistics.mean(times) * 1000:6.1f} ms  "
            f"max {max(times) * 1000:6.1f} ms"
        )
    print(f"total: {total:.2f} s (target < 5 s)")
    # the corpus (real and synthetic documents in many house styles) and one long report with
    # no structure, which takes the summary path (jieba is loaded on first use)
    started = time.perf_counter()
    docs = documents()
    for doc in docs:
        prepare(doc.path.read_bytes(), doc.path.name)
    print(f"corpus: {len(docs)} documents in {time.perf_counter() - started:.2f} s")
    report = "关于全县隐患整改情况的报告\n" + "".join(
        f"第{i}个乡镇完成了{i * 3}处隐患整改，投入资金{i * 12}万元，受益群众{i * 150}人。"
        for i in range(1, 1500)
    )
    started = time.perf_counter()
    prepared = prepare(report.encode(), "report.txt")
    print(
        f"unstructured report of {len(report)} characters: {time.perf_counter() - started:.2f} s, "
        f"summary {sum(len(x) for x in prepared.briefing.summary)} characters"
    )


if __name__ == "__main__":
    main()
