"""Acknowledgement rules: who may acknowledge which notice, from which chat.

Returns a plain outcome; wording and Telegram calls belong to the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from briefbot.ledger import Ack
from briefbot.store import Store
from briefbot.store.notices import UnitRecord


class AckResult(Enum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_A_UNIT = "not_a_unit"  # the chat is no unit's group
    NOT_LIAISON = "not_liaison"
    NO_NOTICE = "no_notice"  # nothing delivered to this unit yet
    WRONG_NOTICE = "wrong_notice"  # a notice id this unit never received (forged or stale)


@dataclass(frozen=True)
class AckOutcome:
    result: AckResult
    unit: UnitRecord | None = None
    notice_id: int | None = None
    ack: Ack | None = None


def acknowledge(
    store: Store,
    *,
    chat_id: int,
    user_id: int,
    user_name: str,
    notice_id: int | None,
    via: str,
    now: datetime,
) -> AckOutcome:
    """Record an ack for the unit whose group ``chat_id`` is.

    ``notice_id`` None means "the latest notice this unit received" (a bare ``/ack``).
    """
    unit = store.notices.unit_by_chat(chat_id)
    if unit is None:
        return AckOutcome(AckResult.NOT_A_UNIT)
    if unit.liaisons and user_id not in unit.liaisons:
        return AckOutcome(AckResult.NOT_LIAISON, unit)
    if notice_id is None:
        notice_id = store.outbox.latest_delivered_notice(unit.code)
        if notice_id is None:
            return AckOutcome(AckResult.NO_NOTICE, unit)
    elif store.outbox.delivered_message(notice_id, unit.code) is None:
        return AckOutcome(AckResult.WRONG_NOTICE, unit, notice_id)
    recorded = store.acks.record(notice_id, unit.code, user_id, user_name, via, now)
    return AckOutcome(
        AckResult.RECORDED if recorded.new else AckResult.ALREADY, unit, notice_id, recorded.ack
    )
