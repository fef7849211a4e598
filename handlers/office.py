"""The office chat, for its admins: /status [ID], /publish (reply to a file), uploading a file for
a preview, and the preview's 发布 / 取消 / 仅推送原文 buttons (编辑 is in corrections.py). Everyone
else is refused politely."""

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
from briefbot.corrections import publish_draft
from briefbot.documents import parse_document
from briefbot.feedback_chase import due_words, overdue_names
from briefbot.ids import ID_HINT, looks_like_id, parse_id
from briefbot.ledger import NoticeInfo
from briefbot.offloop import offloop
from briefbot.publishing import Novelty, Parsed, publish_file
from briefbot.render import MessageTooLong, html_message
from briefbot.reports import format_status_html, notice_report
from briefbot.runtime import Services
from handlers.context import answer, display_name, services
from handlers.keyboards import DRAFT_PATTERN, decided_keyboard
from handlers.previews import offer
from handlers.traffic import refuse

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # getFile's limit for bots
OfficeHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
REFUSAL = "抱歉，此命令仅限办公室管理员在办公室群中使用。"


def is_office_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
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
        if not is_office_admin(update, context):
            if update.callback_query is not None:
                await answer(update.callback_query, REFUSAL, show_alert=True)
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
    chosen = parse_id(args[0]) if args else None
    if args and chosen is None:
        await message.reply_text(usage if not looks_like_id(args[0]) else ID_HINT)
        return None
    notice = await offloop(_notice_or_latest, svc, chosen if args else None)
    if notice is None:
        await message.reply_text(
            "还没有发布过任何通知。"
            if not args
            else html_message("找不到编号为 {id} 的通知。", id=args[0])
        )
    return notice


def _notice_or_latest(svc: Services, notice_id: int | None) -> NoticeInfo | None:
    if notice_id is None:
        notice_id = svc.store.notices.latest_id()
    return svc.store.notices.notice(notice_id) if notice_id is not None else None


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
    await show_status(message, svc, notice)


async def show_status(message: Message, svc: Services, notice: NoticeInfo) -> None:
    """/status of ``notice``, in reply to ``message`` (also the board's 详情 button)."""
    await message.reply_text(await offloop(status_html, svc, notice))


def status_html(svc: Services, notice: NoticeInfo) -> str:
    """The /status text of ``notice`` now (store reads and the report: run off the loop)."""
    now, clock = svc.now(), svc.settings.working_time()
    report = notice_report(svc.store, notice, now, clock)
    due = svc.store.notices.feedback_due(notice.id)
    feedback = f"{due_words(due.day, now, clock)}（{due.raw}）" if due else None
    overdue = overdue_names(report, due.day, now, clock) if due else []
    return format_status_html(
        report,
        feedback=feedback,
        superseded_by=svc.store.notices.superseded([notice.id]).get(notice.id),
        feedback_overdue=overdue,
    )


