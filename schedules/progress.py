"""Push progress in the office chat: one message per notice, edited in place while the push
runs, then turned into the final summary (with unreachable units and why, in one message), which
stays a live ack board for a week: edited when the acknowledgement counts change, no more often
than ``delivery.progress_every``.

Everything shown is read from the ledger, so a restart simply carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from briefbot.offloop import offloop
from briefbot.push_report import ack_board, final_html, progress_html
from briefbot.reports import build_report
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.context import services
from handlers.keyboards import office_keyboard

log = logging.getLogger(__name__)


BOARD_DAYS = 7


@dataclass(frozen=True)
class _Due:
    notice_id: int
    message_id: int | None
    text: str
    finished: bool
    now: datetime


def _due_messages(svc: Services, seen: dict[int, Hashable] | None) -> list[_Due]:
    """What each notice's progress message should say now (store reads: run in a thread)."""
    repo = svc.store.progress
    office = svc.settings.office.chat_id
    pace = svc.settings.telegram.overall_rate * (1 - svc.settings.telegram.rate_margin)
    since = svc.now() - timedelta(days=BOARD_DAYS)
    due: list[_Due] = []
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
            newer = svc.store.notices.superseded([notice_id]).get(notice_id)
            older = svc.store.notices.correction_of(notice_id)
            if newer is not None:  # the board of an original says it was superseded
                text += f"\n⚠️ 本通知已被更正通知 #{newer} 取代，请以更正后的通知为准。"
            elif older is not None:
                text += f"\n🔁 本通知是 #{older} 的更正版。"
        else:
            text = progress_html(notice, counts, now, svc.settings.tz, pace)
        if text != progress.last_text:
            due.append(_Due(notice_id, progress.message_id, text, finished, now))
    return due


async def report_progress(bot: Bot, svc: Services, seen: dict[int, Hashable] | None = None) -> None:
    """Send or edit each notice's progress message.

    ``seen`` (kept by the job between runs) holds a cheap fingerprint per finished push, so the
    week-long board is rebuilt from the ledger only when deliveries or acks change, or once a
    minute for units becoming overdue, not every few seconds for every notice. The store is read
    and written in a worker thread: a locked database must not stall the bot.
    """
    office = svc.settings.office.chat_id
    for due in await offloop(_due_messages, svc, seen):
        try:
            # the finished push is the live board: the office's buttons go under it
            markup = office_keyboard(due.notice_id, pin=True) if due.finished else None
            if due.message_id is None:
                message = await bot.send_message(office, due.text, reply_markup=markup)
                message_id = message.message_id
            else:
                await bot.edit_message_text(
                    due.text, chat_id=office, message_id=due.message_id, reply_markup=markup
                )
                message_id = due.message_id
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("progress message for notice %s: %s", due.notice_id, exc.message)
            continue
        except TelegramError as exc:
            log.warning("progress message for notice %s: %s", due.notice_id, exc)
            continue
        await offloop(
            svc.store.progress.shown,
            due.notice_id,
            message_id,
            due.text,
            finished_at=due.now if due.finished else None,
        )


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
