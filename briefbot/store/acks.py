"""Acknowledgements: one per (notice, unit); the first one counts, later ones are reported back.
The person who acknowledged may take it back within a short window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from briefbot.ledger import Ack
from briefbot.store.schema import acks, outbox


@dataclass(frozen=True)
class AckOutcome:
    ack: Ack
    new: bool  # False: the unit had already acknowledged; ``ack`` is that earlier one


class Undo(Enum):
    UNDONE = "undone"
    NOTHING = "nothing"  # no acknowledgement to take back
    NOT_YOURS = "not_yours"
    TOO_LATE = "too_late"


class AckRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        notice_id: int,
        unit_code: str,
        user_id: int,
        user_name: str,
        via: str,
        now: datetime,
        comment: str | None = None,
    ) -> AckOutcome:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(acks).values(
                        notice_id=notice_id,
                        unit_code=unit_code,
                        user_id=user_id,
                        user_name=user_name,
                        via=via,
                        acked_at=now,
                        comment=comment,
                    )
                )
            return AckOutcome(Ack(user_id, user_name, via, now, comment), new=True)
        except IntegrityError:
            existing = self.get(notice_id, unit_code)
            if existing is None:  # a foreign-key failure, not a duplicate
                raise
            return AckOutcome(existing, new=False)

    def get(self, notice_id: int, unit_code: str) -> Ack | None:
        with self._engine.connect() as conn:
            r = conn.execute(
                select(acks).where(acks.c.notice_id == notice_id, acks.c.unit_code == unit_code)
            ).first()
        return None if r is None else Ack(r.user_id, r.user_name, r.via, r.acked_at, r.comment)

    def summary(self, notice_id: int) -> tuple[int, datetime | None]:
        """How many units acknowledged a notice, and when the latest did (one cheap query)."""
        with self._engine.connect() as conn:
            count, latest = conn.execute(
                select(func.count(), func.max(acks.c.acked_at)).where(acks.c.notice_id == notice_id)
            ).one()
        return int(count), latest

    def pending_for(self, unit_code: str) -> list[int]:
        """Notices delivered to the unit and not acknowledged, oldest first."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(outbox.c.notice_id)
                    .where(
                        outbox.c.kind == "notice",
                        outbox.c.unit_code == unit_code,
                        outbox.c.state == "sent",
                        ~select(acks.c.notice_id)
                        .where(
                            acks.c.notice_id == outbox.c.notice_id, acks.c.unit_code == unit_code
                        )
                        .exists(),
                    )
                    .order_by(outbox.c.notice_id)
                ).scalars()
            )

    def undo(
        self, notice_id: int, unit_code: str, user_id: int, now: datetime, window: timedelta
    ) -> Undo:
        with self._engine.begin() as conn:
            row = conn.execute(
                select(acks).where(acks.c.notice_id == notice_id, acks.c.unit_code == unit_code)
            ).first()
            if row is None:
                return Undo.NOTHING
            if row.user_id != user_id:
                return Undo.NOT_YOURS
            if now - row.acked_at > window:
                return Undo.TOO_LATE
            conn.execute(
                delete(acks).where(acks.c.notice_id == notice_id, acks.c.unit_code == unit_code)
            )
        return Undo.UNDONE
