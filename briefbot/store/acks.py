"""Acknowledgements: one per (notice, unit); the first one counts, later ones are reported back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from briefbot.ledger import Ack
from briefbot.store.schema import acks


@dataclass(frozen=True)
class AckOutcome:
    ack: Ack
    new: bool  # False: the unit had already acknowledged; ``ack`` is that earlier one


class AckRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self, notice_id: int, unit_code: str, user_id: int, user_name: str, via: str, now: datetime
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
                    )
                )
            return AckOutcome(Ack(user_id, user_name, via, now), new=True)
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
        return None if r is None else Ack(r.user_id, r.user_name, r.via, r.acked_at)
