"""Reading one notice's ledger, and recording follow-up decisions into the outbox."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, true
from sqlalchemy.orm import aliased

from briefbot.followup import FollowUpPlan
from briefbot.ledger import Ack, DeliveryState, UnitLedger
from briefbot.store.outbox import next_step, queue_row
from briefbot.store.schema import acks, escalations, notices, outbox, units

_BATCH = 500  # notices per read: bounded IN lists
outbox_reminder = outbox.alias("reminder")
# unit code, delivery state, sent at, last error, signer, signed at, comment, reminders
SheetSource = tuple[
    str, str, datetime | None, str | None, str | None, datetime | None, str | None, int
]

# Presentation is the caller's: given the unit codes, return (chat text) for each message.
ReminderText = Callable[[str, int, bool], str]
EscalationText = Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class UnitInfo:
    name: str
    group: str
    chat_id: int
    liaisons: tuple[int, ...]


class LedgerRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def units_now(self) -> dict[str, UnitInfo]:
        """Every unit's current name, group, chat and liaisons (read once for many notices)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(units)).all()
        return {
            r.code: UnitInfo(r.name, r.grp, r.chat_id, tuple(json.loads(r.liaisons))) for r in rows
        }

    def for_notices(self, notice_ids: Sequence[int]) -> dict[int, list[UnitLedger]]:
        """Each notice's ledger, read in one pass over each table (an export of 50 notices to
        2 000 units reads 100 000 deliveries: rows are unpacked as tuples, not looked up by
        name)."""
        roster = self.units_now()
        wanted = list(dict.fromkeys(notice_ids))
        out: dict[int, list[UnitLedger]] = {}
        for i in range(0, len(wanted), _BATCH):
            out.update(self._read(wanted[i : i + _BATCH], roster))
        return {notice_id: out[notice_id] for notice_id in notice_ids}

    def for_notice(
        self, notice_id: int, roster: dict[str, UnitInfo] | None = None
    ) -> list[UnitLedger]:
        roster = roster if roster is not None else self.units_now()
        return self._read([notice_id], roster)[notice_id]

    def _read(
        self, notice_ids: Sequence[int], roster: dict[str, UnitInfo]
    ) -> dict[int, list[UnitLedger]]:
        of_these = outbox.c.notice_id.in_(notice_ids)
        with self._engine.connect() as conn:
            deliveries = conn.execute(
                select(
                    outbox.c.notice_id,
                    outbox.c.unit_code,
                    outbox.c.state,
                    outbox.c.sent_at,
                    outbox.c.last_error,
                    outbox.c.chat_id,
                ).where(of_these, outbox.c.kind == "notice")
            ).all()
            reminder_rows = conn.execute(
                select(outbox.c.notice_id, outbox.c.unit_code, outbox.c.created_at)
                .where(of_these, outbox.c.kind == "reminder")
                .order_by(outbox.c.step)
            ).all()
            reminders: dict[tuple[int, str], list[datetime]] = defaultdict(list)
            for notice_id, code, created_at in reminder_rows:
                reminders[notice_id, code].append(created_at)
            ack_by_unit = {
                (notice_id, code): Ack(user_id, user_name, via, acked_at, comment)
                for notice_id, code, user_id, user_name, via, acked_at, comment in conn.execute(
                    select(
                        acks.c.notice_id,
                        acks.c.unit_code,
                        acks.c.user_id,
                        acks.c.user_name,
                        acks.c.via,
                        acks.c.acked_at,
                        acks.c.comment,
                    ).where(acks.c.notice_id.in_(notice_ids))
                ).all()
            }
            escalated = {
                (notice_id, code): decided_at
                for notice_id, code, decided_at in conn.execute(
                    select(
                        escalations.c.notice_id,
                        escalations.c.unit_code,
                        escalations.c.decided_at,
                    ).where(escalations.c.notice_id.in_(notice_ids))
                ).all()
            }
        states = {s.value: s for s in DeliveryState}
        out: dict[int, list[UnitLedger]] = {notice_id: [] for notice_id in notice_ids}
        for notice_id, code, state, sent_at, last_error, chat_id in deliveries:
            unit = roster.get(code)
            key = (notice_id, code)
            out[notice_id].append(
                UnitLedger(
                    unit_code=code,
                    unit_name=unit.name if unit else code,
                    group=unit.group if unit else "",
                    chat_id=unit.chat_id if unit else chat_id,
                    liaisons=unit.liaisons if unit else (),
                    delivery=states[state],
                    sent_at=sent_at,
                    last_error=last_error,
                    ack=ack_by_unit.get(key),
                    reminders=tuple(reminders.get(key, ())),
                    escalated_at=escalated.get(key),
                )
            )
        for ledger in out.values():
            ledger.sort(key=lambda u: (u.group, u.unit_code))
        return out

    def sheet_rows(self, notice_ids: Sequence[int]) -> dict[int, list[SheetSource]]:
        """What the 签收单 of each notice shows of each unit it was sent to, in one query:
        (unit code, delivery state, sent at, last error, signer's name, signed at, comment,
        reminders). Plain tuples in no particular order; no ledger objects (briefbot.export)."""
        reminders = (
            select(func.count())
            .where(
                outbox_reminder.c.kind == "reminder",
                outbox_reminder.c.notice_id == outbox.c.notice_id,
                outbox_reminder.c.unit_code == outbox.c.unit_code,
            )
            .scalar_subquery()
        )
        query = (
            select(
                outbox.c.notice_id,
                outbox.c.unit_code,
                outbox.c.state,
                outbox.c.sent_at,
                outbox.c.last_error,
                acks.c.user_name,
                acks.c.acked_at,
                acks.c.comment,
                reminders,
            )
            .select_from(
                outbox.outerjoin(
                    acks,
                    (acks.c.notice_id == outbox.c.notice_id)
                    & (acks.c.unit_code == outbox.c.unit_code),
                )
            )
            .where(outbox.c.kind == "notice", outbox.c.notice_id.in_(notice_ids))
        )
        out: dict[int, list[SheetSource]] = {notice_id: [] for notice_id in notice_ids}
        with self._engine.connect() as conn:
            for notice_id, *rest in conn.execute(query).all():
                out[notice_id].append(tuple(rest))
        return out

    def open_notice_ids(self, include_escalated: bool = False) -> list[int]:
        """Notices with at least one delivered, unacknowledged unit (not yet escalated, unless
        ``include_escalated``), leaving out notices replaced by a correction."""
        later = aliased(notices)
        escalated = select(escalations.c.unit_code).where(
            escalations.c.notice_id == outbox.c.notice_id,
            escalations.c.unit_code == outbox.c.unit_code,
        )
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.notice_id)
                .where(outbox.c.kind == "notice", outbox.c.state == "sent")
                .where(
                    ~select(acks.c.unit_code)
                    .where(
                        acks.c.notice_id == outbox.c.notice_id,
                        acks.c.unit_code == outbox.c.unit_code,
                    )
                    .exists()
                )
                .where(true() if include_escalated else ~escalated.exists())
                .where(
                    # a notice replaced by a correction is not chased any more
                    ~select(later.c.id).where(later.c.correction_of == outbox.c.notice_id).exists()
                )
                .distinct()
                .order_by(outbox.c.notice_id)
            ).scalars()
            return list(rows)

    def record_plan(
        self,
        notice_id: int,
        plan: FollowUpPlan,
        ledger: Sequence[UnitLedger],
        office_chat_id: int,
        reminder_text: ReminderText,
        escalation_text: EscalationText,
        now: datetime,
        leaders: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        """Queue the plan's messages and mark the steps taken, atomically.

        ``leaders`` maps a unit code to (leader's user id, private message): an escalated unit's
        leader is told once, in a private chat, alongside the office list.

        The unique key (kind, notice, unit, step) makes a repeated decision a no-op, so two
        overlapping runs of the job cannot double a reminder.
        """
        by_code = {u.unit_code: u for u in ledger}
        with self._engine.begin() as conn:
            for r in plan.reminders:
                queue_row(
                    conn,
                    kind="reminder",
                    notice_id=notice_id,
                    unit_code=r.unit_code,
                    step=r.step,
                    chat_id=by_code[r.unit_code].chat_id,
                    text=reminder_text(r.unit_code, r.step, r.mention),
                    with_button=True,
                    priority=5,
                    now=now,
                )
            escalated = set(
                conn.execute(
                    select(escalations.c.unit_code).where(escalations.c.notice_id == notice_id)
                ).scalars()
            )
            fresh = [code for code in plan.escalate if code not in escalated]
            if not fresh:
                return
            outbox_id = queue_row(
                conn,
                kind="escalation",
                notice_id=notice_id,
                step=next_step(conn, "escalation", notice_id),
                chat_id=office_chat_id,
                text=escalation_text(fresh),
                priority=5,
                now=now,
            )
            assert outbox_id is not None  # next_step gives an unused key
            conn.execute(
                insert(escalations),
                [
                    {
                        "notice_id": notice_id,
                        "unit_code": c,
                        "outbox_id": outbox_id,
                        "decided_at": now,
                    }
                    for c in fresh
                ],
            )
            for code in fresh:
                if leaders and code in leaders:
                    user_id, text = leaders[code]
                    queue_row(
                        conn,
                        kind="leader",
                        notice_id=notice_id,
                        unit_code=code,
                        step=1,
                        chat_id=user_id,
                        text=text,
                        priority=5,
                        now=now,
                    )
