"""落实反馈 reminders: a briefing's deadline for units (请于12月5日前报送…) is chased like an
acknowledgement. On the last working day before the deadline day and on the day itself, each
unit that received the notice and owes its feedback gets one reminder (inside working hours).

Queued through the outbox under (fb_remind, notice, unit, round), so a restart neither repeats
nor drops one. Notices published in the last ``LOOKBACK`` are considered.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from briefbot.feedback_chase import plan_feedback_reminders
from briefbot.offloop import offloop
from briefbot.render import html_message
from briefbot.reports import notice_report
from briefbot.runtime import Services
from briefbot.settings import Settings
from briefbot.store.outbox import queue_row
from briefbot.timefmt import day_text
from handlers.context import services

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=60)


def remind_feedback_once(svc: Services) -> int:
    """Queue the 落实反馈 reminders due at ``svc.now()``. Returns how many were queued."""
    now = svc.now()
    clock = svc.settings.working_time()
    if not clock.is_working(now):
        return 0
    queued = 0
    for notice in svc.store.notices.published_since(now - LOOKBACK):
        due = svc.store.notices.feedback_due(notice.id)
        if due is None:
            continue
        report = notice_report(svc.store, notice, now, clock)
        plan = plan_feedback_reminders(report, due.day, now, clock)
        if not plan:
            continue
        chats = {u.code: u.chat_id for u in svc.store.notices.active_units()}
        when = "今天" if plan[0].step == 2 else day_text(due.day)
        text = html_message(
            "📌 <b>落实反馈提醒</b>：《{title}》要求{when}前报送落实情况（{raw}），"
            "本单位尚未提交。请联络员发送 /feedback {id} 落实情况。",
            title=notice.label,
            when=when,
            raw=due.raw,
            id=notice.id,
        )
        with svc.store.engine.begin() as conn:
            for reminder in plan:
                chat = chats.get(reminder.unit_code)
                if chat is None:
                    continue
                if queue_row(
                    conn,
                    kind="fb_remind",
                    notice_id=notice.id,
                    unit_code=reminder.unit_code,
                    step=reminder.step,
                    chat_id=chat,
                    text=text,
                    priority=12,
                    now=now,
                ):
                    queued += 1
    if queued:
        log.info("queued %d feedback reminders", queued)
    return queued


async def feedback_reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await offloop(remind_feedback_once, services(context))


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        feedback_reminder_job,
        interval=settings.follow_up.check_every,
        first=settings.follow_up.check_every,
        name="feedback-reminders",
    )
