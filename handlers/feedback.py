"""落实反馈: a liaison sends ``/feedback [编号] 内容`` (or replies to the notice with it); the office
sees it with 采纳 / 退回 buttons; a returned feedback can be submitted again."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from briefbot.acking import AckOutcome, AckResult, gate
from briefbot.ids import ID_HINT, looks_like_id, parse_id
from briefbot.ledger import NoticeInfo
from briefbot.offloop import offloop
from briefbot.render import html_message
from briefbot.runtime import Services
from briefbot.store.feedbacks import Feedback
from handlers.context import answer, display_name, services
from handlers.office import is_office_admin, office_only

log = logging.getLogger(__name__)
FEEDBACK_PATTERN = re.compile(r"^fb:(ok|ret):([0-9]{1,12})$")
USAGE = "用法：/feedback 落实情况（也可写 /feedback 通知编号 落实情况，或回复通知发送）。"


def _review_keyboard(feedback_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ 采纳", callback_data=f"fb:ok:{feedback_id}"),
                InlineKeyboardButton("↩️ 退回", callback_data=f"fb:ret:{feedback_id}"),
            ]
        ]
    )


async def feedback_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc = services(context)
    unit = await offloop(gate, svc.store, chat.id, user.id)
    if isinstance(unit, AckOutcome):
        await message.reply_text(
            "本群尚未登记为任何单位的工作群，无法提交反馈。"
            if unit.result is AckResult.NOT_A_UNIT
            else html_message(
                "抱歉，只有{unit}的联络员可以提交落实反馈。",
                unit=unit.unit.name if unit.unit else "",
            )
        )
        return
    args = list(context.args or [])
    notice_id = None
    replied = message.reply_to_message
    if (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    ):
        notice_id = await offloop(svc.store.outbox.notice_for_message, chat.id, replied.message_id)
    elif args and looks_like_id(args[0]):
        notice_id = parse_id(args.pop(0))
        if notice_id is None:
            await message.reply_text(ID_HINT + USAGE)
            return
    text = " ".join(args).strip()
    if not text:
        await message.reply_text(USAGE)
        return
    submitted = await offloop(
        _submit, svc, unit.code, notice_id, text[:3000], user.id, display_name(user)
    )
    if submitted is None:
        await message.reply_text("没有找到发给本单位的这份通知。")
        return
    notice_id, saved, notice = submitted
    label = html_message("#{id}《{title}》", id=notice_id, title=notice.label if notice else "")
    if saved is None:
        await message.reply_text(
            html_message("本单位对{label}的落实反馈已被采纳，无需再次提交。", label=label)
        )
        return
    log.info("feedback %s from unit %s on notice %s", saved.id, unit.code, notice_id)
    await message.reply_text(
        html_message("已提交对{label}的落实反馈，等待办公室审阅。", label=label)
    )
    await context.bot.send_message(
        svc.settings.office.chat_id,
        html_message(
            "📝 <b>落实反馈</b>：{unit} 对{label}（{who}）\n{text}",
            unit=unit.name,
            label=label,
            who=saved.submitted_name,
            text=saved.text,
        ),
        reply_markup=_review_keyboard(saved.id),
    )


def _submit(
    svc: Services, unit_code: str, notice_id: int | None, text: str, user_id: int, name: str
) -> tuple[int, Feedback | None, NoticeInfo | None] | None:
    """Store a unit's feedback on a notice it received (its latest when ``notice_id`` is None):
    (notice id, the saved feedback or None when already accepted, the notice), or None when the
    unit did not receive that notice."""
    store = svc.store
    if notice_id is None:
        notice_id = store.outbox.latest_delivered_notice(unit_code)
    if notice_id is None or store.outbox.delivered_message(notice_id, unit_code) is None:
        return None
    saved = store.feedbacks.submit(notice_id, unit_code, text, user_id, name, svc.now())
    return notice_id, saved, store.notices.notice(notice_id)


@office_only
async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = FEEDBACK_PATTERN.match(query.data or "")
    assert match is not None
    accept, feedback_id = match.group(1) == "ok", int(match.group(2))
    svc = services(context)
    reviewed = await offloop(
        svc.store.feedbacks.review, feedback_id, accept, query.from_user.id, svc.now()
    )
    if reviewed is None:
        await answer(query, "这条反馈已经审阅过，或已被重新提交。")
        return
    who = display_name(query.from_user)
    verdict = "✅ 已采纳" if accept else "↩️ 已退回"
    await answer(query, f"{verdict}。")
    await query.edit_message_reply_markup(
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(f"{verdict} · {who}", callback_data=f"fb:ok:{feedback_id}")]]
        )
    )
    notice = await offloop(svc.store.notices.notice, reviewed.notice_id)
    title = notice.label if notice else ""
    text = html_message(
        "✅ 办公室已采纳本单位对《{title}》的落实反馈。"
        if accept
        else "↩️ 办公室退回了本单位对《{title}》的落实反馈，请补充完善后重新提交："
        "/feedback {id} 内容",
        title=title,
        id=reviewed.notice_id,
    )
    await _tell_unit(context, reviewed.unit_code, text)
    if accept or not isinstance(query.message, Message):
        return
    unit_name = await offloop(_unit_name, svc, reviewed.unit_code)
    prompt = await query.message.reply_text(
        html_message(
            "请回复本消息，写明退回{unit}对《{title}》落实反馈的理由，将转告该单位。",
            unit=unit_name,
            title=title,
        ),
        reply_markup=ForceReply(input_field_placeholder="退回理由"),  # to everyone: the office
    )
    await offloop(svc.store.feedbacks.ask_reason, reviewed.id, prompt.message_id)


def _unit_name(svc: Services, code: str) -> str:
    return next((u.name for u in svc.store.notices.active_units() if u.code == code), code)


def _unit_chat(svc: Services, code: str) -> int | None:
    return next((u.chat_id for u in svc.store.notices.active_units() if u.code == code), None)


async def _tell_unit(context: ContextTypes.DEFAULT_TYPE, unit_code: str, text: str) -> None:
    svc = services(context)
    chat = await offloop(_unit_chat, svc, unit_code)
    if chat is None:
        return
    try:
        await context.bot.send_message(chat, text)
    except TelegramError as exc:
        log.warning("could not tell unit %s about its feedback review: %s", unit_code, exc)


async def reason_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An office admin's reply to a reason prompt: the reason goes to the unit."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or not message.text:
        return
    svc = services(context)
    if not is_office_admin(update, context):
        return
    given = await offloop(
        svc.store.feedbacks.give_reason, message.reply_to_message.message_id, message.text[:1000]
    )
    if given is None:
        return
    notice = await offloop(svc.store.notices.notice, given.notice_id)
    await _tell_unit(
        context,
        given.unit_code,
        html_message(
            "↩️ 办公室退回《{title}》落实反馈的理由：{reason}\n请据此补充完善后重新提交："
            "/feedback {id} 内容",
            title=notice.label if notice else "",
            reason=given.return_reason or "",
            id=given.notice_id,
        ),
    )
    unit_name = await offloop(_unit_name, svc, given.unit_code)
    await message.reply_text(html_message("已将退回理由转告{unit}。", unit=unit_name))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("feedback", feedback_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(review_button, pattern=FEEDBACK_PATTERN))
    # group 1: runs besides the group-0 handlers of office replies (corrections' 编辑 prompt),
    # and does nothing unless the message replies to one of its reason prompts
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & filters.REPLY & filters.TEXT & ~filters.COMMAND,
            reason_reply,
        ),
        group=1,
    )
