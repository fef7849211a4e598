"""Daily digest to the office on working days: open notices and the units late on each.

Queued through the outbox under a key made of the date, so a restart on the same day neither
drops nor repeats it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.ext import Application, ContextTypes

from briefbot.feedback_chase import due_words, overdue_names
from briefbot.labels import notice_label
from briefbot.offloop import offloop
from briefbot.render import html_join, html_message
from briefbot.reports import AckStatus, ack_fraction, notice_report
from briefbot.runtime import Services
from briefbot.settings import Settings
from briefbot.timefmt import day_text
from handlers.context import services

log = logging.getLogger(__name__)


def digest_html(svc: Services, now: datetime) -> str | None:
    """Open notices, each with the same denominator as the live board (units that received it),
    the units late to acknowledge, and its 落实反馈 deadline: open, or passed with the units that
    have not reported."""
    clock = svc.settings.working_time()
    blocks = []
    for notice_id in svc.store.ledger.open_notice_ids(include_escalated=True):
        notice = svc.store.notices.notice(notice_id)
        if notice is None:
            continue
        report = notice_report(svc.store, notice, now, clock)
        acked, received = ack_fraction(report)
        unreachable = report.counts[AckStatus.UNREACHABLE]
        overdue = [r.unit_name for r in report.rows if r.status is AckStatus.OVERDUE]
        due = svc.store.notices.feedback_due(notice_id)
        late_feedback = overdue_names(report, due.day, now, clock) if due is not None else []
        blocks.append(
            html_message(
                "• {label}已签收 {acked}/{received}{unreachable}{due}{overdue}{late}",
                label=notice_label(svc.store, notice),
                acked=acked,
                received=received,
                unreachable=f"（另有 {unreachable} 个单位无法送达）" if unreachable else "",
                due=f"，反馈截止 {due_words(due.day, now, clock)}" if due is not None else "",
                overdue=_names("，逾期未签收 {n}：{names}{more}", overdue),
                late=_names("，反馈逾期 {n}：{names}{more}", late_feedback),
            )
        )
    if not blocks:
        return None
    return html_message(
        "🗓 <b>每日签收情况</b>（{day}）\n{blocks}",
        day=day_text(now.astimezone(svc.settings.tz).date()),
        blocks=html_join("\n", blocks),
    )


def _names(template: str, names: list[str]) -> str:
    if not names:
        return ""
    return html_message(
        template,
        n=len(names),
        names=html_join("、", names[:30]),
        more=f" 等 {len(names)} 个单位" if len(names) > 30 else "",
    )


def queue_digest(svc: Services, now: datetime) -> bool:
    """Queue today's digest if today is a working day and it is not queued yet."""
    if not svc.settings.working_time().calendar.is_workday(now.astimezone(svc.settings.tz).date()):
        return False
    text = digest_html(svc, now)
    latest = svc.store.notices.latest_id()
    if text is None or latest is None:
        return False
    day_key = int(now.astimezone(svc.settings.tz).strftime("%Y%m%d"))
    return svc.store.outbox.queue_once(
        kind="digest",
        notice_id=latest,
        step=day_key,
        chat_id=svc.settings.office.chat_id,
        text=text[:4000],
        now=now,
    )


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if await offloop(queue_digest, svc, svc.now()):
        log.info("daily digest queued")


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    at = settings.follow_up.digest_at
    if at is not None:
        app.job_queue.run_daily(
            digest_job, time=at.replace(tzinfo=settings.tz), name="daily-digest"
        )
