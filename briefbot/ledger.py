"""What the ledger says about one notice, as plain values the policies and reports work on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from briefbot.workcal import WorkingTime


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


class NoticeKind(StrEnum):
    DIRECTIVE = "directive"
    ROUTINE = "routine"


@dataclass(frozen=True)
class Ack:
    user_id: int
    user_name: str
    via: str
    acked_at: datetime
    comment: str | None = None


@dataclass(frozen=True)
class NoticeInfo:
    id: int
    title: str
    issue: str | None
    kind: NoticeKind
    published_at: datetime
    ack_within: timedelta

    @property
    def label(self) -> str:
        return f"{self.title}{(' ' + self.issue) if self.issue else ''}"


@dataclass(frozen=True)
class UnitLedger:
    """One unit's line for one notice."""

    unit_code: str
    unit_name: str
    group: str
    chat_id: int
    liaisons: tuple[int, ...]
    delivery: DeliveryState
    sent_at: datetime | None
    last_error: str | None
    ack: Ack | None
    reminders: tuple[datetime, ...]
    escalated_at: datetime | None

    def due_at(self, ack_within: timedelta, clock: WorkingTime) -> datetime | None:
        """Acknowledgement is due ``ack_within`` of working time after the unit received it."""
        return None if self.sent_at is None else clock.add(self.sent_at, ack_within)
