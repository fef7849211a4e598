"""编辑 on a preview: the office replaces the parsed message with its own text before 发布.

Pressing 编辑 (office admins only) sends a prompt that asks for the replacement as a reply to it.
The reply (from an admin) is read as Telegram HTML — or, when it carries Telegram's own formatting
(bold, links… set in the client), as that formatting — and validated (briefbot.corrections). On
success the bot shows the new preview, exactly as units will receive it, with the same buttons,
and retires the old preview's buttons; on failure it says why in Chinese and the old preview stays
valid (reply to the same prompt again). 发布 then sends the edited text; the draft keeps both.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import ForceReply, Message, MessageEntity, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from briefbot.corrections import InvalidReplacement, clean_replacement
from briefbot.offloop import offloop
from briefbot.render import TELEGRAM_TEXT_LIMIT, esc
from handlers.context import display_name, services
from handlers.keyboards import EDIT_PATTERN, decided_keyboard, draft_keyboard
from handlers.office import is_office_admin, office_only

log = logging.getLogger(__name__)

PROMPT_HEAD = "✏️ 修改预览"
# formatting a user applies in the client arrives as entities, not as tags in the text
_FORMATTING = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
    }
)


def _prompt_text(title: str, parts: int, who: str, user_id: int) -> str:
    tags = esc(
        '<b>粗体</b>、<i>斜体</i>、<u>下划线</u>、<s>删除线</s>、<a href="https://…">链接</a>、'
        "<code>代码</code>、<blockquote>引用</blockquote>、<tg-spoiler>隐藏</tg-spoiler>"
    )
    lines = [
        f"{PROMPT_HEAD}《{esc(title)}》",
        f'<a href="tg://user?id={user_id}">{esc(who)}</a>，请<b>回复本消息</b>发送修改后的通知全文。'
        "各单位将原样收到您发送的内容，“已收到”和“原文”按钮会自动附上。",
        "",
        "• 可以复制上面的预览，修改后发送；",
        f"• 格式可用 Telegram 自带的加粗等功能，也可手写标签：{tags}，标签须成对闭合；",
        f"• 文中单独的 {esc('<')} 和 {esc('&')} 会照原样显示；",
        f"• 不超过 {TELEGRAM_TEXT_LIMIT} 个字符。",
    ]
    if parts > 1:
        lines.append(f"• 原预览共 {parts} 条消息，修改后将合并为一条。")
    lines += ["", "新内容通过检查、显示出新预览之前，原预览仍然有效，可照常发布或取消。"]
    return "\n".join(lines)


@office_only
async def edit_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """编辑: ask for the replacement as a reply. A second press on the same preview only points
    at the prompt already sent."""
    query = update.callback_query
    assert query is not None and query.message is not None
    match = EDIT_PATTERN.match(query.data or "")
    assert match is not None
    draft_id = int(match.group(1))
    svc = services(context)
    draft = await offloop(svc.store.drafts.get, draft_id)
    if draft is None:
        await query.answer("找不到这份预览。", show_alert=True)
        return
    if draft.state != "open":
        await query.answer("这份预览已经处理过了。")
        return
    preview_id = query.message.message_id
    if draft.edit_prompt_id is not None and draft.edit_preview_id == preview_id:
        await query.answer("已经发出修改提示，请直接回复那条提示消息。")
        return
    who = display_name(query.from_user)
    prompt = await context.bot.send_message(
        svc.settings.office.chat_id,
        _prompt_text(draft.notice.title, len(draft.parts), who, query.from_user.id),
        reply_to_message_id=preview_id,
        reply_markup=ForceReply(selective=True, input_field_placeholder="修改后的通知全文"),
    )
    await offloop(svc.store.drafts.ask_edit, draft_id, prompt.message_id, preview_id)
    log.info(
        "draft %s: edit prompt %s sent for %s", draft_id, prompt.message_id, query.from_user.id
    )
    await query.answer("请回复提示消息，发送修改后的内容。")


def replacement_source(message: Message) -> str:
    """The reply as Telegram HTML: its own formatting when it has some (set in the client), else
    its text read as HTML typed by hand."""
    if any(e.type in _FORMATTING for e in message.entities):
        return message.text_html
    return message.text or ""


async def edit_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to an 编辑 prompt in the office chat. Anything else is ordinary chat, left alone."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc = services(context)
    replied = message.reply_to_message
    if (
        chat.id != svc.settings.office.chat_id
        or replied is None
        or replied.from_user is None
        or replied.from_user.id != context.bot.id
    ):
        return
    draft = await offloop(svc.store.drafts.by_prompt, replied.message_id)
    if draft is None:
        if (replied.text or "").startswith(PROMPT_HEAD):
            await message.reply_text("这条修改提示已经用过或已失效，请在最新的预览上点击“编辑”。")
        return
    if not is_office_admin(update, context):
        await message.reply_text("抱歉，只有办公室管理员可以修改预览。")
        return
    if draft.state != "open":
        await message.reply_text("这份预览已经发布或取消，修改未采用。")
        return
    if not message.text:
        await message.reply_text("修改内容须是文字消息，请回复提示消息发送通知全文。")
        return
    try:
        html_text = clean_replacement(replacement_source(message))
    except InvalidReplacement as exc:
        log.info("draft %s: replacement from %s refused: %s", draft.id, user.id, exc)
        await message.reply_text(
            f"❌ 修改未采用：{esc(str(exc))}\n原预览仍然有效；请修改后再次回复上面的提示消息。"
        )
        return
    office = svc.settings.office.chat_id
    who = display_name(user)
    correction = draft.notice.correction_of is not None
    note = await message.reply_text(
        f"📝 <b>修改后的预览</b>（{esc(who)} 修改）：以下是各单位将收到的内容。"
        "确认无误后点击“发布”。"
    )
    try:
        preview = await context.bot.send_message(
            office, html_text, reply_markup=draft_keyboard(draft.id, correction)
        )
    except BadRequest as exc:  # our check is stricter than Telegram's; this should not happen
        log.error(
            "DEFECT: Telegram refused a validated replacement for draft %s: %s", draft.id, exc
        )
        await note.edit_text(
            f"❌ 修改未采用：Telegram 拒绝了这段内容（{esc(exc.message)}）。原预览仍然有效。"
        )
        return
    edited = await offloop(
        svc.store.drafts.record_edit, draft.id, html_text, user.id, who, svc.now()
    )
    if not edited:
        await preview.edit_reply_markup(decided_keyboard(draft.id, "这份预览已经处理过了"))
        return
    log.info("draft %s edited by %s; new preview %s", draft.id, user.id, preview.message_id)
    if draft.edit_preview_id is not None:
        try:
            await context.bot.edit_message_reply_markup(
                office,
                draft.edit_preview_id,
                reply_markup=decided_keyboard(draft.id, "✏️ 已修改 · 请使用下方新预览"),
            )
        except TelegramError as exc:
            log.warning("could not retire the old preview of draft %s: %s", draft.id, exc)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CallbackQueryHandler(edit_button, pattern=EDIT_PATTERN))
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & filters.REPLY & ~filters.COMMAND & ~filters.Document.ALL,
            edit_reply,
        )
    )
