"""Daily digest to the office on working days: open notices and the units late on each.

Queued through the outbox under a key made of the date, so a restart on the same day neither
drops nor repeats it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.ext import Application, ContextTypes

from briefbot.render import html_join, html_message
from briefbot.reports import AckStatus, build_report
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.context import services

log = logging.getLogger(__name__)


def digest_html(svc: Services, now: datetime) -> str | None:
    clock = svc.settings.working_time()
    blocks = []
    for notice_id in svc.store.ledger.open_notice_ids(include_escalated=True):
        notice = svc.store.notices.notice(notice_id)
        if notice is None:
            continue
        report = build_report(notice, svc.store.ledger.for_notice(notice_id), now, clock)
        counts = report.counts
        acked = counts[AckStatus.ON_TIME] + counts[AckStatus.LATE]
        overdue = [r.unit_name for r in report.rows if r.status is AckStatus.OVERDUE]
        due = svc.store.notices.feedback_due(notice_id)
        blocks.append(
            html_message(
                "• #{id}《{title}》已签收 {acked}/{total}{due}{overdue}",
                id=notice.id,
                title=notice.label,
                acked=acked,
                total=len(report.rows),
                due=f"，反馈截止 {due.day.month}月{due.day.day}日" if due is not None else "",
                overdue=html_message(
                    "，逾期 {n}：{names}{more}",
                    n=len(overdue),
                    names=html_join("、", overdue[:30]),
                    more=f" 等 {len(overdue)} 个单位" if len(overdue) > 30 else "",
                )
                if overdue
                else "",
            )
        )
    if not blocks:
        return None
    return html_message(
        "🗓 <b>每日签收情况</b>（{day}）\n{blocks}",
        day=f"{now.astimezone(svc.settings.tz):%m月%d日}",
        blocks=html_join("\n", blocks),
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
    if queue_digest(svc, svc.now()):
        log.info("daily digest queued")


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    at = settings.follow_up.digest_at
    if at is not None:
        app.job_queue.run_daily(
            digest_job, time=at.replace(tzinfo=settings.tz), name="daily-digest"
        )
