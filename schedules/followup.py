"""Follow-up job: ask the pure policy what is due for every open notice, record it in the ledger.

The dispatcher sends what this records, so a crash between deciding and sending loses nothing,
and a decision recorded once is never taken twice (the ledger's unique step key).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from briefbot.followup import FollowUpPolicy, plan_follow_up
from briefbot.ledger import NoticeKind
from briefbot.reminders import escalation_html, leader_html, reminder_html
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.context import services

log = logging.getLogger(__name__)


def follow_up_once(svc: Services) -> int:
    """One pass over open notices at ``svc.now()``. Returns the number of steps recorded."""
    settings = svc.settings.follow_up
    now = svc.now()
    clock = svc.settings.working_time()
    if not clock.is_working(now):
        return 0  # nothing goes out outside working hours; the ledger waits
    steps = 0
    open_ids = svc.store.ledger.open_notice_ids()
    ledgers = svc.store.ledger.for_notices(open_ids)  # the unit roster is read once
    for notice_id in open_ids:
        notice = svc.store.notices.notice(notice_id)
        if notice is None:
            continue
        stricter = settings.directive if notice.kind is NoticeKind.DIRECTIVE else None
        policy = FollowUpPolicy(
            ack_within=notice.ack_within,
            remind_every=(stricter and stricter.remind_every) or settings.remind_every,
            max_reminders=(
                stricter.max_reminders
                if stricter is not None and stricter.max_reminders is not None
                else settings.max_reminders
            ),
            escalate=settings.escalate,
        )
        ledger = ledgers[notice_id]
        plan = plan_follow_up(ledger, policy, now, clock)
        if plan.empty:
            continue
        by_code = {u.unit_code: u for u in ledger}
        svc.store.ledger.record_plan(
            notice_id,
            plan,
            ledger,
            svc.settings.office.chat_id,
            lambda code, step, mention, n=notice, units=by_code: reminder_html(
                n, units[code], step, mention
            ),
            lambda codes, n=notice, units=by_code: escalation_html(n, [units[c] for c in codes]),
            now,
            {
                u.code: (u.leader, leader_html(notice, by_code[u.code]))
                for u in svc.settings.units
                if u.leader is not None and u.code in by_code
            },
        )
        steps += len(plan.reminders) + (1 if plan.escalate else 0)
        log.info(
            "notice %s: %d reminders, %d units escalated",
            notice_id,
            len(plan.reminders),
            len(plan.escalate),
        )
    return steps


async def follow_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    # store reads and writes in a worker thread: a locked database must not stall the bot
    await asyncio.to_thread(follow_up_once, services(context))


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        follow_up_job,
        interval=settings.follow_up.check_every,
        first=settings.follow_up.check_every,
        name="follow-up",
    )
