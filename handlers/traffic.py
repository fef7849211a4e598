"""No chat can stall the bot or spend its Telegram budget.

- Updates are processed concurrently (``PerChatUpdateProcessor``): a slow or flooded chat does
  not hold up the others; inside one chat, updates keep their order (an /ack then an /undo, a
  file then /publish replying to it).
- A chat that is neither the office nor a unit (anyone can add the bot to a group) gets at most
  one answer per hour, whatever it sends (``gatekeeper``); /start and /help in a private chat are
  always answered, and /subscribe passes (it binds a unit's group by invitation).
- Refusals go through ``refuse``: sent while the chat has reply budget and its group limiter a
  free slot, dropped otherwise: never queued behind Telegram's 20-per-minute group limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from briefbot.offloop import offloop
from briefbot.reply_budget import ChatThrottle, OncePer
from handlers.context import services
from handlers.ratelimit import GroupLruRateLimiter

log = logging.getLogger(__name__)
OUTSIDER_QUIET = 3600.0  # seconds between two answers to a chat that is no unit's
UNIT_CHATS_FOR = 60.0  # seconds the gate's list of the units' chats is used before it is read again
ALWAYS_PASS = ("subscribe",)  # commands an unbound group may send (binding by invitation)
PRIVATE_ALWAYS = ("start", "help")


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat."""

    # An acknowledgement burst (2 000 groups within seconds) keeps thousands of updates in
    # flight: each one's 👍 and button change wait for Telegram's 30 requests/s after its ack is
    # stored. With a few hundred slots the later updates waited for a slot before their ack
    # was even read (p99 of a minute); a waiting update costs a coroutine, nothing more.
    def __init__(self, max_concurrent_updates: int = 4096) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        key = chat.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _throttles(context: ContextTypes.DEFAULT_TYPE) -> tuple[ChatThrottle, OncePer]:
    found = context.bot_data.get("traffic")
    if found is None:
        found = context.bot_data["traffic"] = (ChatThrottle(), OncePer(OUTSIDER_QUIET))
    return found  # type: ignore[no-any-return]


def _command(message: Message | None) -> str | None:
    text = (message.text or "") if message is not None else ""
    if not text.startswith("/"):
        return None
    return text.split()[0][1:].split("@")[0].lower()


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -1: let through what concerns the office and the units; an outsider chat gets its
    one answer an hour and is otherwise ignored."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    if chat.id == svc.settings.office.chat_id:
        return
    message = update.effective_message if update.callback_query is None else None
    command = _command(message)
    if chat.type == "private" and command in PRIVATE_ALWAYS:
        return
    if command in ALWAYS_PASS:
        return
    if update.callback_query is not None:
        return  # answering a button costs no message in the chat; the handlers answer it
    if command is None and (message is None or message.document is None):
        return  # ordinary chatter: no handler answers it
    # the units' chats, read in a thread (never on the loop) at most once a minute, and again
    # for a chat not on the list: an acknowledgement burst from 2 000 groups costs no read here.
    # The gate only spares the bot's budget; the handlers check the unit themselves.
    if await _unit_chat(context, chat.id):
        return
    _, outsiders = _throttles(context)
    if outsiders.allow(chat.id, time.monotonic()):
        return  # the handler's own refusal is this hour's one answer
    raise ApplicationHandlerStop


_UNITS_KEY = "gate_unit_chats"


async def _unit_chat(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    listed: tuple[float, frozenset[int]] | None = context.bot_data.get(_UNITS_KEY)
    now = time.monotonic()
    if listed is not None and listed[0] > now and chat_id in listed[1]:
        return True
    if listed is not None and listed[0] - UNIT_CHATS_FOR > now - 1.0:
        return False  # read under a second ago, and the chat was not on it
    store = services(context).store
    chats = frozenset(
        u.chat_id for u in await offloop(store.notices.active_units) if u.chat_id is not None
    )
    context.bot_data[_UNITS_KEY] = (time.monotonic() + UNIT_CHATS_FOR, chats)
    return chat_id in chats


def would_wait(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """True when a message to this chat would wait for Telegram's limits right now."""
    limiter = getattr(context.bot, "rate_limiter", None)
    if isinstance(limiter, GroupLruRateLimiter):
        return limiter.would_wait(chat_id)
    return False


async def refuse(message: Message, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Reply with a refusal if the chat has budget for it now; drop it otherwise."""
    throttle, _ = _throttles(context)
    if would_wait(context, message.chat_id) or not throttle.allow(
        message.chat_id, time.monotonic()
    ):
        log.info("dropped a refusal to chat %s (reply budget spent)", message.chat_id)
        return False
    await message.reply_text(text)
    return True


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, gatekeeper), group=-1)
