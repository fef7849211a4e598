"""/ack in a unit group (bare or as a reply to the notice), a typed "收到" from a liaison, and the
"已收到" button.

Confirmation does not flood the group: a new ack gets a 👍 reaction on the command (or a toast for
the button) and the notice's button changes to show who acknowledged. Only refusals get a reply,
and only while the group has reply budget (handlers.traffic.refuse).

The store is called in a thread (``offloop``), never on the event loop: one thread for the ack
(the rules, the write, the liaison's name) and one for what its buttons need. An ack the store
cannot take now (locked, disk full) is held in memory (bounded, ``Services.held``) and written by
the health job once writes work again; the liaison is told "已收到，正在登记" at once. So is a
liaison whose ack takes longer than ``ANSWER_WITHIN``: a button press is answered before any slow
work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Message, ReactionTypeEmoji, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from briefbot.acking import (
    AckOutcome,
    AckResult,
    acknowledge,
    acknowledge_pending,
    is_ack_phrase,
    undo,
)
from briefbot.durations import format_duration
from briefbot.holding import HeldAck
from briefbot.ids import ID_HINT, looks_like_id, parse_id
from briefbot.labels import notice_label
from briefbot.offloop import offloop
from briefbot.render import Html, html_join, html_message, plain_text
from briefbot.runtime import Services
from briefbot.store.acks import Undo
from briefbot.timefmt import moment_text
from handlers.context import answer, display_name, services
from handlers.keyboards import ACK_PATTERN, ORIGINAL_PATTERN, ack_keyboard, acked_keyboard
from handlers.traffic import refuse

log = logging.getLogger(__name__)
ANSWER_WITHIN = 1.0  # seconds: a liaison hears back at least this fast
BEING_RECORDED = "已收到，正在登记，请稍候。"
HOLD_FULL = "签收暂时无法登记，请稍后再试。"


def refusal(outcome: AckOutcome, services_: Services) -> Html | None:
    """Chinese HTML for an outcome that needs telling (names escaped); None for a fresh ack.
    A button's toast is plain text: pass it through ``plain_text``."""
    unit = outcome.unit.name if outcome.unit else ""
    match outcome.result:
        case AckResult.RECORDED:
            return None
        case AckResult.ALREADY:
            assert outcome.ack is not None
            when = outcome.ack.acked_at.astimezone(services_.settings.tz)
            return html_message(
                "{unit}已于 {when} 由 {who} 签收，无需重复签收。",
                unit=unit,
                when=moment_text(when, services_.settings.tz),
                who=outcome.ack.user_name or "联络员",
            )
        case AckResult.NOT_A_UNIT:
            return html_message("本群尚未登记为任何单位的工作群，无法签收。如有疑问请联系办公室。")
        case AckResult.NOT_LIAISON:
            return html_message(
                "抱歉，您不是{unit}登记的联络员，无法代为签收。如需变更联络员，请联系办公室。",
                unit=unit,
            )
        case AckResult.NO_NOTICE:
            return html_message("{unit}目前没有需要签收的简报。", unit=unit)
        case AckResult.WRONG_NOTICE:
            return html_message("该通知不是发给本单位的，或已失效，无法签收。")
    return None


def undo_refusal(result: AckResult, unit: Any) -> Html:
    """Why /undo cannot undo, in words about undoing (not about signing)."""
    name = unit.name if unit is not None else ""
    match result:
        case AckResult.NOT_A_UNIT:
            return html_message("本群尚未登记为任何单位的工作群，没有可以撤销的签收。")
        case AckResult.NOT_LIAISON:
            return html_message(
                "抱歉，您不是{unit}登记的联络员，无法撤销签收。如有误签请联系办公室。", unit=name
            )
        case AckResult.WRONG_NOTICE:
            return html_message("该通知不是发给本单位的，或已失效，无法撤销签收。")
    return html_message("没有可以撤销的签收。")


async def _set_buttons(
    bot: Bot,
    svc: Services,
    notice_id: int,
    unit_code: str,
    chat_id: int | None,
    markup_of: Callable[[bool], Any],
) -> None:
    """Put ``markup_of(the notice offers its original)`` on the notice as delivered to a unit
    and on every reminder it got (best effort: the ack itself is already stored, or held)."""
    try:
        has_original, where, reminders = await offloop(_delivered_places, svc, notice_id, unit_code)
    except SQLAlchemyError as exc:
        log.warning("could not read where notice %s was delivered: %s", notice_id, exc)
        return
    markup = markup_of(has_original)
    if where is None:
        where = svc.held.message_of(notice_id, unit_code, chat_id)
    places = [where] if where is not None else []
    for chat_id, message_id in [*places, *reminders]:
        try:
            await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramError as exc:
            log.warning("could not update the ack button of notice %s: %s", notice_id, exc)


