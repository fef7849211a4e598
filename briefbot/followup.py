"""Follow-up policy: given the ledger of one notice, the policy and ``now``, what happens next.

Pure: no clock, no I/O. The schedule job reads the ledger, asks ``plan_follow_up`` and records the
answer in the ledger (which the dispatcher then sends), so a restart neither skips nor repeats a step.

Steps for a unit that received the notice and has not acknowledged, all in working time (the
calendar's working days and hours; every hour when the calendar is off):
  due = received + ack_within
  reminder 1 at due, reminder k+1 at least ``remind_every`` after reminder k, up to ``max_reminders``
  (the last reminder @mentions the unit's liaison officers), then, ``remind_every`` after the last
  reminder (or at due when there are no reminders), escalation to the office in one batched list.
Nothing is sent outside working hours: a step that falls due then waits for the next opening.
Units that never received the notice (unreachable, failed, still queued) are not chased here:
they are reported as such, because a unit that never got the notice did not fail to acknowledge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from briefbot.ledger import DeliveryState, UnitLedger
from briefbot.workcal import WorkingTime


@dataclass(frozen=True)
class FollowUpPolicy:
    ack_within: timedelta
    remind_every: timedelta
    max_reminders: int
    escalate: bool = True


@dataclass(frozen=True)
class Reminder:
    unit_code: str
    step: int  # 1-based
    mention: bool  # @mention the liaison officers


@dataclass(frozen=True)
class FollowUpPlan:
    reminders: tuple[Reminder, ...]
    escalate: tuple[str, ...]  # unit codes for one batched office message

    @property
    def empty(self) -> bool:
        return not self.reminders and not self.escalate


def is_late(unit: UnitLedger, policy: FollowUpPolicy, now: datetime, clock: WorkingTime) -> bool:
    due = unit.due_at(policy.ack_within, clock)
    return (
        unit.delivery is DeliveryState.SENT and unit.ack is None and due is not None and now >= due
    )


def plan_follow_up(
    ledger: Sequence[UnitLedger], policy: FollowUpPolicy, now: datetime, clock: WorkingTime
) -> FollowUpPlan:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    reminders: list[Reminder] = []
    escalate: list[str] = []
    if not clock.is_working(now):
        return FollowUpPlan((), ())
    for unit in ledger:
        if not is_late(unit, policy, now, clock) or unit.escalated_at is not None:
            continue
        sent = len(unit.reminders)
        last = unit.reminders[-1] if unit.reminders else None
        spaced = last is None or clock.between(last, now) >= policy.remind_every
        if sent < policy.max_reminders:
            if spaced:
                step = sent + 1
                mention = step == policy.max_reminders and bool(unit.liaisons)
                reminders.append(Reminder(unit.unit_code, step, mention))
        elif policy.escalate and spaced:
            escalate.append(unit.unit_code)
    return FollowUpPlan(tuple(reminders), tuple(escalate))
