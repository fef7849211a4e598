"""Typed access to the shared services from a PTB context."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext

from briefbot.runtime import Services

SERVICES_KEY = "services"


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
