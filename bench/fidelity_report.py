"""How faithfully briefings parse: per-field accuracy, directives, leaks and coverage.

    .venv/bin/python bench/fidelity_report.py            # both sets, totals
    .venv/bin/python bench/fidelity_report.py --misses   # and what went wrong, open set only

The held-out set (tests/corpus/heldout) is reported apart: its expectations were written blind,
and its misses are printed only with ``--misses-heldout``, so that nobody tunes rules on it.
Between blind sets heldout/ is empty and the report says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus.fidelity import Score, Totals, documents, score  # noqa: E402


def _table(label: str, scores: list[Score]) -> Totals:
    t = Totals()
    for s in scores:
        t.add(s)
    styles = len({s.doc.style for s in scores})
    formats = sorted({s.doc.path.suffix.lstrip(".") for s in scores})
    real = sum(s.doc.origin.startswith("real") for s in scores)
    print(
        f"\n== {label}: {t.documents} documents, {styles} styles, {real} real, formats {', '.join(formats)}"
    )
    print(f"  crashes                     {t.errors}")
    print(f"  fields right                {t.fields_right}/{t.fields} = {t.field_accuracy:.1%}")
    for name in sorted(t.by_field):
        print(f"    {name:<24}  {t.by_field_right[name]}/{t.by_field[name]}")
    print(f"  directive recall            {t.recalled}/{t.expected} = {t.recall:.1%}")
    print(f"  directive precision         {t.recalled}/{t.found} = {t.precision:.1%}")
    print(f"  directive verbatim          {t.verbatim}/{t.expected} = {t.verbatim_rate:.1%}")
    print(f"  verbatim and attributed     {t.attributed}/{t.expected}")
    print(f"  leaks into unit messages    {t.leaks} of {t.leak_checks} checked strings")
    print(
        f"  coverage                    {t.characters - t.missing}/{t.characters} characters = {t.coverage:.2%}"
    )
    return t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list misses of the open set")
    parser.add_argument("--misses-heldout", action="store_true", help="list held-out misses too")
    args = parser.parse_args()
    started = time.perf_counter()
    by_set: dict[str, list[Score]] = {"open": [], "heldout": []}
    for doc in documents():
        by_set[doc.set].append(score(doc))
    everything = by_set["open"] + by_set["heldout"]
    _table("all", everything)
    _table("open (developed on)", by_set["open"])
    if by_set["heldout"]:
        _table("held out (expectations written blind)", by_set["heldout"])
    else:
        print(
            "\n== held out: no held-out set (tests/corpus/heldout is empty until the next blind set)"
        )
    for name, show in (("open", args.misses), ("heldout", args.misses_heldout)):
        if not show or not by_set[name]:
            continue
        print(f"\n== misses, {name}")
        for s in by_set[name]:
            if s.error or s.misses:
                print(f"- {s.doc.name} ({s.doc.path.suffix}): {s.error}")
                for m in s.misses:
                    print(f"    {m}")
    print(f"\n{len(everything)} documents scored in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
