"""The outbox: claim due messages, record each outcome.

Crash safety: ``claim`` commits the ``sending`` mark, with the claiming replica's id, before
anything goes to Telegram. A row marked ``sent`` is never claimed again. A row left ``sending``
goes back to ``pending``: at start on SQLite (``recover_inflight``: one process, so every such row
was its own), and on PostgreSQL only once its replica's lease has expired (``recover_orphans``:
other replicas are sending their own). So after a crash at most the rows that replica had in
flight (bounded by the dispatcher's concurrency) can reach Telegram twice; nothing can be lost.

Several replicas claim at once on PostgreSQL: the claim's ``SELECT … FOR UPDATE SKIP LOCKED``
gives each claimer rows no other claimer holds, and the UPDATE re-checks ``state = 'pending'``,
so no row is claimed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from briefbot.store.notices import Body
from briefbot.store.replicas import live_replicas
from briefbot.store.schema import notices, outbox, units


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    notice_id: int
    unit_code: str
    step: int
    chat_id: int
    text: str
    with_button: bool
    attempts: int
    first_try_at: datetime | None
    has_original: bool = False  # the message offers the 原文 button
    # 仅推送原文: the notice row is the original file with ``text`` as its caption
    as_original: bool = False


def _claim_statement(skip_locked: bool) -> Any:
    before = aliased(outbox)
    due = (
        select(outbox.c.id)
        .where(
            outbox.c.state == "pending",
            or_(outbox.c.not_before.is_(None), outbox.c.not_before <= bindparam("now")),
            or_(
                outbox.c.after_id.is_(None),
                select(before.c.id)
                .where(before.c.id == outbox.c.after_id, before.c.state == "sent")
                .exists(),
            ),
        )
        .order_by(outbox.c.priority, outbox.c.id)
        .limit(bindparam("limit"))
    )
    if skip_locked:
        # PostgreSQL: rows another claimer has locked are passed over, not waited for, so
        # concurrent replicas take disjoint rows and none queues behind another's transaction.
        # A MATERIALIZED CTE runs once: as an IN subquery the planner may rescan it for each
        # outbox row, and every rescan locks rows further on (a claim of 2 took 3)
        locked = (
            due.with_for_update(skip_locked=True, of=outbox).cte("due").prefix_with("MATERIALIZED")
        )
        which = outbox.c.id.in_(select(locked.c.id))
    else:
        which = outbox.c.id.in_(due.scalar_subquery())
    return (
        update(outbox)
        # state again here: a row picked in the subquery is claimed only if it is still pending
        # once locked (belt and braces on PostgreSQL; SQLite serialises writers anyway)
        .where(which, outbox.c.state == "pending")
        .values(
            state="sending",
            attempts=outbox.c.attempts + 1,
            first_try_at=func.coalesce(outbox.c.first_try_at, bindparam("now")),
            claimed_by=bindparam("owner"),
        )
        .returning(
            outbox.c.id,
            outbox.c.kind,
            outbox.c.notice_id,
            outbox.c.unit_code,
            outbox.c.step,
            outbox.c.chat_id,
            outbox.c.text,
            outbox.c.with_button,
            outbox.c.attempts,
            outbox.c.first_try_at,
            outbox.c.priority,
        )
    )


class OutboxRepo:
    def __init__(self, engine: Engine, owner: str = "") -> None:
        """``owner``: this process's replica id, written on every row it claims."""
        self._engine = engine
        self.owner = owner
        self._claim = _claim_statement(skip_locked=engine.dialect.name == "postgresql")
        self._sent = (
            update(outbox)
            .where(outbox.c.id == bindparam("row"))
            .values(
                state="sent",
                message_id=bindparam("message_id"),
                sent_at=bindparam("now"),
                last_error=None,
            )
        )
        self._texts: dict[int, tuple[str, bool, bool]] = {}

    def recover_inflight(self) -> int:
        """After a restart of the only process (SQLite): every row left in ``sending`` goes back
        to ``pending``. Returns how many. Never with replicas: see ``recover_orphans``."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(outbox)
                .where(outbox.c.state == "sending")
                .values(state="pending", claimed_by=None)
            )
        return result.rowcount

    def recover_orphans(
        self, now: datetime, lease: timedelta, grace: timedelta | None = None
    ) -> int:
        """Rows left ``sending`` by a dead replica (see ``live_replicas``: not seen for ``lease``,
        or on PostgreSQL, for ``grace`` and its session gone), or by one that claimed before
        replicas had ids, go back to ``pending``; the rows of live replicas stay theirs.
        Returns how many."""
        live = live_replicas(now, lease, grace)
        with self._engine.begin() as conn:
            result = conn.execute(
                update(outbox)
                .where(
                    outbox.c.state == "sending",
                    or_(outbox.c.claimed_by.is_(None), outbox.c.claimed_by.not_in(live)),
                )
                .values(state="pending", claimed_by=None)
            )
        return result.rowcount

    def claim(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Mark up to ``limit`` due rows ``sending`` (committed) and return them, by priority.

        One ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`` statement, built once: this runs
        for every message at full speed. A continuation part is due only once the part before
        it is sent. The notice's text comes from a cache (notices never change).
        """
        with self._engine.begin() as conn:
            rows = conn.execute(
                self._claim, {"now": now, "limit": limit, "owner": self.owner}
            ).all()
        return self._items(rows, now)

    def _items(self, rows: Sequence[Any], now: datetime) -> list[OutboxItem]:
        items = []
        for r in sorted(rows, key=lambda r: (r.priority, r.id)):
            body, has_original, as_original = self._notice_text(r.notice_id)
            items.append(
                OutboxItem(
                    id=r.id,
                    kind=r.kind,
                    notice_id=r.notice_id,
                    unit_code=r.unit_code,
                    step=r.step,
                    chat_id=r.chat_id,
                    text=r.text if r.text is not None else body,
                    with_button=r.with_button,
                    attempts=r.attempts,
                    first_try_at=r.first_try_at or now,
                    has_original=has_original,
                    as_original=as_original and r.kind == "notice",
                )
            )
        return items

    def _notice_text(self, notice_id: int) -> tuple[str, bool, bool]:
        """(the notice's html, whether it offers 原文, whether it *is* the original file)."""
        cached = self._texts.get(notice_id)
        if cached is None:
            with self._engine.connect() as conn:
                row = conn.execute(
                    select(notices.c.html, notices.c.original_hash, notices.c.body).where(
                        notices.c.id == notice_id
                    )
                ).one()
            as_original = row.body == Body.ORIGINAL
            cached = (row.html, row.original_hash is not None and not as_original, as_original)
            if len(self._texts) > 256:
                self._texts.clear()
            self._texts[notice_id] = cached
        return cached

    def mark_sent(self, item_id: int, message_id: int, now: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._sent, {"row": item_id, "message_id": message_id, "now": now})

    def mark_sent_and_claim(
        self, item_id: int, message_id: int, now: datetime
    ) -> OutboxItem | None:
        """Record a sent row and claim the next due one in a single transaction."""
        with self._engine.begin() as conn:
            conn.execute(self._sent, {"row": item_id, "message_id": message_id, "now": now})
            rows = conn.execute(self._claim, {"now": now, "limit": 1, "owner": self.owner}).all()
        return self._items(rows, now)[0] if rows else None

    def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        """Back to pending, not before ``not_before``. Only a row this replica still holds (or
        nobody does): a replica stalled past its lease whose row another has since claimed and
        sent must not put it back in the queue."""
        with self._engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(
                    outbox.c.id == item_id,
                    or_(outbox.c.claimed_by.is_(None), outbox.c.claimed_by == self.owner),
                )
                .values(state="pending", not_before=not_before, last_error=error, claimed_by=None)
            )

    def mark_failed(self, item_id: int, error: str) -> None:
        """Failed for good; parts chained after it cannot follow and fail with it. A row another
        replica has sent meanwhile (this one stalled past its lease) stays sent."""
        with self._engine.begin() as conn:
            ids = [item_id]
            while ids:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(ids), outbox.c.state != "sent")
                    .values(state="failed", last_error=error)
                )
                ids = list(
                    conn.execute(
                        select(outbox.c.id).where(
                            outbox.c.after_id.in_(ids), outbox.c.state == "pending"
                        )
                    ).scalars()
                )
                error = "前一部分未能发送"

    def mark_unreachable(self, item_id: int, error: str) -> None:
        """The chat is gone: this row and everything still queued for that chat."""
        with self._engine.begin() as conn:
            chat_id = conn.execute(
                select(outbox.c.chat_id).where(outbox.c.id == item_id)
            ).scalar_one()
            conn.execute(
                update(outbox)
                .where(
                    or_(
                        and_(outbox.c.id == item_id, outbox.c.state != "sent"),
                        and_(outbox.c.chat_id == chat_id, outbox.c.state == "pending"),
                    )
                )
                .values(state="unreachable", last_error=error)
            )

    def queue_once(
        self, *, kind: str, notice_id: int, step: int, chat_id: int, text: str, now: datetime
    ) -> bool:
        """Queue an office message under a unique key; False if that key was queued before."""
        with self._engine.begin() as conn:
            queued = queue_row(
                conn,
                kind=kind,
                notice_id=notice_id,
                step=step,
                chat_id=chat_id,
                text=text,
                priority=15,
                now=now,
            )
        return queued is not None

    def request_original(self, notice_id: int, unit_code: str, chat_id: int, now: datetime) -> bool:
        """Queue the original file for a unit, once. False if it was already queued or sent."""
        with self._engine.begin() as conn:
            queued = queue_row(
                conn,
                kind="original",
                notice_id=notice_id,
                unit_code=unit_code,
                chat_id=chat_id,
                priority=20,
                now=now,
            )
        return queued is not None

    def queue_nudges(
        self,
        notice_id: int,
        targets: Sequence[tuple[str, int]],
        text: str | Callable[[str], str],
        now: datetime,
    ) -> int:
        """A manual reminder from the office, now, to each (unit code, chat id); one round,
        numbered per notice. Kind "nudge": it does not count against the scheduled reminders'
        cap or spacing. ``text`` may be a function of the unit code (each unit's own deadline)."""
        with self._engine.begin() as conn:
            step = next_step(conn, "nudge", notice_id)
            for unit_code, chat_id in targets:
                queue_row(
                    conn,
                    kind="nudge",
                    notice_id=notice_id,
                    unit_code=unit_code,
                    step=step,
                    chat_id=chat_id,
                    text=text(unit_code) if callable(text) else text,
                    with_button=True,
                    priority=5,
                    now=now,
                )
        return len(targets)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its unit and every unsent row follow the new id."""
        with self._engine.begin() as conn:
            conn.execute(
                update(units).where(units.c.chat_id == old_chat_id).values(chat_id=new_chat_id)
            )
            conn.execute(
                update(outbox)
                .where(outbox.c.chat_id == old_chat_id, outbox.c.state != "sent")
                .values(chat_id=new_chat_id)
            )

    def counts(self, notice_id: int | None = None) -> dict[str, int]:
        query = select(outbox.c.state, func.count()).group_by(outbox.c.state)
        if notice_id is not None:
            query = query.where(outbox.c.notice_id == notice_id)
        with self._engine.connect() as conn:
            return {state: n for state, n in conn.execute(query).all()}

    def notice_for_message(self, chat_id: int, message_id: int) -> int | None:
        """Which notice a message in a unit group belongs to (the notice or one of its reminders)."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(outbox.c.notice_id).where(
                    and_(outbox.c.chat_id == chat_id, outbox.c.message_id == message_id)
                )
            ).scalar()

    def delivered_message(self, notice_id: int, unit_code: str) -> tuple[int, int] | None:
        """(chat_id, message_id) of the notice as delivered to a unit, if it was."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(outbox.c.chat_id, outbox.c.message_id).where(
                    outbox.c.kind == "notice",
                    outbox.c.notice_id == notice_id,
                    outbox.c.unit_code == unit_code,
                    outbox.c.state == "sent",
                )
            ).first()
        return None if row is None else (row.chat_id, row.message_id)

    def reminder_messages(self, notice_id: int, unit_code: str) -> list[tuple[int, int]]:
        """(chat_id, message_id) of the reminders and nudges sent to a unit for a notice: their
        "已收到" buttons follow the notice's once the unit has signed."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.chat_id, outbox.c.message_id).where(
                    outbox.c.kind.in_(("reminder", "nudge")),
                    outbox.c.notice_id == notice_id,
                    outbox.c.unit_code == unit_code,
                    outbox.c.state == "sent",
                    outbox.c.message_id.is_not(None),
                )
            ).all()
        return [(r.chat_id, r.message_id) for r in rows]

    def latest_delivered_notice(self, unit_code: str) -> int | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(func.max(outbox.c.notice_id)).where(
                    outbox.c.kind == "notice",
                    outbox.c.unit_code == unit_code,
                    outbox.c.state == "sent",
                )
            ).scalar()


