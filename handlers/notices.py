"""/notices [关键词]: recent notices, newest first, with number, date, title and ack counts, paged
with buttons. In the office chat (admins) every notice, each page with a 签收单 button per
notice; in a unit group that unit's own notices and whether it signed them."""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from briefbot.offloop import offloop
from briefbot.render import Html, html_join, html_message
from briefbot.runtime import Services
from briefbot.store.listing import NoticeLine, NoticePage
from briefbot.timefmt import day_text, moment_text
from handlers.context import answer, services
from handlers.office import is_office_admin, office_only
from handlers.office_views import send_export

PAGE_SIZE = 8
LIST_PATTERN = re.compile(r"^nl:([ou]):([0-9]{1,4}):(.*)$", re.DOTALL)
EXPORT_PATTERN = re.compile(r"^nx:([0-9]{1,12})$")


def _callback(scope: str, page: int, keyword: str) -> str:
    """``nl:o:2:关键词`` within Telegram's 64 bytes (a long keyword is cut, whole characters)."""
    head = f"nl:{scope}:{page}:"
    while len((head + keyword).encode()) > 64:
        keyword = keyword[:-1]
    return head + keyword


def _office_line(line: NoticeLine, tz: Any) -> Html:
    return html_message(
        "#{id} {day}《{title}》签收 {acked}/{received}{mark}",
        id=line.id,
        day=day_text(line.published_at.astimezone(tz)),
        title=line.label,
        acked=line.acked,
        received=line.received,
        mark=_mark(line),
    )


def _unit_line(line: NoticeLine, tz: Any) -> Html:
    signed = (
        f"✅ 已签收 {moment_text(line.unit_acked_at, tz)}" if line.unit_acked_at else "⏳ 未签收"
    )
    return html_message(
        "#{id} {day}《{title}》{signed}{mark}",
        id=line.id,
        day=day_text(line.published_at.astimezone(tz)),
        title=line.label,
        signed=signed,
        mark=_mark(line),
    )


def _mark(line: NoticeLine) -> str:
    if line.superseded_by is not None:
        return f"［已被更正，以 #{line.superseded_by} 为准］"
    if line.correction_of is not None:
        return f"［更正 #{line.correction_of}］"
    return ""


def _render(
    svc: Services, page: NoticePage, scope: str, keyword: str, unit_name: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    tz = svc.settings.tz
    if not page.lines:
        text = (
            html_message("没有标题含“{kw}”的通知。", kw=keyword)
            if keyword
            else "还没有通知。"
            if scope == "o"
            else "本单位还没有收到过通知。"
        )
        return text, None
    whose = html_message("{unit}收到的", unit=unit_name) if scope == "u" else ""
    title = html_message(
        "📚 <b>{whose}通知</b>{kw}（第 {n}/{pages} 页，共 {total} 份，最新在前）",
        whose=whose,
        kw=html_message("（关键词：{kw}）", kw=keyword) if keyword else "",
        n=page.page + 1,
        pages=page.pages,
        total=page.total,
    )
    render = _office_line if scope == "o" else _unit_line
    body = html_join("\n", (render(line, tz) for line in page.lines))
    hint = (
        "点击下方按钮获取某份通知的签收单，或发送 /status 编号 查看详情。"
        if scope == "o"
        else "未签收的请点击通知下方“已收到”按钮，或发送 /ack 编号 签收。"
    )
    rows: list[list[InlineKeyboardButton]] = []
    if scope == "o":
        buttons = [
            InlineKeyboardButton(f"📥 #{line.id} 签收单", callback_data=f"nx:{line.id}")
            for line in page.lines
        ]
        rows += [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    paging = []
    if page.page > 0:
        paging.append(
            InlineKeyboardButton("◀️ 较新", callback_data=_callback(scope, page.page - 1, keyword))
        )
    if page.page + 1 < page.pages:
        paging.append(
            InlineKeyboardButton("较早 ▶️", callback_data=_callback(scope, page.page + 1, keyword))
        )
    if paging:
        rows.append(paging)
    return f"{title}\n{body}\n\n<i>{hint}</i>", InlineKeyboardMarkup(rows) if rows else None


async def notices_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    keyword = " ".join(context.args or []).strip()[:30]
    if chat.id == svc.settings.office.chat_id:
        await _office_list(update, context)
        return
    unit = await offloop(svc.store.notices.unit_by_chat, chat.id)
    if unit is None:
        await message.reply_text("本群尚未登记为任何单位的工作群，没有可列出的通知。")
        return
    page = await offloop(
        svc.store.listing.page, keyword=keyword, unit_code=unit.code, size=PAGE_SIZE
    )
    text, markup = _render(svc, page, "u", keyword, unit.name)
    await message.reply_text(text, reply_markup=markup)


@office_only
async def _office_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    keyword = " ".join(context.args or []).strip()[:30]
    page = await offloop(svc.store.listing.page, keyword=keyword, size=PAGE_SIZE)
    text, markup = _render(svc, page, "o", keyword)
    await message.reply_text(text, reply_markup=markup)


async def page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = LIST_PATTERN.match(query.data or "")
    assert match is not None
    scope, number, keyword = match.group(1), int(match.group(2)), match.group(3)
    svc = services(context)
    chat = update.effective_chat
    unit = None
    if scope == "o":
        if not is_office_admin(update, context):
            await answer(query, "抱歉，此按钮仅限办公室管理员在办公室群中使用。", show_alert=True)
            return
    else:
        unit = await offloop(svc.store.notices.unit_by_chat, chat.id) if chat is not None else None
        if unit is None:
            await answer(query, "本群尚未登记为任何单位的工作群。", show_alert=True)
            return
    page = await offloop(
        svc.store.listing.page,
        keyword=keyword,
        unit_code=unit.code if unit else None,
        page=number,
        size=PAGE_SIZE,
    )
    text, markup = _render(svc, page, scope, keyword, unit.name if unit else "")
    await answer(query)
    if isinstance(query.message, Message):
        await query.edit_message_text(text, reply_markup=markup)


@office_only
async def export_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    match = EXPORT_PATTERN.match(query.data or "")
    assert match is not None
    svc = services(context)
    notice = await offloop(svc.store.notices.notice, int(match.group(1)))
    if notice is None or not isinstance(query.message, Message):
        await answer(query, "找不到这份通知。", show_alert=True)
        return
    await answer(query, f"正在生成通知 #{notice.id} 的签收单。")
    await send_export(query.message, svc, notice)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("notices", notices_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(page_button, pattern=LIST_PATTERN))
    app.add_handler(CallbackQueryHandler(export_button, pattern=EXPORT_PATTERN))
