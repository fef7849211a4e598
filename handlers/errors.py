"""The one error handler: log with context (token redacted), tell the office briefly.

A store failure (locked, disk full) is an outage, not a per-message event: it is recorded in
``Health`` (the health check fails, and the health job tells the office once per outage)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes

from handlers.context import services

log = logging.getLogger(__name__)


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
    log.error("unhandled error%s: %r", where, error, exc_info=error)
    if not isinstance(update, Update):
        return  # a job's error: logged; jobs retry on their next run
    try:
        await context.bot.send_message(
            services(context).settings.office.chat_id,
            f"⚠️ 机器人处理一条消息时出错（{type(error).__name__}），已记录日志，请联系运维人员。",
        )
    except (TelegramError, RuntimeError):
        log.warning("could not tell the office about the error")


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_error_handler(on_error)
