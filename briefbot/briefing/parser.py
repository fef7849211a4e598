"""Parse a briefing: layout → blocks → one role per block → fields.

1. **Layout** (:mod:`repair`): clean lines, drop page numbers, rules and running heads (kept as
   :class:`Dropped` with a reason), re-flow lines into paragraphs — the blocks.
2. **Roles** (:mod:`roles`), each module claiming by its cues (:mod:`cues`), in this order because
   a later role only sees what earlier ones left: boilerplate (web furniture), colophon (from the
   end), masthead (from the head), editor's notes, directives (anywhere), signatures, tasks,
   deadlines, news; whatever is left is body text.
3. **Fields**: the :class:`Briefing`, with every piece of text and its role in ``parts``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date

from briefbot.briefing import cues, pagefields
from briefbot.briefing.blocks import Block, Part, Role
from briefbot.briefing.dates import find_date, resolve_month_day
from briefbot.briefing.extract import extract
from briefbot.briefing.model import Briefing, Directive, Issue
from briefbot.briefing.repair import PAGE_BREAK, lay_out, reflow
from briefbot.briefing.roles import (
    boilerplate,
    colophon,
    deadlines,
    directives,
    editor_notes,
    masthead,
    news,
    signature,
    tasks,
)
from briefbot.briefing.summary import summarise

# the message should carry at least this share of the body, or this many characters
SUMMARY_SHARE = 0.25
SUMMARY_MIN = 600
SUMMARY_MAX = 2400


def parse_document(data: bytes) -> Briefing:
    """Bytes of any supported format → Briefing. Raises ``UnreadableDocument`` (Chinese)."""
    extracted = extract(data)
    return parse_briefing(extracted.pages, extracted.meta)


def _pages(source: str | list[list[str]]) -> list[list[str]]:
    if isinstance(source, str):
        return [page.split("\n") for page in source.split(PAGE_BREAK)]
    return source


def parse_briefing(source: str | list[list[str]], meta: dict[str, str] | None = None) -> Briefing:
    """``meta``: what a web page says about itself (``title``, ``h1``, ``date``)."""
    lines, dropped = lay_out(_pages(source))
    paragraphs, repaired = reflow(lines)
    blocks = [Block(i, p.text, p.page) for i, p in enumerate(paragraphs)]

    boilerplate.claim(blocks)
    colophon.claim(blocks)
    head = masthead.claim(blocks, meta or {})
    notes = editor_notes.claim(blocks)
    found, directive_sections = directives.claim(blocks, head.date, head.issuer)
    signatures = signature.claim(blocks)
    # no title in the head: one just below a note on top, else the publication's name (内部参考)
    title = head.title or masthead.late_title(blocks) or (head.classification or "")
    task_list, problems = tasks.claim(blocks)
    section_names, items = news.claim(blocks, directive_sections)
    for block in blocks:
        if block.role is None:
            block.assign(Role.BODY, "正文")

    printed = colophon.fields(blocks)
    own = _own_signature(signatures, blocks)
    # what the page says about the article: its furniture in the text, then the rest of the page
    web = pagefields.read([b.text for b in blocks if b.role is Role.BOILERPLATE])
    page_meta = {**(meta or {}), **web.as_meta()}
    issued = (
        head.date
        or printed.printed_on
        or (own.date if own else None)
        or find_date(page_meta.get("published", ""), iso=True)[0]
    )
    issuer = (
        head.issuer
        or (own.organ if own else None)
        or printed.printed_by
        or _web_issuer(page_meta)
        or head.site
        or page_meta.get("site")
        or boilerplate.author_organ(blocks)
        or printed.supplied_by
        or boilerplate.dateline_paper(blocks)
    )
    issue = head.issue
    if issue is not None and issue.year is None and issued is not None:
        issue = Issue(issue.raw, issue.number, issued.year, issue.cumulative)
    found = [_dated(d, issued) for d in found]
    # a body's note without its name is the issuer's; a post without a name stays unnamed
    found = [d if d.leader or d.title else _with_leader(d, issuer) for d in found]
    # without a date of its own, a date the page prints anchors "6月18日前"
    anchor = issued or next(
        (
            d
            for k in ("published", "closing")
            if (d := find_date(page_meta.get(k, ""), iso=True)[0])
        ),
        None,
    )
    due = deadlines.claim(blocks, anchor)

    content = [b.text for b in blocks if b.role not in _NOT_CONTENT]
    parts = tuple(
        Part(b.index, role.value, cue, text) for b in blocks for text, role, cue in b.parts()
    )
    digest = hashlib.sha256("\n".join(b.text for b in blocks).encode()).hexdigest()
    briefing = Briefing(
        title=title,
        issue=issue,
        date=issued,
        issuer=issuer,
        classification=head.classification,
        sections=section_names,
        directives=tuple(found),
        news=items,
        tasks=task_list,
        problems=problems,
        deadlines=tuple(due),
        colophon=printed,
        paragraphs=tuple(content),
        content_hash=digest,
        editor_notes=tuple(notes),
        subtitle=head.subtitle,
        directive_heading=_directive_heading(blocks, directive_sections),
        parts=parts,
        dropped=tuple(dropped + repaired),
    )
    return _with_summary(briefing, blocks)


_NOT_CONTENT = (Role.MASTHEAD, Role.SIGNATURE, Role.COLOPHON, Role.BOILERPLATE, Role.HEADING)


def _directive_heading(blocks: list[Block], sections: dict[int, int]) -> str | None:
    for index in sorted(sections):
        words = blocks[index].text.strip("【】 " + cues.BULLET_MARKS)
        if len(words) > 8 and words not in cues.DIRECTIVE_HEADINGS:
            return words
    return None


def _own_signature(
    signatures: list[signature.Signature], blocks: list[Block]
) -> signature.Signature | None:
    """The document's own signature: after a relay note the first one, else the last one."""
    if not signatures:
        return None
    relay = next(
        (b.index for b in blocks if b.role is Role.DIRECTIVE and b.cue.startswith("转发")), None
    )
    if relay is not None:
        after = [s for s in signatures if s.block > relay]
        if after:
            return after[0]
    return signatures[-1]


