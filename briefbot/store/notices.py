"""Units and notices: syncing the configured units, storing a notice and queueing it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from briefbot.ledger import NoticeInfo, NoticeKind
from briefbot.store.schema import notices, outbox, units


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    group: str
    chat_id: int | None  # None: not bound to a group yet
    liaisons: tuple[int, ...]


@dataclass(frozen=True)
class NewNotice:
    content_hash: str
    title: str
    issue: str | None
    briefing_date: str | None
    issuer: str | None
    kind: NoticeKind
    parts: tuple[str, ...]  # the unit message; the last part carries the ack button
    source: str
    briefing_json: str
    ack_within: timedelta
    original_hash: str | None = None
    correction_of: int | None = None


class Body(StrEnum):
    """What a notice's units receive (``notices.body``)."""

    PARSED = "parsed"  # the message rendered from the parse
    EDITED = "edited"  # the office's replacement text (编辑)
    ORIGINAL = "original"  # the original file under a generic header (仅推送原文)


@dataclass(frozen=True)
class NoticeChange:
    """The office's change to the parsed message before publishing: what and who, when."""

    body: Body  # EDITED or ORIGINAL
    by: int  # Telegram user id
    by_name: str
    at: datetime


@dataclass(frozen=True)
class Published:
    notice_id: int
    created: bool  # False: the same briefing was already published
    queued: int


@dataclass(frozen=True)
class FeedbackDue:
    day: date
    raw: str


