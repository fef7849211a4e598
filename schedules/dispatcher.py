"""The outbox dispatcher: sends what the ledger says is owed, and records each outcome.

A repeating job. Each run claims due rows (committing "sending" first), sends them with at most
``delivery.concurrency`` requests in flight through PTB's AIORateLimiter, and marks each row:
  sent                       → message id stored; never sent again
  429 RetryAfter             → back to pending, not before now + retry_after
  timeout / network / 5xx    → back to pending with backoff and jitter, failed after retry_for
  403 / chat not found       → unreachable (not retried)
  group migrated             → unit and row moved to the new chat id, resent at once
  can't parse entities       → resent as plain text; logged as a defect
  401 (token refused)        → back to pending; the dispatcher pauses with backoff (an outage)
  anything else              → back to pending with backoff: no row stays "sending"

Store calls run in a thread (``offloop``), reads as well as writes: a store held by another
process for seconds must not freeze the bot. When the store refuses a write, the outcome is held
in memory (``Services.held``: the message id of a send Telegram took, or the row's return to
pending), the dispatcher stops claiming, and the health job writes what is held once writes
succeed.
On shutdown the workers stop claiming at once and only finish the requests in flight.

Pinning a delivered notice is a request of Telegram's ordinary 30/s budget, not of a paid
broadcast's, and most groups refuse it (the bot is no administrator there): awaited after each
send, pins halved a push (2 000 units at 30/s took 137 s, not 67). They wait until nothing is
due, and go out a few per run (``PINS_PER_RUN``), lowest priority of all.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InputFile, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes

from briefbot.backoff import backoff
from briefbot.deadlines import notice_due, notice_footer
from briefbot.holding import HeldSend
from briefbot.offloop import offloop
from briefbot.render import TELEGRAM_TEXT_LIMIT, visible_length
from briefbot.runtime import Services
from briefbot.settings import Settings
from briefbot.store.originals import OriginalFile
from briefbot.store.outbox import OutboxItem
from handlers.context import services
from handlers.keyboards import ack_keyboard, acked_keyboard, office_keyboard

log = logging.getLogger(__name__)
T = TypeVar("T")
_TAG = re.compile(r"<[^>]+>")
CAPTION_LIMIT = 1024
PINS_PER_RUN = 10  # pins sent at the end of a run, once nothing else is due
_UNREACHABLE = (
    "chat not found",
    "bot was kicked",
    "bot is not a member",
    "have no rights",
    "not enough rights",
    "user is deactivated",
    "group chat was deleted",
)


class StoreDown(Exception):
    """The store refused a write on the dispatcher's path (held in memory, see Services.held)."""