def _web_issuer(page: dict[str, str]) -> str | None:
    """The body behind a web page's article: its 发布机构, else its 来源 when that names a
    government body (a place stands for its government) rather than a news outlet or a site."""
    for key in ("body", "source"):
        name = page.get(key, "")
        if not name or name.endswith(cues.MEDIA_ENDINGS):
            continue
        if signature.is_organ(name) or re.fullmatch(
            f"[^，。]{{1,8}}(?:{'|'.join(cues.LEVELS)})", name
        ):
            return name
    return None


def _dated(d: Directive, issued: date | None) -> Directive:
    """A month-day date read before the document's own date was known."""
    if d.date is None and d.date_raw and issued is not None:
        return replace(d, date=resolve_month_day(d.date_raw, issued, forward=False))
    return d


def _with_leader(d: Directive, issuer: str | None) -> Directive:
    return replace(d, leader=issuer or "")


def _with_summary(briefing: Briefing, blocks: list[Block]) -> Briefing:
    """Add an extractive summary when headlines, tasks and directives carry too little."""
    if briefing.directives or briefing.tasks or len(briefing.news) >= 2:
        return briefing  # structured: its headlines, tasks and directives make the message
    body: list[str] = []
    for b in blocks:
        if b.role not in (Role.NEWS, Role.BODY):
            continue
        if b.cue == news.SECOND_LINE and body:
            body[-1] += b.text_outside(Role.BOILERPLATE)  # a headline on two lines is one
        else:
            body.append(b.text_outside(Role.BOILERPLATE))
    body_chars = sum(len(t) for t in body)
    carried = sum(len(i.lead) for i in briefing.news) + sum(len(t.heading) for t in briefing.tasks)
    carried += sum(len(d.text) for d in briefing.directives)
    target = min(body_chars, SUMMARY_MAX, max(SUMMARY_MIN, int(body_chars * SUMMARY_SHARE)))
    if body_chars < 200 or carried >= target:
        return briefing
    return replace(briefing, summary=tuple(summarise(body, target)))
