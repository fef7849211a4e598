"""The office's buttons under the live board and the escalation message: 提醒未签收, 导出签收单,
详情, and 置顶看板 (pin the board). Office admins only, like the commands they stand for."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from briefbot.offloop import offloop
from handlers.context import answer, services
from handlers.keyboards import OFFICE_PATTERN
from handlers.office import office_only, show_status
from handlers.office_views import remind_units, send_export

log = logging.getLogger(__name__)

NO_PIN_RIGHT = "机器人没有置顶权限：请在办公室群把机器人设为管理员，并允许其置顶消息。"


@office_only
async def office_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = OFFICE_PATTERN.match(query.data or "")
    assert match is not None  # the handler's pattern guarantees it
    action, notice_id = match.group(1), int(match.group(2))
    svc = services(context)
    notice = await offloop(svc.store.notices.notice, notice_id)
    message = query.message
    if notice is None or not isinstance(message, Message):
        await answer(query, "找不到该通知，或消息已过期。", show_alert=True)
        return
    if action == "pin":
        try:
            await context.bot.pin_chat_message(
                message.chat.id, message.message_id, disable_notification=True
            )
        except TelegramError as exc:
            log.info("could not pin the board of notice %s: %s", notice_id, exc)
            await answer(query, NO_PIN_RIGHT, show_alert=True)
            return
        await answer(query, "已置顶本看板。")
        return
    await answer(
        query, {"remind": "正在提醒…", "export": "正在导出…", "status": "详情如下"}[action]
    )
    if action == "remind":
        await remind_units(message, svc, notice)
    elif action == "export":
        await send_export(message, svc, notice)
    else:
        await show_status(message, svc, notice)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CallbackQueryHandler(office_button, pattern=OFFICE_PATTERN))
