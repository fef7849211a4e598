"""Score parses of the corpus against its expectations (see README.md beside this file).

Used by ``tests/test_corpus.py`` (which asserts bounds) and ``bench/fidelity_report.py`` (which
prints the tables). Nothing here knows how the parser works: it compares a document's parse and
unit message with what a person wrote down for it.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from briefbot.briefing import Briefing, extract, parse_briefing
from briefbot.briefing.repair import PAGE_BREAK, lay_out
from briefbot.render import RenderOptions, render_parts

CORPUS = Path(__file__).resolve().parent
SETS = ("open", "heldout")
_HALF = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})
_TAG = re.compile(r"<[^>]+>")


def norm(text: str | None) -> str:
    return re.sub(r"\s", "", (text or "")).translate(_HALF)


@dataclass(frozen=True)
class Document:
    name: str
    set: str
    path: Path
    style: str
    origin: str
    expect: dict[str, Any]


def documents(which: str | None = None) -> list[Document]:
    found = []
    for set_name in SETS if which is None else (which,):
        for spec in sorted((CORPUS / set_name).glob("*.yaml")):
            data = yaml.safe_load(spec.read_text(encoding="utf-8"))
            sources = [p for p in spec.parent.glob(spec.stem + ".*") if p.suffix != ".yaml"]
            if len(sources) != 1:
                raise ValueError(f"{spec}: expected one source file beside it, found {sources}")
            found.append(
                Document(
                    spec.stem,
                    set_name,
                    sources[0],
                    str(data.get("style", "")),
                    str(data.get("origin", "")),
                    data.get("expect") or {},
                )
            )
    return found


@dataclass
class Score:
    doc: Document
    briefing: Briefing | None = None
    message: str = ""
    error: str = ""
    fields: dict[str, bool] = field(default_factory=dict)  # field name -> right
    directives_expected: int = 0
    directives_found: int = 0
    directives_recalled: int = 0
    directives_verbatim: int = 0
    directives_attributed: int = 0
    spurious: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    coverage_missing: int = 0
    coverage_total: int = 0
    misses: list[str] = field(default_factory=list)  # human-readable reasons


def _plain(parts: list[str]) -> str:
    return html.unescape(_TAG.sub("", "\n".join(parts)))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def coverage(pages: list[list[str]], briefing: Briefing) -> tuple[int, int]:
    """(characters of the cleaned source not accounted for, characters in all).

    Every non-space character of the cleaned lines must be in a role-bearing part or in what
    layout repair dropped with its reason.
    """
    lines, _ = lay_out(pages)
    source = Counter(norm("".join(ln for ln in lines if ln != PAGE_BREAK).replace("\u2029", "")))
    covered = Counter(norm("".join(p.text for p in briefing.parts)))
    covered.update(norm("".join(d.text for d in briefing.dropped)))
    missing = source - covered
    return sum(missing.values()), sum(source.values())


def _same_text(a: str, b: str) -> bool:
    return norm(a).strip("“”") == norm(b).strip("“”")


def _overlaps(expected: str, found: str) -> bool:
    e, f = norm(expected), norm(found)
    probe = e[: min(12, len(e))]
    return bool(probe) and (probe in f or f[: min(12, len(f))] in e)


def score(doc: Document) -> Score:
    s = Score(doc)
    try:
        extracted = extract(doc.path.read_bytes())
        b = parse_briefing(extracted.pages, extracted.meta)
        s.briefing = b
        s.message = _plain(render_parts(b, RenderOptions(has_original=True)))
    except Exception as exc:  # a crash is a score of nothing, reported
        s.error = f"{type(exc).__name__}: {exc}"
        return s
    e = doc.expect
    s.coverage_missing, s.coverage_total = coverage(extracted.pages, b)

    def check(name: str, ok: bool, detail: str) -> None:
        s.fields[name] = ok
        if not ok:
            s.misses.append(f"{name}: {detail}")

    if e.get("title"):
        check("title", norm(b.title) == norm(e["title"]), f"{b.title!r} != {e['title']!r}")
    if "issue" in e:
        got = b.issue.number if b.issue else None
        check("issue", got == e["issue"], f"{got!r} != {e['issue']!r}")
    if "date" in e:
        check("date", b.date == _as_date(e["date"]), f"{b.date} != {e['date']}")
    if "issuer" in e:
        check("issuer", norm(b.issuer) == norm(e["issuer"]), f"{b.issuer!r} != {e['issuer']!r}")

    expected = e.get("directives") or []
    found = list(b.directives)
    s.directives_expected, s.directives_found = len(expected), len(found)
    used: set[int] = set()
    for k, want in enumerate(expected):
        text = str(want.get("text", ""))
        match = next(
            (i for i, d in enumerate(found) if i not in used and _same_text(d.text, text)), None
        )
        verbatim = match is not None
        if match is None:
            match = next(
                (i for i, d in enumerate(found) if i not in used and _overlaps(text, d.text)), None
            )
        tag = f"directive {k + 1}"
        if match is None:
            s.misses.append(f"{tag} not found: {text[:30]}…")
            for part in ("text", "leader", "designation", "date"):
                s.fields[f"{tag}.{part}"] = False
            continue
        used.add(match)
        d = found[match]
        s.directives_recalled += 1
        s.directives_verbatim += verbatim
        check(f"{tag}.text", verbatim, f"not verbatim: {d.text[:40]!r}… vs {text[:40]!r}…")
        leader_ok = norm(d.leader) == norm(want.get("leader"))
        title_ok = norm(d.title) == norm(want.get("designation"))
        date_ok = d.date == _as_date(want.get("date"))
        check(f"{tag}.leader", leader_ok, f"{d.leader!r} != {want.get('leader')!r}")
        check(f"{tag}.designation", title_ok, f"{d.title!r} != {want.get('designation')!r}")
        check(f"{tag}.date", date_ok, f"{d.date} != {want.get('date')}")
        s.directives_attributed += verbatim and leader_ok and title_ok and date_ok
    s.spurious = [d.text[:30] for i, d in enumerate(found) if i not in used]
    s.misses += [f"spurious directive: {t}…" for t in s.spurious]

    for k, note in enumerate(e.get("editor_notes") or []):
        ok = any(_same_text(n, note) or _overlaps(note, n) for n in b.editor_notes)
        check(f"editor_note {k + 1}", ok, f"not found: {note[:30]}…")
    got_dates = {d.date for d in b.deadlines}
    for when in e.get("deadlines") or []:
        check(
            f"deadline {when}",
            _as_date(when) in got_dates,
            f"{when} not in {sorted(map(str, got_dates - {None}))}",
        )
    plain = norm(s.message)
    # leaks are about copied text; the header line is generated from the scored fields
    body = norm(s.message.split("\n\n", 1)[-1])
    for k, headline in enumerate(e.get("headlines") or []):
        check(f"headline {k + 1}", norm(headline) in plain, f"not in message: {headline}")
    s.leaks = [x for x in (e.get("not_in_message") or []) if norm(x) and norm(x) in body]
    s.misses += [f"leak: {x}" for x in s.leaks]
    return s


@dataclass
class Totals:
    documents: int = 0
    errors: int = 0
    fields: int = 0
    fields_right: int = 0
    by_field: Counter[str] = field(default_factory=Counter)
    by_field_right: Counter[str] = field(default_factory=Counter)
    expected: int = 0
    found: int = 0
    recalled: int = 0
    verbatim: int = 0
    attributed: int = 0
    leaks: int = 0
    leak_checks: int = 0
    missing: int = 0
    characters: int = 0

    def add(self, s: Score) -> None:
        self.documents += 1
        self.errors += bool(s.error)
        for name, ok in s.fields.items():
            kind = re.sub(r"\s\d{4}-\d\d-\d\d| \d+", "", name)
            self.by_field[kind] += 1
            self.by_field_right[kind] += ok
        self.fields += len(s.fields)
        self.fields_right += sum(s.fields.values())
        self.expected += s.directives_expected
        self.found += s.directives_found
        self.recalled += s.directives_recalled
        self.verbatim += s.directives_verbatim
        self.attributed += s.directives_attributed
        self.leaks += len(s.leaks)
        self.leak_checks += len(s.doc.expect.get("not_in_message") or [])
        self.missing += s.coverage_missing
        self.characters += s.coverage_total

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def field_accuracy(self) -> float:
        return self.ratio(self.fields_right, self.fields)

    @property
    def recall(self) -> float:
        return self.ratio(self.recalled, self.expected)

    @property
    def precision(self) -> float:
        return self.ratio(self.recalled, self.found)

    @property
    def verbatim_rate(self) -> float:
        return self.ratio(self.verbatim, self.expected)

    @property
    def coverage(self) -> float:
        return 1 - self.ratio(self.missing, self.characters) if self.characters else 1.0
