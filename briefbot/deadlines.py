"""When acknowledgement is due, in the words units read: ``12月7日（周一）09:10``, the notice's
``编号 #N`` line, and the working time left or overdue. Pure: every moment is passed in."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from briefbot.render import Html, html_message
from briefbot.workcal import WorkingTime

WEEKDAYS = "一二三四五六日"


def format_due(moment: datetime, tz: tzinfo) -> str:
    """``12月7日（周一）09:10`` in the office's time zone."""
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware datetime")
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def format_working(delta: timedelta) -> str:
    """Working time as hours and minutes (``9小时20分钟``): a working "day" has no fixed length,
    so days are not used."""
    minutes = max(0, int(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}小时{minutes}分钟"
    if hours:
        return f"{hours}小时"
    return f"{minutes}分钟" if minutes else "不到1分钟"


def notice_due(sent_at: datetime, ack_within: timedelta, clock: WorkingTime) -> datetime:
    """The follow-up policy's due time for a unit that received the notice at ``sent_at``."""
    return clock.add(sent_at, ack_within)


def notice_footer(notice_id: int, due: datetime, tz: tzinfo) -> Html:
    """The line under every notice: its number (for /ack 编号, /feedback 编号) and the deadline."""
    return html_message(
        "<b>编号 #{id}</b> · 请于{due}前签收", id=notice_id, due=format_due(due, tz)
    )


def time_left(due: datetime, now: datetime, clock: WorkingTime, working: bool = True) -> Html:
    """``距签收时限还剩 2小时（工作时间）`` or ``已逾期 1小时30分钟（工作时间）``; ``working``
    False (the calendar switched off: every hour counts) drops the qualifier."""
    unit = "（工作时间）" if working else ""
    if now < due:
        return html_message(
            "距签收时限还剩 {left}{unit}", left=format_working(clock.between(now, due)), unit=unit
        )
    return html_message(
        "已逾期 {late}{unit}", late=format_working(clock.between(due, now)), unit=unit
    )
