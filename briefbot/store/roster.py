"""Binding units to their Telegram groups by one-time invitation codes (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine, insert, select, update

from briefbot.store.schema import invites, units

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


class Bind(Enum):
    BOUND = "bound"
    UNKNOWN_CODE = "unknown_code"
    USED = "used"
    EXPIRED = "expired"
    CHAT_TAKEN = "chat_taken"  # this group already belongs to another unit


@dataclass(frozen=True)
class BindOutcome:
    result: Bind
    unit_code: str | None = None


@dataclass(frozen=True)
class UnitBinding:
    code: str
    name: str
    group: str
    chat_id: int | None
    configured: bool  # the chat id comes from the config file


class RosterRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def invite(self, unit_code: str, by: int, now: datetime, valid_for: timedelta) -> str:
        """A fresh code like "K7QX-M2PA"; only its hash is stored."""
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        with self._engine.begin() as conn:
            conn.execute(
                insert(invites).values(
                    unit_code=unit_code,
                    code_hash=_hash(code),
                    created_by=by,
                    created_at=now,
                    expires_at=now + valid_for,
                )
            )
        return code

    def redeem(self, code: str, chat_id: int, now: datetime) -> BindOutcome:
        with self._engine.begin() as conn:
            row = conn.execute(select(invites).where(invites.c.code_hash == _hash(code))).first()
            if row is None:
                return BindOutcome(Bind.UNKNOWN_CODE)
            if row.used_at is not None:
                return BindOutcome(Bind.USED, row.unit_code)
            if now > row.expires_at:
                return BindOutcome(Bind.EXPIRED, row.unit_code)
            other = conn.execute(
                select(units.c.code).where(
                    units.c.chat_id == chat_id,
                    units.c.active.is_(True),
                    units.c.code != row.unit_code,
                )
            ).first()
            if other is not None:
                return BindOutcome(Bind.CHAT_TAKEN, other.code)
            conn.execute(update(units).where(units.c.code == row.unit_code).values(chat_id=chat_id))
            conn.execute(
                update(invites)
                .where(invites.c.id == row.id)
                .values(used_at=now, used_chat_id=chat_id)
            )
        return BindOutcome(Bind.BOUND, row.unit_code)

    def unbind(self, unit_code: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(units).where(units.c.code == unit_code).values(chat_id=None))

    def bindings(self, configured: set[str]) -> list[UnitBinding]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(units).where(units.c.active.is_(True))).all()
        # code-point order on every backend, whatever a PostgreSQL database's collation
        return [
            UnitBinding(r.code, r.name, r.grp, r.chat_id, r.code in configured)
            for r in sorted(rows, key=lambda r: (r.grp, r.code))
        ]