class Dispatcher:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lock = asyncio.Lock()
        self._monotonic = monotonic
        self._paused_until = 0.0  # monotonic; set while Telegram refuses the token
        self._refusals = 0
        self._ack_within: dict[int, timedelta] = {}
        self._cannot_pin: set[int] = set()  # chats that refused a pin (until restart)
        self._stopping: Callable[[], bool] = lambda: False  # the current run's
        # delivered, not pinned yet: (chat, notice, message)
        self._to_pin: deque[tuple[int, int, int]] = deque()

    async def _with_footer(self, svc: Services, item: OutboxItem, text: str, limit: int) -> str:
        """A notice (the row carrying the button) ends with its number and its deadline, counted
        from now, as the follow-up policy will count it (see briefbot.deadlines)."""
        if item.kind != "notice":
            return text
        within = self._ack_within.get(item.notice_id)
        if within is None:
            notice = await offloop(svc.store.notices.notice, item.notice_id)
            if notice is None:
                return text
            within = self._ack_within[item.notice_id] = notice.ack_within
        due = notice_due(svc.now(), within, svc.settings.working_time())
        footer = notice_footer(item.notice_id, due, svc.settings.tz)
        combined = f"{text}\n{footer}"
        if visible_length(combined) > limit:
            log.warning("notice %s leaves no room for its number and deadline", item.notice_id)
            return text
        return combined

    async def run(
        self, bot: Bot, svc: Services, stopping: Callable[[], bool] = lambda: False
    ) -> int:
        """Send everything due now. Returns how many rows were handled. Never overlaps itself.

        ``stopping()`` turning true makes every worker stop claiming; requests in flight finish.
        """
        if self._lock.locked() or stopping():
            return 0
        self._stopping = stopping
        if svc.health.store.active or svc.held.sends:
            return 0  # the health job writes what is held first, then sending resumes
        if self._monotonic() < self._paused_until and svc.health.token.active:
            return 0  # paused while the token is refused; any request it succeeds ends that
        async with self._lock:
            concurrency = svc.settings.delivery.concurrency
            try:  # one claim for the first rows, so that sends start in priority order
                first = await _db(svc, svc.store.outbox.claim, svc.now(), concurrency)
            except StoreDown:
                return 0
            # their notices' deadlines read first, together: a worker that had to read its own
            # in a thread could send after a row claimed behind it (a correction before the
            # notice it corrects, in the same group)
            await self._read_deadlines(svc, first)
            workers = [
                self._worker(bot, svc, stopping, first[i] if i < len(first) else None)
                for i in range(concurrency)
            ]
            handled = sum(await asyncio.gather(*workers))
            for _ in range(min(PINS_PER_RUN, len(self._to_pin))):
                if stopping() or self.paused:
                    break
                chat_id, notice_id, message_id = self._to_pin.popleft()
                if chat_id not in self._cannot_pin:
                    await self._pin(bot, chat_id, notice_id, message_id)
            return handled

    async def _read_deadlines(self, svc: Services, items: list[OutboxItem]) -> None:
        wanted = {i.notice_id for i in items if i.kind == "notice"} - self._ack_within.keys()
        if not wanted:
            return
        try:
            notices = await offloop(lambda: [svc.store.notices.notice(n) for n in sorted(wanted)])
        except SQLAlchemyError as exc:
            log.warning("could not read the deadlines of notices %s: %s", sorted(wanted), exc)
            return
        self._ack_within.update({n.id: n.ack_within for n in notices if n is not None})

    @property
    def paused(self) -> bool:
        return self._monotonic() < self._paused_until

    def _pause(self) -> None:
        """The token was refused: wait before the next try, longer each round (cap 60 s).
        The other workers' refusals in the same round do not lengthen the pause."""
        if self.paused:
            return
        self._refusals += 1
        wait = backoff(self._refusals, base=2.0, cap=60.0).total_seconds()
        self._paused_until = self._monotonic() + wait

    async def _worker(
        self, bot: Bot, svc: Services, stopping: Callable[[], bool], item: OutboxItem | None
    ) -> int:
        """Claim one row, send it, record it; repeat while rows are due.

        A worker holds at most one row, so at most ``concurrency`` rows are ever "sending": that
        is the bound on what a crash can send twice. Recording "sent" and claiming the next row
        share one transaction (the hot path at paid-broadcast rates).
        """
        outbox = svc.store.outbox
        handled = 0
        try:
            if item is None:
                item = next(iter(await _db(svc, outbox.claim, svc.now(), 1)), None)
            while item is not None:
                message_id = await self._send_one(bot, svc, item)
                handled += 1
                if message_id is not None:
                    self._refusals = 0
                    if stopping() or self.paused:
                        await self._record_sent(svc, item, message_id)
                        return handled
                    try:
                        item = await _db(
                            svc, outbox.mark_sent_and_claim, item.id, message_id, svc.now()
                        )
                    except StoreDown:
                        svc.held.hold_send(_held(item, message_id, svc))
                        raise
                else:
                    if stopping() or self.paused:
                        return handled
                    item = next(iter(await _db(svc, outbox.claim, svc.now(), 1)), None)
        except StoreDown:
            return handled
        return handled

    async def _record_sent(self, svc: Services, item: OutboxItem, message_id: int) -> None:
        try:
            await _db(svc, svc.store.outbox.mark_sent, item.id, message_id, svc.now())
        except StoreDown:
            svc.held.hold_send(_held(item, message_id, svc))
            raise

    async def _deliver(self, bot: Bot, svc: Services, item: OutboxItem, plain: bool) -> int:
        """One request to Telegram; returns the message id."""
        limit = CAPTION_LIMIT if item.as_original else TELEGRAM_TEXT_LIMIT
        text = await self._with_footer(svc, item, item.text, limit)
        text = html.unescape(_TAG.sub("", text)) if plain else text
        markup = ack_keyboard(item.notice_id, item.has_original) if item.with_button else None
        if item.kind == "escalation":
            markup = office_keyboard(item.notice_id)
        elif item.with_button and item.kind in ("reminder", "nudge"):
            # signed between the decision and the send: the button says so, not "已收到"
            ack = await offloop(svc.store.acks.get, item.notice_id, item.unit_code)
            if ack is not None:
                when = ack.acked_at.astimezone(svc.settings.tz)
                markup = acked_keyboard(item.notice_id, ack.user_name, when, item.has_original)
        paid = svc.settings.telegram.paid_broadcast and item.kind in ("notice", "notice_part")
        if item.kind == "original" or item.as_original:
            original = await offloop(_original_of, svc, item.notice_id)
            if original is None:
                raise LookupError("the notice has no stored original")
            if item.as_original:  # 仅推送原文: the notice itself, its header as the caption
                caption, mode = text, None if plain else ParseMode.HTML
            else:
                notice = await offloop(svc.store.notices.notice, item.notice_id)
                caption, mode = f"《{notice.label if notice else '简报'}》原文", None
            document = await bot.send_document(
                chat_id=item.chat_id,
                document=InputFile(original.data, filename=original.file_name),
                caption=caption,
                parse_mode=mode,
                reply_markup=markup,
                allow_paid_broadcast=paid,
            )
            return document.message_id
        message = await bot.send_message(
            chat_id=item.chat_id,
            text=text,
            parse_mode=None if plain else ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            allow_paid_broadcast=paid,
        )
        return message.message_id

    async def _send_one(
        self, bot: Bot, svc: Services, item: OutboxItem, plain: bool = False
    ) -> int | None:
        """Send one row. Returns the message id when it was sent (the caller records that);
        every other outcome is recorded here, and any failure returns the row to pending."""
        try:
            message_id = await self._deliver(bot, svc, item, plain)
        except InvalidToken:
            self._pause()
            await self._record(svc, item, self._put_back, svc, item, "401 token refused")
        except Exception as exc:  # any failure must return the row
            return await self._failed(bot, svc, item, plain, exc)
        else:
            svc.held.sent(item.chat_id, message_id, item.notice_id, item.kind)  # before the store
            if (
                item.kind == "notice"
                and svc.settings.delivery.pin_notices
                and item.chat_id not in self._cannot_pin
                # a pin is a second request: stopping, the process leaves within the sends in
                # flight (a container's grace period) and the unit has its notice unpinned
                and not self._stopping()
            ):
                self._to_pin.append((item.chat_id, item.notice_id, message_id))
            return message_id
        return None

    async def _failed(
        self, bot: Bot, svc: Services, item: OutboxItem, plain: bool, exc: Exception
    ) -> int | None:
        """Record why a send did not happen (in a thread); hold it if the store refuses."""
        outbox = svc.store.outbox
        if isinstance(exc, RetryAfter):
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._record(
                svc,
                item,
                outbox.retry_later,
                item.id,
                svc.now() + timedelta(seconds=seconds),
                f"429 retry after {seconds:g}s",
            )
        elif isinstance(exc, ChatMigrated):
            log.warning(
                "chat %s migrated to %s; moving unit %s",
                item.chat_id,
                exc.new_chat_id,
                item.unit_code,
            )
            await self._record(svc, item, self._migrate, svc, item, exc.new_chat_id)
        elif isinstance(exc, Forbidden):
            log.warning("unit %s unreachable: %s", item.unit_code, exc.message)
            await self._record(svc, item, outbox.mark_unreachable, item.id, f"403 {exc.message}")
        elif isinstance(exc, BadRequest):
            reason = exc.message.lower()
            if any(marker in reason for marker in _UNREACHABLE):
                log.warning("unit %s unreachable: %s", item.unit_code, exc.message)
                await self._record(
                    svc, item, outbox.mark_unreachable, item.id, f"400 {exc.message}"
                )
            elif "can't parse entities" in reason and not plain:
                log.error(
                    "DEFECT: Telegram rejected our HTML for outbox row %s (%s); sending plain",
                    item.id,
                    exc.message,
                )
                return await self._send_one(bot, svc, item, plain=True)
            else:
                log.error("outbox row %s failed: %s", item.id, exc.message)
                await self._record(svc, item, outbox.mark_failed, item.id, f"400 {exc.message}")
        elif isinstance(exc, NetworkError):  # includes TimedOut and 5xx answers
            await self._record(svc, item, self._transient, svc, item, f"network: {exc.message}")
        elif isinstance(exc, LookupError):
            await self._record(svc, item, outbox.mark_failed, item.id, str(exc))
        else:
            log.exception("outbox row %s: unexpected error; retrying later", item.id)
            await self._record(
                svc, item, self._transient, svc, item, f"unexpected: {type(exc).__name__}"
            )
        return None

    async def _record(
        self, svc: Services, item: OutboxItem, write: Callable[..., object], *args: Any
    ) -> None:
        """An outcome write in a thread; if the store refuses it, hold the row's return."""
        try:
            await _db(svc, write, *args)
        except StoreDown:
            svc.held.hold_send(_held(item, None, svc, "store unavailable"))
            raise

    @staticmethod
    def _put_back(svc: Services, item: OutboxItem, error: str) -> None:
        svc.store.outbox.retry_later(item.id, svc.now(), error)

    @staticmethod
    def _migrate(svc: Services, item: OutboxItem, new_chat_id: int) -> None:
        svc.store.outbox.move_chat(item.chat_id, new_chat_id)
        svc.store.outbox.retry_later(item.id, svc.now(), f"migrated to {new_chat_id}")

    async def _pin(self, bot: Bot, chat_id: int, notice_id: int, message_id: int) -> None:
        """Pin a delivered notice in its group, quietly. Where the bot may not pin (no admin
        right, an ordinary member), nothing is lost: the notice is delivered all the same, and
        that group is not asked again until restart (a pin costs a request of the group's
        budget)."""
        try:
            await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramError as exc:
            if "rights" in str(exc).lower() or isinstance(exc, Forbidden):
                self._cannot_pin.add(chat_id)
            log.info("notice %s not pinned in chat %s: %s", notice_id, chat_id, exc)

    @staticmethod
    def _transient(svc: Services, item: OutboxItem, error: str) -> None:
        now = svc.now()
        started = item.first_try_at or now
        if now - started >= svc.settings.delivery.retry_for:
            svc.store.outbox.mark_failed(
                item.id, f"gave up after {item.attempts} attempts: {error}"
            )
            log.error("outbox row %s failed for good: %s", item.id, error)
            return
        svc.store.outbox.retry_later(item.id, now + backoff(item.attempts), error)