def _delivered_places(
    svc: Services, notice_id: int, unit_code: str
) -> tuple[bool, tuple[int, int] | None, list[tuple[int, int]]]:
    """(whether the notice offers its original, its message in the unit's group or None, its
    reminders' messages): one thread for what the buttons need."""
    outbox = svc.store.outbox
    return (
        svc.store.notices.offers_original(notice_id),
        outbox.delivered_message(notice_id, unit_code),
        list(outbox.reminder_messages(notice_id, unit_code)),
    )


async def _mark_notice_button(bot: Bot, svc: Services, outcome: AckOutcome) -> None:
    """Show on the notice, and on its reminders, who acknowledged and when."""
    assert outcome.unit is not None and outcome.notice_id is not None and outcome.ack is not None
    notice_id, signer = outcome.notice_id, outcome.ack.user_name
    when = outcome.ack.acked_at.astimezone(svc.settings.tz)
    await _set_buttons(
        bot,
        svc,
        notice_id,
        outcome.unit.code,
        outcome.unit.chat_id,
        lambda has_original: acked_keyboard(notice_id, signer, when, has_original),
    )


def record_ack(
    svc: Services, held: HeldAck, check_only: bool = False, remember: bool = False
) -> list[AckOutcome]:
    """Run the ack rules for one held ack (blocking: call in a thread). ``remember``: also store
    the signer's Telegram name when they are a liaison of the unit (``remember_liaison`` leaves
    acknowledgements to this, so that an ack costs one thread and one unit lookup)."""
    outcomes = _apply_ack(svc, held, check_only)
    if remember and not check_only and _liaison_of(outcomes, held.user_id):
        svc.store.people.seen(held.user_id, held.user_name, held.at)
    return outcomes


def _liaison_of(outcomes: list[AckOutcome], user_id: int) -> bool:
    return any(o.unit is not None and user_id in o.unit.liaisons for o in outcomes)


def _apply_ack(svc: Services, held: HeldAck, check_only: bool) -> list[AckOutcome]:
    common = {
        "check_only": check_only,
        "chat_id": held.chat_id,
        "user_id": held.user_id,
        "user_name": held.user_name,
        "via": held.via,
        "now": held.at,
        "comment": held.comment,
        "held": svc.held,
    }
    if held.notice_id is None:
        return acknowledge_pending(svc.store, **common)  # type: ignore[arg-type]
    return [acknowledge(svc.store, notice_id=held.notice_id, **common)]  # type: ignore[arg-type]


async def ack_or_hold(
    svc: Services,
    held: HeldAck,
    tell: Callable[[str], Awaitable[object]],
    names: dict[int, str] | None = None,
) -> list[AckOutcome] | None:
    """Record an ack in a thread; None when it was held for later instead. ``names``: the
    liaison names this process has stored (``remember_liaison``): a new one is stored too.

    ``tell`` gets "being recorded" when the store takes longer than ANSWER_WITHIN or refuses
    the write (then the ack is held), or "cannot record" when the holding is full.
    """
    if svc.health.store.active:  # a known outage: decide on reads, hold without writing
        try:
            checked = await offloop(record_ack, svc, held, True)
        except SQLAlchemyError:
            return await _hold(svc, held, tell, told=False)
        if not any(o.result is AckResult.ACCEPTABLE for o in checked):
            return checked  # a refusal, or already acknowledged: answered as usual
        return await _hold(svc, held, tell, told=False)
    remember = names is not None and names.get(held.user_id) != held.user_name
    task = asyncio.ensure_future(offloop(record_ack, svc, held, False, remember))
    done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
    told = not done
    if told:
        await tell(BEING_RECORDED)
    try:
        outcomes = await task
    except SQLAlchemyError as exc:
        reason = f"{type(getattr(exc, 'orig', None) or exc).__name__}: {getattr(exc, 'orig', exc)}"
        if svc.health.store.fail(svc.now(), reason.splitlines()[0]):
            log.error("store refuses writes (ack held in memory): %s", reason)
        return await _hold(svc, held, tell, told)
    if remember and names is not None and _liaison_of(outcomes, held.user_id):
        names[held.user_id] = held.user_name
    return outcomes