async def _download(message: Message, document: Document, svc: Services) -> Parsed | None:
    """Fetch and parse an uploaded file (in a separate process, within the document limits);
    tell the office in Chinese what went wrong, if anything."""
    if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
        await message.reply_text(
            html_message(
                "无法读取《{name}》：文件过大或格式异常（超过 20MB）。",
                name=document.file_name or "文件",
            )
        )
        return None
    try:
        telegram_file = await document.get_file()
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("download of %s failed: %s", document.file_name, exc)
        await message.reply_text("文件下载失败，请稍后重试。")
        return None
    try:
        return await parse_document(
            data, document.file_name or "upload", svc.settings.documents.limits()
        )
    except UnreadableDocument as exc:
        await message.reply_text(
            html_message("无法读取《{name}》：{why}", name=document.file_name or "文件", why=exc)
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
    svc = services(context)
    parsed = await _download(message, document, svc)
    if parsed is None:
        return
    name = document.file_name or "upload"
    try:
        taken = await offloop(
            publish_file,
            svc.store,
            parsed,
            f"办公室上传：{name}",
            svc.settings.follow_up.ack_within,
            svc.now(),
            svc.settings.follow_up.directive.ack_within,
        )
    except MessageTooLong as exc:
        await message.reply_text(html_message("无法发布：{why}", why=exc))
        return
    briefing = parsed.briefing
    title = briefing.title
    label = title + (f" {briefing.issue.raw}" if briefing.issue else "")  # with its 第N期
    earlier = taken.classified.notice_id
    if taken.published is None:
        await message.reply_text(
            html_message(
                "该简报已发布过（通知 #{id}《{title}》），不会重复推送。"
                "可用 /status {id} 查看签收情况。",
                id=earlier,
                title=label,
            )
        )
        return
    result = taken.published
    log.info("published notice %s (%s) to %s units", result.notice_id, name, result.queued)
    correction = (
        html_message("（更正通知 #{id}）", id=earlier)
        if taken.classified.novelty is Novelty.CORRECTION
        else ""
    )
    await message.reply_text(
        html_message(
            "✅ 已发布通知 #{id}《{title}》{correction}，"
            "正在推送至 {queued} 个单位。可用 /status {id} 查看签收情况。",
            id=result.notice_id,
            title=title,
            correction=correction,
            queued=result.queued,
        )
    )


async def uploaded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file in the office chat from an admin: preview it for 发布 / 取消. Others' files are
    ordinary chat and are left alone."""
    message = update.effective_message
    if message is None or message.document is None or not is_office_admin(update, context):
        return
    parsed = await _download(message, message.document, services(context))
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
        await message.reply_text(html_message("无法生成预览：{why}", why=exc))


@office_only
async def draft_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = DRAFT_PATTERN.match(query.data or "")
    assert match is not None
    action, draft_id = match.group(1), int(match.group(2))
    svc = services(context)
    draft = await offloop(svc.store.drafts.get, draft_id)
    if draft is None:
        await answer(query, "找不到这份预览。", show_alert=True)
        return
    if action == "done" and draft.state == "open":  # a preview replaced by an edited one
        await query.answer("这份预览已被修改，请使用下方的新预览。")
        return
    if action == "done" or draft.state != "open":
        await answer(query, "这份预览已经处理过了。")
        return
    who = display_name(query.from_user)
    if action == "cxl":
        if await offloop(svc.store.drafts.decide, draft_id, "cancelled", query.from_user.id):
            await answer(query, "已取消，不会推送。")
            await query.edit_message_reply_markup(decided_keyboard(draft_id, f"✖️ 已取消 · {who}"))
        return
    if await offloop(svc.store.notices.by_hash, draft.notice.content_hash) is not None:
        await offloop(svc.store.drafts.decide, draft_id, "cancelled", query.from_user.id)
        await answer(query, "相同内容已经发布过，不会重复推送。", show_alert=True)
        return
    original_only = action == "orig"
    if original_only and draft.notice.original_hash is None:
        await query.answer("这份预览没有保存原文文件，无法仅推送原文。", show_alert=True)
        return
    # the parse, the office's edited text (编辑), or the original file (仅推送原文); queuing a
    # push for thousands of units is store work: in a thread, so no other chat waits for it
    result = await offloop(
        publish_draft,
        svc.store,
        draft,
        svc.now(),
        original_only=original_only,
        by=query.from_user.id,
        by_name=who,
    )
    decided = await offloop(
        svc.store.drafts.decide, draft_id, "published", query.from_user.id, result.notice_id
    )
    if not decided:
        await answer(query, "这份预览已经处理过了。")
        return
    what = "原文" if original_only else ("修改后的内容" if draft.edit is not None else "")
    log.info(
        "draft %s published as notice %s by %s (%s)",
        draft_id,
        result.notice_id,
        query.from_user.id,
        "original file" if original_only else "edited" if draft.edit is not None else "parsed",
    )
    await answer(query, f"已发布{what}，正在推送至 {result.queued} 个单位。")
    label = "✅ 已发布原文" if original_only else "✅ 已发布"
    await query.edit_message_reply_markup(
        decided_keyboard(draft_id, f"{label} · 通知 #{result.notice_id} · {who}")
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("publish", publish_command))
    app.add_handler(CallbackQueryHandler(draft_button, pattern=DRAFT_PATTERN))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.GROUPS, uploaded))