def _original_of(svc: Services, notice_id: int) -> OriginalFile | None:
    """The stored original file of a notice, or None."""
    digest = svc.store.notices.original_hash(notice_id)
    return svc.store.originals.get(digest) if digest else None


def _held(item: OutboxItem, message_id: int | None, svc: Services, error: str = "") -> HeldSend:
    return HeldSend(
        row_id=item.id,
        kind=item.kind,
        notice_id=item.notice_id,
        unit_code=item.unit_code,
        chat_id=item.chat_id,
        message_id=message_id,
        at=svc.now(),
        error=error,
    )


async def _db(svc: Services, call: Callable[..., T], *args: Any) -> T:
    """A store call off the event loop. A refused write becomes StoreDown (and an outage)."""
    try:
        result = await offloop(call, *args)
    except SQLAlchemyError as exc:
        if svc.health.store.fail(svc.now(), _short(exc)):
            log.error("store refuses writes on the dispatcher's path: %s", _short(exc))
        raise StoreDown(str(exc)) from exc
    return result


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0][:200]


async def dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, Dispatcher)
    application = context.application
    await job.data.run(context.bot, services(context), lambda: not application.running)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.job_queue.run_repeating(
        dispatch_job,
        interval=settings.delivery.poll_every,
        first=0,
        name="outbox-dispatcher",
        data=Dispatcher(),
        # the Dispatcher's own lock makes an overlapping run return at once, so allow two
        # instances rather than have APScheduler log "skipped" every second during a long push
        job_kwargs={"max_instances": 2, "coalesce": True},
    )