def queue_row(
    conn: Connection,
    *,
    kind: str,
    notice_id: int,
    chat_id: int,
    now: datetime,
    unit_code: str = "",
    step: int = 0,
    text: str | None = None,
    with_button: bool = False,
    priority: int = 10,
) -> int | None:
    """Queue one outbox row unless its key (kind, notice, unit, step) is there already.

    Returns the new row's id, or None: a decision taken twice queues one message.
    """
    exists = conn.execute(
        select(outbox.c.id).where(
            outbox.c.kind == kind,
            outbox.c.notice_id == notice_id,
            outbox.c.unit_code == unit_code,
            outbox.c.step == step,
        )
    ).first()
    if exists:
        return None
    inserted = conn.execute(
        insert(outbox).values(
            kind=kind,
            notice_id=notice_id,
            unit_code=unit_code,
            step=step,
            chat_id=chat_id,
            text=text,
            with_button=with_button,
            priority=priority,
            state="pending",
            created_at=now,
        )
    ).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def next_step(conn: Connection, kind: str, notice_id: int) -> int:
    """The next round number of a repeatable office message (escalation, nudge) for a notice."""
    last = conn.execute(
        select(func.max(outbox.c.step)).where(
            outbox.c.kind == kind, outbox.c.notice_id == notice_id
        )
    ).scalar()
    return (last or 0) + 1