def feedback_due(briefing: dict[str, Any]) -> FeedbackDue | None:
    for d in briefing.get("deadlines", []):
        owner = d.get("owner")
        for_units = owner is None or any(
            w in owner for w in ("各", "单位", "部门", "市", "县", "区")
        )
        if d.get("date") and not d.get("approximate") and not d.get("recurring") and for_units:
            return FeedbackDue(date.fromisoformat(d["date"]), d["raw"])
    return None


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
                values: dict[str, object] = {
                    "name": unit.name,
                    "grp": unit.group,
                    "liaisons": json.dumps(list(unit.liaisons)),
                    "active": True,
                }
                if unit.chat_id is not None or unit.code not in existing:
                    # the config names the group; a unit without one keeps its invitation binding
                    values["chat_id"] = unit.chat_id
                if unit.code in existing:
                    conn.execute(update(units).where(units.c.code == unit.code).values(**values))
                else:
                    conn.execute(insert(units).values(code=unit.code, **values))
            gone = existing - wanted
            if gone:
                conn.execute(update(units).where(units.c.code.in_(gone)).values(active=False))

    def active_units(self) -> list[UnitRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(units).where(units.c.active.is_(True))).all()
        # sorted here, not in SQL: code-point order on every backend (a PostgreSQL database's
        # collation, en_US say, would ignore "-" and "_" in unit codes)
        return [
            UnitRecord(r.code, r.name, r.grp, r.chat_id, tuple(json.loads(r.liaisons)))
            for r in sorted(rows, key=lambda r: r.code)
        ]

    def unit_by_chat(self, chat_id: int) -> UnitRecord | None:
        with self._engine.connect() as conn:
            r = conn.execute(
                select(units).where(units.c.chat_id == chat_id, units.c.active.is_(True))
            ).first()
        if r is None:
            return None
        return UnitRecord(r.code, r.name, r.grp, r.chat_id, tuple(json.loads(r.liaisons)))

    def publish(
        self, notice: NewNotice, now: datetime, change: NoticeChange | None = None
    ) -> Published:
        """Store the notice and queue one delivery per active unit, in one transaction.

        ``change``: the office replaced the parsed message (``notice.parts`` is then what it
        chose) — recorded on the notice."""
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
                    html=notice.parts[-1],
                    source=notice.source,
                    briefing_json=notice.briefing_json,
                    published_at=now,
                    ack_within_s=int(notice.ack_within.total_seconds()),
                    original_hash=notice.original_hash,
                    correction_of=notice.correction_of,
                    body=(change.body if change else Body.PARSED).value,
                    changed_by=change.by if change else None,
                    changed_by_name=change.by_name if change else None,
                    changed_at=change.at if change else None,
                )
            ).inserted_primary_key
            assert inserted is not None
            notice_id = int(inserted[0])
            targets = sorted(  # code-point order on every backend (see active_units)
                conn.execute(
                    select(units.c.code, units.c.chat_id).where(
                        units.c.active.is_(True), units.c.chat_id.is_not(None)
                    )
                ).all(),
                key=lambda r: r.code,
            )
            base = {
                "notice_id": notice_id,
                "priority": PRIORITY[notice.kind],
                "state": "pending",
                "created_at": now,
            }
            if len(notice.parts) == 1:
                rows = [
                    {
                        **base,
                        "kind": "notice",
                        "unit_code": t.code,
                        "step": 0,
                        "chat_id": t.chat_id,
                        "with_button": True,
                    }
                    for t in targets
                ]
                if rows:
                    conn.execute(insert(outbox), rows)
            else:
                for t in targets:
                    _insert_parts(conn, base, t.code, t.chat_id, notice.parts)
        return Published(notice_id=int(notice_id), created=True, queued=len(targets))

    def same_issue(self, title: str, issue: str | None) -> int | None:
        """The latest notice of the same title and issue (a correction's predecessor)."""
        if not title or not issue:
            return None
        with self._engine.connect() as conn:
            return conn.execute(
                select(func.max(notices.c.id)).where(
                    notices.c.title == title, notices.c.issue == issue
                )
            ).scalar()

    def superseded(self, notice_ids: Sequence[int]) -> dict[int, int]:
        """For each of ``notice_ids`` that a correction replaced: the latest correction's id."""
        if not notice_ids:
            return {}
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(notices.c.correction_of, func.max(notices.c.id))
                .where(notices.c.correction_of.in_(list(notice_ids)))
                .group_by(notices.c.correction_of)
            ).all()
        return {int(old): int(new) for old, new in rows}

    def paragraphs(self, notice_id: int) -> list[str] | None:
        """The parsed paragraphs of a notice's briefing (what a correction is compared with)."""
        with self._engine.connect() as conn:
            text = conn.execute(
                select(notices.c.briefing_json).where(notices.c.id == notice_id)
            ).scalar()
        if not text:
            return None
        return [str(p) for p in json.loads(text).get("paragraphs", [])]

    def correction_of(self, notice_id: int) -> int | None:
        """The notice this one corrects, if it is a correction."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(notices.c.correction_of).where(notices.c.id == notice_id)
            ).scalar()

    def by_hash(self, content_hash: str) -> int | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(notices.c.id).where(notices.c.content_hash == content_hash)
            ).scalar()

    def original_hash(self, notice_id: int) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(notices.c.original_hash).where(notices.c.id == notice_id)
            ).scalar()

    def offers_original(self, notice_id: int) -> bool:
        """Whether the notice's message gets a 原文 button: it has a stored original and is not
        itself that original (仅推送原文)."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(notices.c.original_hash, notices.c.body).where(notices.c.id == notice_id)
            ).first()
        return row is not None and row.original_hash is not None and row.body != Body.ORIGINAL

    def change(self, notice_id: int) -> NoticeChange | None:
        """Who replaced the parsed message of a notice, how and when; None if units got the parse."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    notices.c.body,
                    notices.c.changed_by,
                    notices.c.changed_by_name,
                    notices.c.changed_at,
                ).where(notices.c.id == notice_id)
            ).first()
        if row is None or row.body == Body.PARSED or row.changed_by is None:
            return None
        return NoticeChange(
            Body(row.body), row.changed_by, row.changed_by_name or "", row.changed_at
        )

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

    def published_since(self, since: datetime) -> list[NoticeInfo]:
        with self._engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(notices.c.id)
                    .where(notices.c.published_at >= since)
                    .order_by(notices.c.id)
                ).scalars()
            )
        return [n for i in ids if (n := self.notice(i)) is not None]

    def feedback_due(self, notice_id: int) -> FeedbackDue | None:
        """The briefing's own deadline for units (请于12月5日前报送…), when it names a date."""
        with self._engine.connect() as conn:
            text = conn.execute(
                select(notices.c.briefing_json).where(notices.c.id == notice_id)
            ).scalar()
        return feedback_due(json.loads(text)) if text else None

    def latest_id(self) -> int | None:
        with self._engine.connect() as conn:
            return conn.execute(select(func.max(notices.c.id))).scalar()


def _insert_parts(
    conn: Connection, base: dict[str, object], unit_code: str, chat_id: int, parts: tuple[str, ...]
) -> None:
    """Earlier parts as ``notice_part`` rows, each waiting for the one before; the last part is
    the ``notice`` row (it carries the button and marks the unit as served)."""
    after = None
    for index, text in enumerate(parts):
        last = index == len(parts) - 1
        inserted = conn.execute(
            insert(outbox).values(
                **base,
                kind="notice" if last else "notice_part",
                unit_code=unit_code,
                step=0 if last else index + 1,
                chat_id=chat_id,
                text=None if last else text,
                with_button=last,
                after_id=after,
            )
        ).inserted_primary_key
        assert inserted is not None
        after = int(inserted[0])
