"""Drafts: parsed briefings waiting for the office to press 发布 or 取消."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from briefbot.ledger import NoticeKind
from briefbot.store.notices import NewNotice
from briefbot.store.schema import drafts


@dataclass(frozen=True)
class Draft:
    id: int
    notice: NewNotice
    source: str
    state: str
    notice_id: int | None


def _encode(notice: NewNotice) -> str:
    data = asdict(notice)
    data["kind"] = notice.kind.value
    data["ack_within"] = notice.ack_within.total_seconds()
    return json.dumps(data, ensure_ascii=False)


def _decode(text: str) -> NewNotice:
    data = json.loads(text)
    data["kind"] = NoticeKind(data["kind"])
    data["ack_within"] = timedelta(seconds=data["ack_within"])
    data["parts"] = tuple(data["parts"])
    return NewNotice(**data)


class DraftRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open_for(self, content_hash: str) -> Draft | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(drafts).where(
                    drafts.c.content_hash == content_hash, drafts.c.state == "open"
                )
            ).first()
        return None if row is None else self._draft(row)

    def create(self, notice: NewNotice, source: str, now: datetime) -> Draft:
        """A new open draft, or the open one that already holds the same content."""
        existing = self.open_for(notice.content_hash)
        if existing is not None:
            return existing
        with self._engine.begin() as conn:
            inserted = conn.execute(
                insert(drafts).values(
                    content_hash=notice.content_hash,
                    source=source,
                    original_hash=notice.original_hash,
                    briefing_json=notice.briefing_json,
                    notice_json=_encode(notice),
                    correction_of=notice.correction_of,
                    state="open",
                    created_at=now,
                )
            ).inserted_primary_key
        assert inserted is not None
        return Draft(int(inserted[0]), notice, source, "open", None)

    def get(self, draft_id: int) -> Draft | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
        return None if row is None else self._draft(row)

    def decide(self, draft_id: int, state: str, by: int, notice_id: int | None = None) -> bool:
        """Close an open draft; False if it was already decided (a second press)."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(drafts)
                .where(drafts.c.id == draft_id, drafts.c.state == "open")
                .values(state=state, decided_by=by, notice_id=notice_id)
            )
        return result.rowcount == 1

    @staticmethod
    def _draft(row: object) -> Draft:
        return Draft(row.id, _decode(row.notice_json), row.source, row.state, row.notice_id)  # type: ignore[attr-defined]