async def _hold(
    svc: Services, held: HeldAck, tell: Callable[[str], Awaitable[object]], told: bool
) -> None:
    if svc.held.hold_ack(held):
        log.warning(
            "ack from %s in chat %s held until the store accepts it", held.user_id, held.chat_id
        )
        if not told:
            await tell(BEING_RECORDED)
    else:
        log.error("ack from %s in chat %s refused: holding is full", held.user_id, held.chat_id)
        await tell(HOLD_FULL)
    return None


async def flush_held_acks(bot: Bot, svc: Services) -> int:
    """Write held acks in order until the store refuses one. Returns how many were written;
    raises SQLAlchemyError when the store still refuses."""
    written = 0
    while svc.held.acks:
        held = svc.held.acks[0]
        outcomes = await offloop(record_ack, svc, held)
        svc.held.acks.popleft()
        written += 1
        for outcome in outcomes:
            if outcome.result is AckResult.RECORDED:
                log.info(
                    "held ack written: notice %s unit %s by %s via %s",
                    outcome.notice_id,
                    outcome.unit.code if outcome.unit else "?",
                    held.user_id,
                    held.via,
                )
                await _mark_notice_button(bot, svc, outcome)
        if held.message_id is not None and any(o.result is AckResult.RECORDED for o in outcomes):
            try:  # the 👍 the liaison would have had at once
                await bot.set_message_reaction(
                    held.chat_id, held.message_id, ReactionTypeEmoji("👍")
                )
            except TelegramError as exc:
                log.warning("could not confirm a held ack: %s", exc)
    return written


class BadId(Exception):
    """An argument meant as a notice id that is none (``/ack ²``, ``/ack 99999999999999999999``)."""


async def _target(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: Message
) -> tuple[int | None, str, str | None]:
    """(notice id or None for "pending ones", via, comment) from ``/ack [ID] [备注…]`` or a reply.

    Raises ``BadId`` for a first argument written as a number that is no valid id."""
    args = list(context.args or [])
    notice_id = None
    via = "command"
    replied = message.reply_to_message
    if (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    ):
        svc = services(context)
        notice_id = await offloop(
            svc.store.outbox.notice_for_message, chat_id, replied.message_id
        ) or svc.held.notice_for_message(chat_id, replied.message_id)
        via = "reply"
    elif args and looks_like_id(args[0]):
        notice_id = parse_id(args.pop(0))
        if notice_id is None:
            raise BadId
    comment = " ".join(args).strip()[:500] or None
    return notice_id, via, comment


