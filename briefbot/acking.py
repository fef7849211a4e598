"""Acknowledgement rules: who may acknowledge which notice, from which chat, and take it back.

Returns plain outcomes; wording and Telegram calls belong to the handler.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from briefbot.holding import Holding
from briefbot.ledger import Ack
from briefbot.store import Store
from briefbot.store.acks import Undo
from briefbot.store.notices import UnitRecord


class AckResult(Enum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_A_UNIT = "not_a_unit"  # the chat is no unit's group
    NOT_LIAISON = "not_liaison"
    NO_NOTICE = "no_notice"  # nothing delivered to this unit yet
    WRONG_NOTICE = "wrong_notice"  # a notice id this unit never received (forged or stale)
    ACCEPTABLE = "acceptable"  # check only: it would be recorded (nothing was written)


@dataclass(frozen=True)
class AckOutcome:
    result: AckResult
    unit: UnitRecord | None = None
    notice_id: int | None = None
    ack: Ack | None = None


def gate(store: Store, chat_id: int, user_id: int) -> AckOutcome | UnitRecord:
    """The unit of this chat if ``user_id`` may act for it, else the refusal."""
    unit = store.notices.unit_by_chat(chat_id)
    if unit is None:
        return AckOutcome(AckResult.NOT_A_UNIT)
    if unit.liaisons and user_id not in unit.liaisons:
        return AckOutcome(AckResult.NOT_LIAISON, unit)
    return unit


def acknowledge(
    store: Store,
    *,
    chat_id: int,
    user_id: int,
    user_name: str,
    notice_id: int | None,
    via: str,
    now: datetime,
    comment: str | None = None,
    held: Holding | None = None,
    check_only: bool = False,
    unit: UnitRecord | None = None,
) -> AckOutcome:
    """Record an ack for the unit whose group ``chat_id`` is (``unit``: already found by
    ``gate`` for this chat and user).

    ``notice_id`` None means "the latest notice this unit received". A notice Telegram took
    for the unit counts as received even while its "sent" is only ``held`` in memory (the store
    refused that write): the unit has it, so its ack is accepted. ``check_only`` reads and
    decides without writing (ACCEPTABLE where it would record): for when writes are failing.
    """
    if unit is None:
        allowed = gate(store, chat_id, user_id)
        if isinstance(allowed, AckOutcome):
            return allowed
        unit = allowed
    in_memory = held.received(unit.code, chat_id) if held is not None else set()
    if notice_id is None:
        notice_id = max(
            (n for n in (store.outbox.latest_delivered_notice(unit.code), *in_memory) if n),
            default=None,
        )
        if notice_id is None:
            return AckOutcome(AckResult.NO_NOTICE, unit)
    elif (
        notice_id not in in_memory and store.outbox.delivered_message(notice_id, unit.code) is None
    ):
        return AckOutcome(AckResult.WRONG_NOTICE, unit, notice_id)
    if check_only:
        existing = store.acks.get(notice_id, unit.code)
        if existing is not None:
            return AckOutcome(AckResult.ALREADY, unit, notice_id, existing)
        return AckOutcome(AckResult.ACCEPTABLE, unit, notice_id)
    recorded = store.acks.record(notice_id, unit.code, user_id, user_name, via, now, comment)
    return AckOutcome(
        AckResult.RECORDED if recorded.new else AckResult.ALREADY, unit, notice_id, recorded.ack
    )


def acknowledge_pending(
    store: Store,
    *,
    chat_id: int,
    user_id: int,
    user_name: str,
    via: str,
    now: datetime,
    comment: str | None = None,
    held: Holding | None = None,
    check_only: bool = False,
) -> list[AckOutcome]:
    """A bare ``/ack``: every notice the unit has received and not acknowledged, oldest first.

    With none pending it answers for the latest notice (already acknowledged, or none at all).
    """
    allowed = gate(store, chat_id, user_id)
    if isinstance(allowed, AckOutcome):
        return [allowed]
    one = functools.partial(
        acknowledge,
        store,
        chat_id=chat_id,
        user_id=user_id,
        user_name=user_name,
        via=via,
        now=now,
        comment=comment,
        held=held,
        check_only=check_only,
        unit=allowed,
    )
    pending = store.acks.pending_for(allowed.code)
    if held is not None:  # received, its "sent" still in memory, and not acknowledged
        extra = {
            n
            for n in held.received(allowed.code, chat_id)
            if store.acks.get(n, allowed.code) is None
        }
        pending = sorted(set(pending) | extra)
    if not pending:  # answers for the latest notice: already acknowledged, or none at all
        return [one(notice_id=None)]
    return [one(notice_id=notice_id) for notice_id in pending]


@dataclass(frozen=True)
class UndoOutcome:
    result: Undo | AckResult  # an AckResult when the chat or the person may not act at all
    unit: UnitRecord | None = None
    notice_id: int | None = None


def undo(
    store: Store,
    *,
    chat_id: int,
    user_id: int,
    notice_id: int | None,
    now: datetime,
    window: timedelta,
) -> UndoOutcome:
    """Take back the acknowledgement of ``notice_id`` (default: the latest notice)."""
    allowed = gate(store, chat_id, user_id)
    if isinstance(allowed, AckOutcome):
        return UndoOutcome(allowed.result, allowed.unit)
    unit = allowed
    if notice_id is None:
        notice_id = store.outbox.latest_delivered_notice(unit.code)
    if notice_id is None:
        return UndoOutcome(Undo.NOTHING, unit)
    return UndoOutcome(store.acks.undo(notice_id, unit.code, user_id, now, window), unit, notice_id)


# A liaison's typed acknowledgement ("收到" in a work group) counts as /ack. The whole message,
# once trimmed of spaces, punctuation and a thumbs-up, must be one of these phrases, optionally
# preceded by 好的 / 好 and followed by a thanks: "收到，谢谢！" counts, "收到的材料有误…" does not.
ACK_PHRASES = frozenset({"收到", "已收到", "收到了", "收悉", "已收悉", "已阅", "已签收", "签收"})
ACK_PREFIXES = ("好的", "好")
ACK_THANKS = ("谢谢办公室", "谢谢", "感谢", "多谢")
ACK_PHRASE_MAX = 16  # characters, before trimming: anything longer is a message, not an ack
_TRIM = " \t\r\n　,，.。!！~～、;；👍🙏"


def is_ack_phrase(text: str | None) -> bool:
    """Whether a typed message is nothing but a short acknowledgement phrase."""
    if not text or len(text) > ACK_PHRASE_MAX:
        return False
    core = text.strip(_TRIM)
    for prefix in ACK_PREFIXES:
        if core.startswith(prefix) and core[len(prefix) :].strip(_TRIM) in ACK_PHRASES:
            core = core[len(prefix) :].strip(_TRIM)
            break
    for thanks in ACK_THANKS:
        if core.endswith(thanks) and len(core) > len(thanks):
            core = core[: -len(thanks)].strip(_TRIM)
            break
    return core in ACK_PHRASES
