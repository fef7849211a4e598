"""The office chat, for its admins: /status [ID], /publish (reply to a file), uploading a file for
a preview, and the preview's 发布 / 取消 buttons. Everyone else is refused politely."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Document, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from briefbot.briefing import UnreadableDocument
from briefbot.ledger import NoticeInfo
from briefbot.publishing import Novelty, Parsed, parse_file, publish, publish_file
from briefbot.render import MessageTooLong, esc
from briefbot.reports import format_status_html, notice_report
from briefbot.runtime import Services
from handlers.context import display_name, services
from handlers.keyboards import DRAFT_PATTERN, decided_keyboard
from handlers.previews import offer
from handlers.traffic import refuse

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
            if update.callback_query is not None:
                await update.callback_query.answer(REFUSAL, show_alert=True)
            else:
                await refuse(update.effective_message, context, REFUSAL)
            return
        await handler(update, context)

    return guarded


async def chosen_notice(
    message: Message, svc: Services, args: list[str], usage: str
) -> NoticeInfo | None:
    """The notice an office command names (``3`` or ``#3``), else the latest; None after telling
    the office why (``usage`` for an argument that is not a number)."""
    if args and not args[0].lstrip("#").isdigit():
        await message.reply_text(usage)
        return None
    notice_id = int(args[0].lstrip("#")) if args else svc.store.notices.latest_id()
    notice = svc.store.notices.notice(notice_id) if notice_id is not None else None
    if notice is None:
        await message.reply_text(
            "还没有发布过任何通知。" if not args else f"找不到编号为 {esc(args[0])} 的通知。"
        )
    return notice


@office_only
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    notice = await chosen_notice(
        message, svc, list(context.args or []), "用法：/status [通知编号]，例如 /status 3"
    )
    if notice is None:
        return
    report = notice_report(svc.store, notice, svc.now(), svc.settings.working_time())
    due = svc.store.notices.feedback_due(notice.id)
    feedback = f"{due.day.month}月{due.day.day}日（{due.raw}）" if due else None
    await message.reply_text(format_status_html(report, feedback=feedback))


async def _download(message: Message, document: Document) -> Parsed | None:
    """Fetch and parse an uploaded file; tell the office in Chinese what went wrong, if anything."""
    if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
        await message.reply_text("文件超过 20MB，无法处理。")
        return None
    try:
        telegram_file = await document.get_file()
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("download of %s failed: %s", document.file_name, exc)
        await message.reply_text("文件下载失败，请稍后重试。")
        return None
    try:
        return parse_file(data, document.file_name or "upload")
    except UnreadableDocument as exc:
        await message.reply_text(
            f"无法读取《{esc(document.file_name or '文件')}》：{esc(str(exc))}"
        )
        return None


@office_only
async def publish_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/publish as a reply to a file: publish at once (no preview)."""
    message = update.effective_message
    assert message is not None
    source = message.reply_to_message
    document = source.document if source is not None else None
    if document is None:
        await message.reply_text("请先上传简报文件，再回复该文件消息发送 /publish。")
        return
    parsed = await _download(message, document)
    if parsed is None:
        return
    svc = services(context)
    name = document.file_name or "upload"
    try:
        taken = publish_file(
            svc.store,
            parsed,
            f"办公室上传：{name}",
            svc.settings.follow_up.ack_within,
            svc.now(),
            svc.settings.follow_up.directive.ack_within,
        )
    except MessageTooLong as exc:
        await message.reply_text(f"无法发布：{esc(str(exc))}")
        return
    title = esc(parsed.briefing.title)
    earlier = taken.classified.notice_id
    if taken.published is None:
        await message.reply_text(
            f"该简报已发布过（通知 #{earlier}《{title}》），不会重复推送。"
            f"可用 /status {earlier} 查看签收情况。"
        )
        return
    result = taken.published
    log.info("published notice %s (%s) to %s units", result.notice_id, name, result.queued)
    correction = (
        f"（更正通知 #{earlier}）" if taken.classified.novelty is Novelty.CORRECTION else ""
    )
    await message.reply_text(
        f"✅ 已发布通知 #{result.notice_id}《{title}》{correction}，"
        f"正在推送至 {result.queued} 个单位。可用 /status {result.notice_id} 查看签收情况。"
    )


async def uploaded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file in the office chat from an admin: preview it for 发布 / 取消. Others' files are
    ordinary chat and are left alone."""
    message = update.effective_message
    if message is None or message.document is None or not _is_office_admin(update, context):
        return
    parsed = await _download(message, message.document)
    if parsed is None:
        return
    try:
        await offer(
            context.bot,
            services(context),
            parsed,
            f"办公室上传：{message.document.file_name or '文件'}",
            reply_to=message,
        )
    except MessageTooLong as exc:
        await message.reply_text(f"无法生成预览：{esc(str(exc))}")


@office_only
async def draft_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = DRAFT_PATTERN.match(query.data or "")
    assert match is not None
    action, draft_id = match.group(1), int(match.group(2))
    svc = services(context)
    draft = svc.store.drafts.get(draft_id)
    if draft is None:
        await query.answer("找不到这份预览。", show_alert=True)
        return
    if action == "done" or draft.state != "open":
        await query.answer("这份预览已经处理过了。")
        return
    who = display_name(query.from_user)
    if action == "cxl":
        if svc.store.drafts.decide(draft_id, "cancelled", query.from_user.id):
            await query.answer("已取消，不会推送。")
            await query.edit_message_reply_markup(decided_keyboard(draft_id, f"✖️ 已取消 · {who}"))
        return
    if svc.store.notices.by_hash(draft.notice.content_hash) is not None:
        svc.store.drafts.decide(draft_id, "cancelled", query.from_user.id)
        await query.answer("相同内容已经发布过，不会重复推送。", show_alert=True)
        return
    result = publish(svc.store, draft.notice, svc.now())
    if not svc.store.drafts.decide(draft_id, "published", query.from_user.id, result.notice_id):
        await query.answer("这份预览已经处理过了。")
        return
    log.info(
        "draft %s published as notice %s by %s", draft_id, result.notice_id, query.from_user.id
    )
    await query.answer(f"已发布，正在推送至 {result.queued} 个单位。")
    await query.edit_message_reply_markup(
        decided_keyboard(draft_id, f"✅ 已发布 · 通知 #{result.notice_id} · {who}")
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("publish", publish_command))
    app.add_handler(CallbackQueryHandler(draft_button, pattern=DRAFT_PATTERN))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.GROUPS, uploaded))
