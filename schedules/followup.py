"""Follow-up job: ask the pure policy what is due for every open notice, record it in the ledger.

The dispatcher sends what this records, so a crash between deciding and sending loses nothing,
and a decision recorded once is never taken twice (the ledger's unique step key).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from briefbot.followup import FollowUpPolicy, plan_follow_up
from briefbot.ledger import NoticeKind
from briefbot.offloop import offloop
from briefbot.reminders import (
    LeaderState,
    When,
    escalation_html,
    leader_html,
    reminder_html,
)
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
        names = svc.store.people.names(uid for u in ledger for uid in u.liaisons)
        when = When(now, clock, svc.settings.tz, svc.settings.calendar.enabled)
        leader_states = {
            u.code: LeaderState(
                u.leader is not None,
                u.leader is not None and svc.store.people.has_private_chat(u.leader),
            )
            for u in svc.settings.units
            if u.code in by_code
        }
        svc.store.ledger.record_plan(
            notice_id,
            plan,
            ledger,
            svc.settings.office.chat_id,
            lambda code, step, mention, n=notice, units=by_code, nm=names, w=when: reminder_html(
                n, units[code], step, mention, w, nm
            ),
            lambda codes, n=notice, units=by_code, nm=names, ls=leader_states: escalation_html(
                n, [units[c] for c in codes], nm, ls
            ),
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


NAME_LOOKUPS_PER_RUN = 20  # getChatMember calls per run, for liaisons the bot has not seen act


async def learn_liaison_names(bot: Bot, svc: Services, failed: set[tuple[int, int]]) -> int:
    """Ask Telegram the names of liaisons the bot has never seen act (getChatMember in their
    unit's group), a few per run, so that the last reminder can @mention them by name. A lookup
    that fails (not a member) is not repeated by this process. Returns how many were learnt."""
    missing = [p for p in await offloop(_nameless_liaisons, svc) if p not in failed]
    learnt = 0
    for chat_id, uid in missing[:NAME_LOOKUPS_PER_RUN]:
        try:
            member = await bot.get_chat_member(chat_id, uid)
        except TelegramError as exc:
            failed.add((chat_id, uid))
            log.info("no name for liaison %s in chat %s: %s", uid, chat_id, exc)
            continue
        await offloop(svc.store.people.seen, uid, member.user.full_name, svc.now())
        learnt += 1
    return learnt


def _nameless_liaisons(svc: Services) -> list[tuple[int, int]]:
    """(unit chat, liaison) for every liaison of a bound unit whose name the store lacks."""
    roster = svc.store.ledger.units_now()
    wanted = [
        (unit.chat_id, uid) for unit in roster.values() if unit.chat_id for uid in unit.liaisons
    ]
    if not wanted:
        return []
    known = svc.store.people.names(uid for _, uid in wanted)
    return [p for p in wanted if p[1] not in known]


async def follow_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    job = context.job
    if job is not None and isinstance(job.data, dict):
        open_ids = await offloop(svc.store.ledger.open_notice_ids)
        if open_ids:
            await learn_liaison_names(context.bot, svc, job.data.setdefault("no_name", set()))
    # store reads and writes in a worker thread: a locked database must not stall the bot
    await offloop(follow_up_once, svc)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        follow_up_job,
        interval=settings.follow_up.check_every,
        first=settings.follow_up.check_every,
        name="follow-up",
        data={},  # liaisons whose name lookup failed, see learn_liaison_names
    )
