"""The one error handler: log with context (token redacted), tell the office briefly.

Alerts are grouped: the first error of a kind goes to the office at once, the rest of the next
``ALERT_WINDOW`` are counted and reported in one line when the window closes (or with the next
alert of that kind). Outsiders can make handlers fail; they must not be able to flood the office.

A Telegram outage (a 502, a timeout, a refused connection) is not a bug: it is logged as one
warning line, without a traceback, and not sent to the office (it could not be delivered anyway).
A store failure (locked, disk full) is an outage, not a per-message event: it is recorded in
``Health`` (the health check fails, and the health job tells the office once per outage); so is a
refused token while a token outage is known.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from briefbot.durations import format_duration
from briefbot.logs import one_line
from briefbot.render import html_message
from briefbot.throttle import AlertGrouper
from handlers.context import services

log = logging.getLogger(__name__)

ALERT_WINDOW = timedelta(minutes=10)
_GROUPER_KEY = "error_alerts"


def is_outage(error: object) -> bool:
    """A network-level failure talking to Telegram (BadRequest is a NetworkError subclass in PTB,
    but it is our request that was wrong, so it is no outage)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _grouper(context: ContextTypes.DEFAULT_TYPE) -> AlertGrouper:
    found = context.application.bot_data.get(_GROUPER_KEY)
    if not isinstance(found, AlertGrouper):
        found = AlertGrouper(ALERT_WINDOW)
        context.application.bot_data[_GROUPER_KEY] = found
    return found


def error_kind(error: object) -> str:
    return type(error).__name__


def alert_text(kind: str, held_back: int) -> str:
    window = format_duration(ALERT_WINDOW)
    return html_message(
        "⚠️ 机器人处理一条消息时出错（{kind}），已记录日志，请联系运维人员。{earlier}"
        "同类错误 {window}内只提醒一次。",
        kind=kind,
        earlier=f"此前 {window}内另有 {held_back} 次相同错误。" if held_back else "",
        window=window,
    )


def summary_text(kind: str, count: int) -> str:
    return html_message(
        "⚠️ 过去 {window}内又发生 {count} 次相同错误（{kind}），已记录日志。",
        window=format_duration(ALERT_WINDOW),
        count=count,
        kind=kind,
    )


async def _flush(context: ContextTypes.DEFAULT_TYPE) -> None:
    """When a window closes: one line with the count of alerts held back in it."""
    svc = services(context)
    for kind, count in _grouper(context).due(svc.now()):
        try:
            await context.bot.send_message(svc.settings.office.chat_id, summary_text(kind, count))
        except TelegramError as exc:
            log.warning("could not tell the office about %d more %s errors: %s", count, kind, exc)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    where = ""
    if isinstance(update, Update) and update.effective_chat is not None:
        where = f" in chat {update.effective_chat.id}"
    if isinstance(error, OperationalError):
        try:
            svc = services(context)
        except RuntimeError:
            svc = None
        if svc is not None:
            reason = str(error.orig or error).splitlines()[0][:200]
            if svc.health.store.fail(svc.now(), reason):
                log.error("store refuses writes%s: %s", where, reason)
            else:
                log.warning("store still refuses writes%s: %s", where, reason)
            return
    if isinstance(error, InvalidToken):
        try:
            outage = services(context).health.token.active
        except RuntimeError:
            outage = False
        if outage:  # known, reported by the health check, retried: one line, no alert
            log.warning("token refused (outage in progress)%s", where)
            return
    if is_outage(error):
        log.warning("Telegram request failed%s: %s: %s", where, type(error).__name__, one_line(error))
        return
    log.error("unhandled error%s: %r", where, error, exc_info=error)
    if not isinstance(update, Update):
        return  # a job's error: logged; jobs retry on their next run
    try:
        svc = services(context)
        kind = error_kind(error)
        held_back = _grouper(context).note(kind, svc.now())
        if held_back is None:
            log.info("office alert for %s held back (one per %s)", kind, ALERT_WINDOW)
            return
        await context.bot.send_message(svc.settings.office.chat_id, alert_text(kind, held_back))
        if context.job_queue is not None:
            context.job_queue.run_once(
                _flush, when=ALERT_WINDOW + timedelta(seconds=1), name=f"error-alerts:{kind}"
            )
    except (TelegramError, RuntimeError):
        log.warning("could not tell the office about the error")


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_error_handler(on_error)
