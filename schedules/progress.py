"""Push progress in the office chat: one message per notice, edited in place while the push
runs, then turned into the final summary (with unreachable units and why, in one message), which
stays a live ack board for a week: edited when the acknowledgement counts change, no more often
than ``delivery.progress_every``.

Everything shown is read from the ledger, so a restart simply carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from briefbot.push_report import ack_board, final_html, progress_html
from briefbot.reports import build_report
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.context import services
from handlers.keyboards import office_keyboard

log = logging.getLogger(__name__)


BOARD_DAYS = 7


async def report_progress(bot: Bot, svc: Services, seen: dict[int, Hashable] | None = None) -> None:
    """Send or edit each notice's progress message.

    ``seen`` (kept by the job between runs) holds a cheap fingerprint per finished push, so the
    week-long board is rebuilt from the ledger only when deliveries or acks change, or once a
    minute for units becoming overdue, not every few seconds for every notice.
    """
    repo = svc.store.progress
    office = svc.settings.office.chat_id
    pace = svc.settings.telegram.overall_rate * (1 - svc.settings.telegram.rate_margin)
    since = svc.now() - timedelta(days=BOARD_DAYS)
    for notice_id in [*repo.active_notices(), *repo.board_notices(since)]:
        notice = svc.store.notices.notice(notice_id)
        if notice is None:
            continue
        now = svc.now()
        repo.start(notice_id, office, now)
        progress = repo.get(notice_id)
        assert progress is not None
        counts = repo.counts(notice_id)
        finished = counts.remaining == 0
        if finished and seen is not None and progress.last_text is not None:
            fingerprint = (
                counts,
                svc.store.acks.summary(notice_id),
                now.replace(second=0, microsecond=0),
            )
            if seen.get(notice_id) == fingerprint:
                continue
            seen[notice_id] = fingerprint
        if finished:
            ledger = svc.store.ledger.for_notice(notice_id)
            report = build_report(notice, ledger, now, svc.settings.working_time())
            text = final_html(notice, counts, ledger, now) + "\n\n" + ack_board(report)
        else:
            text = progress_html(notice, counts, now, svc.settings.tz, pace)
        if text == progress.last_text:
            continue
        # the finished push is the live board: the office's buttons go under it
        markup = office_keyboard(notice_id, pin=True) if finished else None
        try:
            if progress.message_id is None:
                message = await bot.send_message(office, text, reply_markup=markup)
                message_id = message.message_id
            else:
                await bot.edit_message_text(
                    text, chat_id=office, message_id=progress.message_id, reply_markup=markup
                )
                message_id = progress.message_id
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("progress message for notice %s: %s", notice_id, exc.message)
            continue
        except TelegramError as exc:
            log.warning("progress message for notice %s: %s", notice_id, exc)
            continue
        repo.shown(notice_id, message_id, text, finished_at=now if finished else None)


async def progress_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, dict)
    await report_progress(context.bot, services(context), job.data)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        progress_job,
        interval=settings.delivery.progress_every,
        first=settings.delivery.progress_every,
        name="push-progress",
        data={},  # fingerprints of finished pushes, see report_progress
    )
