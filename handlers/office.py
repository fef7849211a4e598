"""Office commands, for admins in the office chat: /status [ID] and /publish (reply to a file)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from briefbot.briefing import UnreadableDocument
from briefbot.publishing import prepare, publish
from briefbot.render import MessageTooLong, esc
from briefbot.reports import build_report, format_status_html
from handlers.context import services

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # getFile's limit for bots
OfficeHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
REFUSAL = "抱歉，此命令仅限办公室管理员在办公室群中使用。"


def _is_office_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    settings = services(context).settings
    chat, user = update.effective_chat, update.effective_user
    return (
        chat is not None
        and user is not None
        and chat.id == settings.office.chat_id
        and user.id in settings.office.admins
    )


def office_only(handler: OfficeHandler) -> OfficeHandler:
    """Run ``handler`` for office admins in the office chat; refuse everyone else politely."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is None:
            return
        if not _is_office_admin(update, context):
            await update.effective_message.reply_text(REFUSAL)
            return
        await handler(update, context)

    return guarded


@office_only
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    args = context.args or []
    if args and not args[0].isdigit():
        await message.reply_text("用法：/status [通知编号]，例如 /status 3")
        return
    notice_id = int(args[0]) if args else svc.store.notices.latest_id()
    notice = svc.store.notices.notice(notice_id) if notice_id is not None else None
    if notice is None:
        text = "还没有发布过任何通知。" if not args else f"找不到编号为 {esc(args[0])} 的通知。"
        await message.reply_text(text)
        return
    report = build_report(
        notice, svc.store.ledger.for_notice(notice.id), svc.now(), svc.settings.tz
    )
    await message.reply_text(format_status_html(report))


@office_only
async def publish_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    source = message.reply_to_message
    document = source.document if source is not None else None
    if document is None:
        await message.reply_text("请先上传简报文件（.txt），再回复该文件消息发送 /publish。")
        return
    if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
        await message.reply_text("文件超过 20MB，无法处理。")
        return
    svc = services(context)
    try:
        telegram_file = await document.get_file()
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("download of %s failed: %s", document.file_name, exc)
        await message.reply_text("文件下载失败，请稍后重试。")
        return
    try:
        prepared = prepare(data, document.file_name or "upload.txt")
    except (UnreadableDocument, MessageTooLong) as exc:
        await message.reply_text(f"无法发布：{esc(str(exc))}")
        return
    result = publish(svc.store, prepared, svc.settings.follow_up.ack_within, svc.now())
    title = esc(prepared.briefing.title)
    if not result.created:
        await message.reply_text(
            f"该简报已发布过（通知 #{result.notice_id}《{title}》），不会重复推送。"
            f"可用 /status {result.notice_id} 查看签收情况。"
        )
        return
    log.info(
        "published notice %s (%s) to %s units", result.notice_id, prepared.source, result.queued
    )
    await message.reply_text(
        f"✅ 已发布通知 #{result.notice_id}《{title}》，正在推送至 {result.queued} 个单位。"
        f"可用 /status {result.notice_id} 查看签收情况。"
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("publish", publish_command))
