"""Character-level ROUGE of the unit message against hand-written reference summaries.

    .venv/bin/python bench/rouge_report.py

Every synthetic briefing in every format, plus the real sample when ../shared is present.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefbot.publishing import prepare  # noqa: E402
from briefbot.rouge import rouge_l, rouge_n  # noqa: E402
from tests.fixtures.builders import ALL_FORMATS  # noqa: E402
from tests.fixtures.references import SAMPLE_REFERENCE  # noqa: E402
from tests.fixtures.synthetic import ALL  # noqa: E402
from tgemu.htmltext import visible_text  # noqa: E402


def score(message_html: list[str], reference: str) -> tuple[float, float, float]:
    text = "\n".join(visible_text(p) for p in message_html)
    return (
        rouge_n(text, reference, 1).f1,
        rouge_n(text, reference, 2).f1,
        rouge_l(text, reference).f1,
    )


def main() -> None:
    rows = []
    for s in ALL:
        for fmt, build in ALL_FORMATS.items():
            prepared = prepare(build(s), f"{s.name}.{fmt}")
            rows.append((s.name, fmt, *score(prepared.parts, s.reference)))
    sample = ROOT.parent / "shared" / "samples" / "wuxing-briefing-13.txt"
    if sample.exists():
        prepared = prepare(sample.read_bytes(), sample.name)
        rows.append(("wuxing-13 (real)", "txt", *score(prepared.parts, SAMPLE_REFERENCE)))
    print(f"{'briefing':18} {'format':14} {'R-1 F':>7} {'R-2 F':>7} {'R-L F':>7}")
    for name, fmt, r1, r2, rl in rows:
        print(f"{name:18} {fmt:14} {r1:7.3f} {r2:7.3f} {rl:7.3f}")
    for label, index in (("R-1", 2), ("R-2", 3), ("R-L", 4)):
        values = [r[index] for r in rows]
        print(f"{label} F1: mean {statistics.mean(values):.3f}, min {min(values):.3f}")


if __name__ == "__main__":
    main()
