"""Units and notices: syncing the configured units, storing a notice and queueing it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, insert, select, update

from briefbot.ledger import NoticeInfo, NoticeKind
from briefbot.store.schema import notices, outbox, units


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    group: str
    chat_id: int
    liaisons: tuple[int, ...]


@dataclass(frozen=True)
class NewNotice:
    content_hash: str
    title: str
    issue: str | None
    briefing_date: str | None
    issuer: str | None
    kind: NoticeKind
    html: str
    source: str
    briefing_json: str
    ack_within: timedelta


@dataclass(frozen=True)
class Published:
    notice_id: int
    created: bool  # False: the same briefing was already published
    queued: int


PRIORITY = {NoticeKind.DIRECTIVE: 0, NoticeKind.ROUTINE: 10}


class NoticeRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def sync_units(self, configured: Sequence[UnitRecord]) -> None:
        """Make the units table match the config; units dropped from config become inactive.

        A unit's chat id that the store learnt from a group migration survives a restart only if
        the config was updated; the config is the office's statement of truth.
        """
        with self._engine.begin() as conn:
            existing = {row.code for row in conn.execute(select(units.c.code))}
            wanted = {u.code for u in configured}
            for unit in configured:
                values = {
                    "name": unit.name,
                    "grp": unit.group,
                    "chat_id": unit.chat_id,
                    "liaisons": json.dumps(list(unit.liaisons)),
                    "active": True,
                }
                if unit.code in existing:
                    conn.execute(update(units).where(units.c.code == unit.code).values(**values))
                else:
                    conn.execute(insert(units).values(code=unit.code, **values))
            gone = existing - wanted
            if gone:
                conn.execute(update(units).where(units.c.code.in_(gone)).values(active=False))

    def active_units(self) -> list[UnitRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(units).where(units.c.active.is_(True)).order_by(units.c.code)
            ).all()
        return [
            UnitRecord(r.code, r.name, r.grp, r.chat_id, tuple(json.loads(r.liaisons)))
            for r in rows
        ]

    def unit_by_chat(self, chat_id: int) -> UnitRecord | None:
        with self._engine.connect() as conn:
            r = conn.execute(
                select(units).where(units.c.chat_id == chat_id, units.c.active.is_(True))
            ).first()
        if r is None:
            return None
        return UnitRecord(r.code, r.name, r.grp, r.chat_id, tuple(json.loads(r.liaisons)))

    def publish(self, notice: NewNotice, now: datetime) -> Published:
        """Store the notice and queue one delivery per active unit, in one transaction."""
        with self._engine.begin() as conn:
            found = conn.execute(
                select(notices.c.id).where(notices.c.content_hash == notice.content_hash)
            ).scalar()
            if found is not None:
                return Published(notice_id=found, created=False, queued=0)
            inserted = conn.execute(
                insert(notices).values(
                    content_hash=notice.content_hash,
                    title=notice.title,
                    issue=notice.issue,
                    briefing_date=notice.briefing_date,
                    issuer=notice.issuer,
                    kind=notice.kind.value,
                    html=notice.html,
                    source=notice.source,
                    briefing_json=notice.briefing_json,
                    published_at=now,
                    ack_within_s=int(notice.ack_within.total_seconds()),
                )
            ).inserted_primary_key
            assert inserted is not None
            notice_id = int(inserted[0])
            targets = conn.execute(
                select(units.c.code, units.c.chat_id)
                .where(units.c.active.is_(True))
                .order_by(units.c.code)
            ).all()
            rows = [
                {
                    "kind": "notice",
                    "notice_id": notice_id,
                    "unit_code": t.code,
                    "step": 0,
                    "chat_id": t.chat_id,
                    "with_button": True,
                    "priority": PRIORITY[notice.kind],
                    "state": "pending",
                    "created_at": now,
                }
                for t in targets
            ]
            if rows:
                conn.execute(insert(outbox), rows)
        return Published(notice_id=int(notice_id), created=True, queued=len(rows))

    def notice(self, notice_id: int) -> NoticeInfo | None:
        with self._engine.connect() as conn:
            r = conn.execute(select(notices).where(notices.c.id == notice_id)).first()
        if r is None:
            return None
        return NoticeInfo(
            id=r.id,
            title=r.title,
            issue=r.issue,
            kind=NoticeKind(r.kind),
            published_at=r.published_at,
            ack_within=timedelta(seconds=r.ack_within_s),
        )

    def html(self, notice_id: int) -> str:
        with self._engine.connect() as conn:
            return str(
                conn.execute(select(notices.c.html).where(notices.c.id == notice_id)).scalar_one()
            )

    def latest_id(self) -> int | None:
        with self._engine.connect() as conn:
            return conn.execute(select(func.max(notices.c.id))).scalar()

    def all_ids(self) -> list[int]:
        with self._engine.connect() as conn:
            return list(conn.execute(select(notices.c.id).order_by(notices.c.id)).scalars())
