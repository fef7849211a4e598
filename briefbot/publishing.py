"""From a file's bytes to a queued notice: parse, render, store, queue one delivery per unit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from briefbot.briefing import Briefing, UnreadableDocument, extract, parse_briefing
from briefbot.briefing.model import to_jsonable
from briefbot.ledger import NoticeKind
from briefbot.render import render_notice
from briefbot.store import Store
from briefbot.store.notices import NewNotice, Published


@dataclass(frozen=True)
class Prepared:
    briefing: Briefing
    html: str
    source: str


class NotABriefing(UnreadableDocument):
    """The text reads fine but is not recognisably a briefing."""


def prepare(data: bytes, source: str) -> Prepared:
    """Parse and render. Raises ``UnreadableDocument`` or ``MessageTooLong`` (Chinese messages)."""
    briefing = parse_briefing(extract(data).pages)
    if not briefing.title or not briefing.paragraphs:
        raise NotABriefing("没有识别出简报的标题或正文，请确认上传的是简报全文。")
    return Prepared(briefing=briefing, html=render_notice(briefing), source=source)


def briefing_json(briefing: Briefing) -> str:
    return json.dumps(to_jsonable(briefing), ensure_ascii=False)


def publish(store: Store, prepared: Prepared, ack_within: timedelta, now: datetime) -> Published:
    b = prepared.briefing
    return store.notices.publish(
        NewNotice(
            content_hash=b.content_hash,
            title=b.title,
            issue=b.issue.raw if b.issue else None,
            briefing_date=b.date.isoformat() if b.date else None,
            issuer=b.issuer,
            kind=NoticeKind.DIRECTIVE if b.is_directive else NoticeKind.ROUTINE,
            html=prepared.html,
            source=prepared.source,
            briefing_json=briefing_json(b),
            ack_within=ack_within,
        ),
        now,
    )
