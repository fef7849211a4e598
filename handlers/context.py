"""Typed access to the shared services from a PTB context."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from briefbot.runtime import Services

SERVICES_KEY = "services"
log = logging.getLogger(__name__)


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    found = context.bot_data.get(SERVICES_KEY)
    if not isinstance(found, Services):
        raise RuntimeError("services not initialised: post_init has not run")
    return found


def install(application: Application[Any, Any, Any, Any, Any, Any], value: Services) -> None:
    application.bot_data[SERVICES_KEY] = value


def display_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.full_name or user.username or user.id)


STALE_QUERY = ("query is too old", "query id is invalid")


async def answer(query: Any, text: str | None = None, show_alert: bool = False) -> bool:
    """Answer a button press; False when Telegram no longer takes the answer.

    A press made while the bot was down arrives after restart with its 15-second answer window
    long closed: Telegram refuses the answer ("query is too old"). That is normal, not an error:
    the action itself (the ack, the decision) is still taken and the message still updated, so
    callers go on whatever this returns."""
    from telegram.error import BadRequest

    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        if not any(s in exc.message.lower() for s in STALE_QUERY):
            raise
        log.info("button press %s answered too late (%s): carrying on", query.id, exc.message)
        return False
    return True
