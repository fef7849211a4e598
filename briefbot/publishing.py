"""From a file's bytes to a queued notice.

parse → classify against what was published (new, duplicate, correction) → render the unit
message → store the original and the notice → one delivery per unit in the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from briefbot.briefing import Briefing
from briefbot.briefing.guard import DocumentLimits
from briefbot.briefing.model import to_jsonable
from briefbot.briefing_diff import changed_sentences, count_changes
from briefbot.ledger import NoticeKind
from briefbot.parsefile import NotABriefing as NotABriefing  # re-exported
from briefbot.parsefile import parse_bytes
from briefbot.render import RenderOptions, render_parts
from briefbot.store import Store
from briefbot.store.notices import NewNotice, Published
from briefbot.store.originals import OriginalFile


@dataclass(frozen=True)
class Parsed:
    briefing: Briefing
    original: OriginalFile


@dataclass(frozen=True)
class Prepared:
    """A parsed briefing and the exact message parts units would receive (no store needed)."""

    briefing: Briefing
    parts: list[str]
    source: str


def parse_file(data: bytes, file_name: str, limits: DocumentLimits | None = None) -> Parsed:
    """Raises ``UnreadableDocument`` with a Chinese message.

    With ``limits``, a document over them (or built to look small and inflate) is refused with
    ``DocumentTooLarge`` before and after extraction. This runs in the calling process: the bot
    and the CLI go through ``briefbot.documents``, which also bounds time and memory."""
    briefing, mime = parse_bytes(data, file_name, limits)
    return Parsed(briefing, OriginalFile(file_name, mime, data))


def prepare(data: bytes, source: str) -> Prepared:
    """Parse and render as a new notice. Raises ``UnreadableDocument`` or ``MessageTooLong``."""
    parsed = parse_file(data, source)
    parts = render_parts(parsed.briefing, RenderOptions(has_original=True))
    return Prepared(parsed.briefing, parts, source)


class Novelty(Enum):
    NEW = "new"
    DUPLICATE = "duplicate"  # the same content was published
    CORRECTION = "correction"  # same title and issue, different content


@dataclass(frozen=True)
class Classified:
    novelty: Novelty
    notice_id: int | None  # the earlier notice, for a duplicate or a correction


def classify(store: Store, briefing: Briefing) -> Classified:
    found = store.notices.by_hash(briefing.content_hash)
    if found is not None:
        return Classified(Novelty.DUPLICATE, found)
    issue = briefing.issue.raw if briefing.issue else None
    earlier = store.notices.same_issue(briefing.title, issue)
    if earlier is not None:
        return Classified(Novelty.CORRECTION, earlier)
    return Classified(Novelty.NEW, None)


def briefing_json(briefing: Briefing) -> str:
    return json.dumps(to_jsonable(briefing), ensure_ascii=False)


def new_notice(
    parsed: Parsed,
    classified: Classified,
    source: str,
    ack_within: timedelta,
    original_hash: str | None,
    directive_ack_within: timedelta | None = None,
    previous: Sequence[str] | None = None,
) -> NewNotice:
    """Render the unit message and describe the notice to store. Raises ``MessageTooLong``.

    ``previous``: the paragraphs of the notice a correction replaces; the 【更正】 message then
    leads with the sentences that changed."""
    b = parsed.briefing
    correction_of = classified.notice_id if classified.novelty is Novelty.CORRECTION else None
    changes: tuple[tuple[str, str], ...] = ()
    count = 0
    if correction_of is not None and previous is not None:
        changes = tuple((c.kind, c.text) for c in changed_sentences(previous, b.paragraphs))
        count = count_changes(previous, b.paragraphs)
    parts = render_parts(
        b,
        RenderOptions(
            correction=correction_of is not None,
            has_original=original_hash is not None,
            changes=changes,
            changed_count=count,
        ),
    )
    return NewNotice(
        content_hash=b.content_hash,
        title=b.title,
        issue=b.issue.raw if b.issue else None,
        briefing_date=b.date.isoformat() if b.date else None,
        issuer=b.issuer,
        kind=NoticeKind.DIRECTIVE if b.is_directive else NoticeKind.ROUTINE,
        parts=tuple(parts),
        source=source,
        briefing_json=briefing_json(b),
        ack_within=(directive_ack_within or ack_within) if b.is_directive else ack_within,
        original_hash=original_hash,
        correction_of=correction_of,
    )


@dataclass(frozen=True)
class Intake:
    """What became of a file: classified, and either published or held as a draft."""

    classified: Classified
    notice: NewNotice | None  # None for a duplicate
    published: Published | None = None


def intake(
    store: Store,
    parsed: Parsed,
    source: str,
    ack_within: timedelta,
    now: datetime,
    directive_ack_within: timedelta | None = None,
) -> Intake:
    """Classify and describe the notice (storing the original); publishes nothing."""
    classified = classify(store, parsed.briefing)
    if classified.novelty is Novelty.DUPLICATE:
        return Intake(classified, None)
    digest = store.originals.put(parsed.original, now)
    previous = (
        store.notices.paragraphs(classified.notice_id)
        if classified.novelty is Novelty.CORRECTION and classified.notice_id is not None
        else None
    )
    notice = new_notice(
        parsed, classified, source, ack_within, digest, directive_ack_within, previous
    )
    return Intake(classified, notice)


def publish(store: Store, notice: NewNotice, now: datetime) -> Published:
    return store.notices.publish(notice, now)


def publish_file(
    store: Store,
    parsed: Parsed,
    source: str,
    ack_within: timedelta,
    now: datetime,
    directive_ack_within: timedelta | None = None,
) -> Intake:
    """Parse result straight to the outbox (the CLI and /publish). Duplicates are not re-queued."""
    taken = intake(store, parsed, source, ack_within, now, directive_ack_within)
    if taken.notice is None:
        return taken
    return Intake(taken.classified, taken.notice, publish(store, taken.notice, now))
