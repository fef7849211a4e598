"""落实反馈 deadlines, chased like acknowledgements: pure functions of (report, deadline, now).

A briefing's deadline for units (请于12月5日前报送…) names a day; the feedback is due by the end
of that day in the office's time zone. Units that received the notice and have not submitted (or
whose feedback was returned) are *waiting*; after the deadline they are *overdue*. Before it,
each waiting unit is reminded once on the last working day before the deadline day and once on
the day itself, inside working hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from briefbot.reports import AckStatus, Report
from briefbot.timefmt import day_text
from briefbot.workcal import WorkingTime

WAITING = ("未提交", "已退回")
_RECEIVED = (AckStatus.ON_TIME, AckStatus.LATE, AckStatus.PENDING, AckStatus.OVERDUE)


def deadline_of(day: date, clock: WorkingTime) -> datetime:
    """The end of the deadline day (the start of the next) in the office's time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), clock.tz)


def waiting(report: Report) -> list[str]:
    """Codes of the units that received the notice and owe their 落实反馈."""
    return [r.unit_code for r in report.rows if r.status in _RECEIVED and r.feedback in WAITING]


def overdue_names(report: Report, day: date, now: datetime, clock: WorkingTime) -> list[str]:
    if now < deadline_of(day, clock):
        return []
    codes = set(waiting(report))
    return [r.unit_name for r in report.rows if r.unit_code in codes]


def due_words(day: date, now: datetime, clock: WorkingTime) -> str:
    """``12月5日`` while open, ``12月5日（已逾期）`` once passed."""
    passed = now >= deadline_of(day, clock)
    return f"{day_text(day)}（已逾期）" if passed else day_text(day)


@dataclass(frozen=True)
class FeedbackReminder:
    unit_code: str
    step: int  # 1: the working day before the deadline day; 2: the deadline day


def reminder_step(day: date, now: datetime, clock: WorkingTime) -> int | None:
    """Which reminder round is due at ``now`` for a deadline on ``day`` (None: none now)."""
    if not clock.is_working(now):
        return None
    today = now.astimezone(clock.tz).date()
    if today == day:
        return 2
    if today > day:
        return None
    following = today + timedelta(days=1)
    while following < day and not clock.calendar.is_workday(following):
        following += timedelta(days=1)
    return 1 if following >= day else None


def plan_feedback_reminders(
    report: Report, day: date, now: datetime, clock: WorkingTime
) -> list[FeedbackReminder]:
    step = reminder_step(day, now, clock)
    if step is None:
        return []
    return [FeedbackReminder(code, step) for code in waiting(report)]