async def ack_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ack (the unit's pending notices), /ack ID, /ack 备注…, or /ack as a reply to a notice."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None:
        return
    svc = services(context)
    try:
        notice_id, via, comment = await _target(context, chat.id, message)
    except BadId:
        await refuse(message, context, f"{ID_HINT}用法：/ack 或 /ack 编号 或 /ack 备注。")
        return
    held = HeldAck(
        chat.id, user.id, display_name(user), notice_id, via, svc.now(), comment, message.message_id
    )
    outcomes = await ack_or_hold(svc, held, message.reply_text, _names(context))
    if outcomes is None:
        return
    await _confirm(context, message, outcomes, user.id, via, quiet=False)


async def _confirm(
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    outcomes: list[AckOutcome],
    user_id: int,
    via: str,
    quiet: bool,
) -> None:
    """Tell the group what became of an ack: a 👍 on the message, the buttons changed to the
    signer and time, and a reply naming the notices when several were signed at once.
    ``quiet``: say nothing about a refusal (a typed 收到 that was no ack)."""
    svc = services(context)
    recorded = [o for o in outcomes if o.result is AckResult.RECORDED]
    if not recorded:
        if not quiet:
            text = refusal(outcomes[0], svc)
            await refuse(message, context, text or "已签收。")
        return
    for outcome in recorded:
        log.info(
            "ack: notice %s unit %s by %s via %s",
            outcome.notice_id,
            outcome.unit.code if outcome.unit else "?",
            user_id,
            via,
        )
        await _mark_notice_button(context.bot, svc, outcome)
    try:
        await message.set_reaction(ReactionTypeEmoji("👍"))
        reacted = True
    except TelegramError:
        reacted = False
    if len(recorded) > 1:
        labels = await offloop(_labels, svc, [o.notice_id for o in recorded if o.notice_id])
        await message.reply_text(
            html_message("已签收以下 {n} 份通知：{labels}", n=len(recorded), labels=labels)
        )
    elif not reacted:
        await message.reply_text("已签收，谢谢！")


async def typed_ack(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A liaison's "收到" (see ``ACK_PHRASES``) in a unit group: /ack for the notice it replies
    to, else for the unit's pending notices. Anything else typed in a group is left alone, and a
    phrase that is no ack (not a liaison, nothing pending) gets no answer, unless it replies to
    the bot's notice: then the sender clearly meant to sign and is told why it did not count."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not is_ack_phrase(message.text):
        return
    svc = services(context)
    replied = message.reply_to_message
    replied_id = (
        replied.message_id
        if replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
        else None
    )
    unit, notice_id = await offloop(_typed_target, svc, chat.id, replied_id)
    if unit is None:
        return
    if replied_id is not None and notice_id is None:
        notice_id = svc.held.notice_for_message(chat.id, replied_id)
    if notice_id is None and not unit.liaisons:
        # a unit without registered liaisons lets anyone sign: a casual 收到 in its group about
        # something else must not, so there only a reply to the notice counts
        return
    held = HeldAck(
        chat.id,
        user.id,
        display_name(user),
        notice_id,
        "typed",
        svc.now(),
        None,
        message.message_id,
    )
    outcomes = await ack_or_hold(svc, held, message.reply_text, _names(context))
    if outcomes is None:
        return
    await _confirm(context, message, outcomes, user.id, "typed", quiet=notice_id is None)


def _typed_target(svc: Services, chat_id: int, replied_id: int | None) -> tuple[Any, int | None]:
    """(the chat's unit or None, the notice a reply answers or None) for a typed 收到."""
    unit = svc.store.notices.unit_by_chat(chat_id)
    if unit is None or replied_id is None:
        return unit, None
    return unit, svc.store.outbox.notice_for_message(chat_id, replied_id)


def _label(svc: Services, notice_id: int) -> Html:
    notice = svc.store.notices.notice(notice_id)
    if notice is None:
        return html_message("#{id}", id=notice_id)
    return notice_label(svc.store, notice)  # says which is the original, which the correction


def _labels(svc: Services, notice_ids: list[int]) -> Html:
    return html_join("、", (_label(svc, i) for i in notice_ids))


async def undo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/undo (or as a reply to a notice): take back one's own acknowledgement, shortly after."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None:
        return
    svc = services(context)
    try:
        notice_id, _via, _comment = await _target(context, chat.id, message)
    except BadId:
        await message.reply_text(f"{ID_HINT}用法：/undo 或 /undo 编号。")
        return
    window = svc.settings.follow_up.undo_within
    outcome = await offloop(
        undo,
        svc.store,
        chat_id=chat.id,
        user_id=user.id,
        notice_id=notice_id,
        now=svc.now(),
        window=window,
    )
    if isinstance(outcome.result, AckResult):
        await refuse(message, context, undo_refusal(outcome.result, outcome.unit))
        return
    texts = {
        Undo.NOTHING: "没有可以撤销的签收。",
        Undo.NOT_YOURS: "只有签收人本人可以撤销签收。",
        Undo.TOO_LATE: html_message(
            "签收已超过 {window}，不能撤销；如有误请联系办公室。", window=format_duration(window)
        ),
    }
    if outcome.result is not Undo.UNDONE:
        await refuse(message, context, texts[outcome.result])
        return
    assert outcome.notice_id is not None and outcome.unit is not None
    log.info("ack undone: notice %s unit %s by %s", outcome.notice_id, outcome.unit.code, user.id)
    notice_id = outcome.notice_id
    await _set_buttons(
        context.bot,
        svc,
        notice_id,
        outcome.unit.code,
        outcome.unit.chat_id,
        lambda has_original: ack_keyboard(notice_id, has_original),
    )
    label = await offloop(_label, svc, outcome.notice_id)
    await message.reply_text(html_message("已撤销对{label}的签收，请确认后重新签收。", label=label))


async def ack_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    match = ACK_PATTERN.match(query.data or "")
    assert match is not None  # the handler's pattern guarantees it
    svc = services(context)
    answered = False

    async def tell(text: str) -> None:
        nonlocal answered
        answered = True
        await answer(query, text)  # "query is too old" after downtime is normal

    held = HeldAck(
        query.message.chat.id,
        query.from_user.id,
        display_name(query.from_user),
        int(match.group(1)),
        "button",
        svc.now(),
    )
    outcomes = await ack_or_hold(svc, held, tell, _names(context))
    if outcomes is None:
        return
    outcome = outcomes[0]
    text = refusal(outcome, svc)
    if text is not None:
        if not answered:
            await answer(
                query, plain_text(text), show_alert=outcome.result is not AckResult.ALREADY
            )
        return
    log.info(
        "ack: notice %s unit %s by %s via button",
        outcome.notice_id,
        outcome.unit.code if outcome.unit else "?",
        query.from_user.id,
    )
    if not answered:
        await answer(query, "已签收，谢谢！")
    await _mark_notice_button(context.bot, svc, outcome)


async def original_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "原文": queue the original file for this unit's group, once per notice."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    match = ORIGINAL_PATTERN.match(query.data or "")
    assert match is not None
    notice_id = int(match.group(1))
    svc = services(context)
    queued = await offloop(_request_original, svc, query.message.chat.id, notice_id)
    if queued is None:
        await answer(query, "该通知不是发给本单位的，或没有原文。", show_alert=True)
    elif queued:
        await answer(query, "原文马上发送到本群。")
    else:
        await answer(query, "原文已发送到本群，请向上翻看。")


def _request_original(svc: Services, chat_id: int, notice_id: int) -> bool | None:
    """Queue the original file of a notice for the unit of this chat: True when queued now,
    False when it was already, None when this chat's unit did not get the notice or it has no
    original."""
    store = svc.store
    unit = store.notices.unit_by_chat(chat_id)
    if (
        unit is None
        or store.outbox.delivered_message(notice_id, unit.code) is None
        or store.notices.original_hash(notice_id) is None
    ):
        return None
    return store.outbox.request_original(notice_id, unit.code, chat_id, svc.now())


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any callback payload we never issued (forged, or from an old version)."""
    query = update.callback_query
    if query is None:
        return
    log.warning(
        "refused unknown callback payload %r from %s", (query.data or "")[:64], query.from_user.id
    )
    await answer(query, "无效的操作，请使用最新通知上的按钮。", show_alert=True)


async def remember_liaison(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep a liaison's Telegram name whenever they act in their unit's group, so the last
    reminder can @mention them by name (before their first ack too)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type not in ("group", "supergroup"):
        return
    svc = services(context)
    name = display_name(user)
    known = _names(context)
    if known.get(user.id) == name:
        return  # a chatty group costs no writes: only a new or changed name is stored
    if _signs(update):
        return  # the acknowledgement stores the name, in its own thread (record_ack)
    if await offloop(_remember, svc, chat.id, user.id, name):
        known[user.id] = name


def _names(context: ContextTypes.DEFAULT_TYPE) -> dict[int, str]:
    """Liaisons' names this process has stored, by user id."""
    found: dict[int, str] = context.bot_data.setdefault(_NAMES_KEY, {})
    return found


def _signs(update: Update) -> bool:
    """An update the acknowledgement handlers take: /ack, the 已收到 button, a typed 收到."""
    if update.callback_query is not None:
        return ACK_PATTERN.match(update.callback_query.data or "") is not None
    text = update.effective_message.text if update.effective_message else None
    if not text:
        return False
    word = text.split(maxsplit=1)[0]
    return word == "/ack" or word.startswith("/ack@") or is_ack_phrase(text)


def _remember(svc: Services, chat_id: int, user_id: int, name: str) -> bool:
    """Store a liaison's name if ``user_id`` is a liaison of this chat's unit."""
    unit = svc.store.notices.unit_by_chat(chat_id)
    if unit is None or user_id not in unit.liaisons:
        return False
    svc.store.people.seen(user_id, name, svc.now())
    return True


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, remember_liaison), group=REMEMBER_GROUP)
    app.add_handler(CommandHandler("ack", ack_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("undo", undo_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(ack_button, pattern=ACK_PATTERN))
    app.add_handler(CallbackQueryHandler(original_button, pattern=ORIGINAL_PATTERN))
    # its own handler group: the office's edit-reply handler (group 0) claims every text reply
    # in a group, and a "收到" replying to a notice must still be seen here
    app.add_handler(
        MessageHandler(filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, typed_ack),
        group=TYPED_ACK_GROUP,
    )


TYPED_ACK_GROUP = 2  # group 1 is the 退回 reason replies (feedback); one handler runs per group
REMEMBER_GROUP = -2  # before the flood gate (-1), never stopping anything
_NAMES_KEY = "liaison_names_stored"


def register_fallbacks(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CallbackQueryHandler(unknown_button))
