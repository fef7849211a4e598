"""/start and /help: what the bot does, in the words of the chat it is asked in; the greeting
when the bot is added to a group; ``/start <邀请码>`` from a t.me/<bot>?startgroup= link."""

from __future__ import annotations

import logging
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, CommandHandler, ContextTypes, filters

from briefbot.durations import format_duration
from briefbot.offloop import offloop
from briefbot.render import html_join, html_message
from handlers.context import services

log = logging.getLogger(__name__)

ACK_EXAMPLES = "、".join(f"“{p}”" for p in ("收到", "已收到", "收到，谢谢"))
UNIT_HELP = (
    "我是简报签收助手。办公室发布的简报会推送到本群，每条通知末尾标有“编号 #N”和签收时限。"
    "请本单位联络员点击通知下方的“已收到”按钮，或发送 /ack 签收。\n"
    "/ack — 签收本单位所有待签收的通知（也可回复某条通知发送 /ack）\n"
    "/ack 编号 — 签收指定通知，如 /ack 3；/ack 后面可加备注，如“/ack 已转分管领导”\n"
    "/undo — 签收后 {undo} 内可撤销（仅限本人）\n"
    "/notices — 本单位收到的通知及签收情况\n"
    "/feedback 编号 落实情况 — 提交落实反馈（编号即通知末尾的 #N，也可回复通知发送），"
    "办公室审阅后会告知结果\n"
    "{typed}"
)
TYPED_OK = "联络员在群里发送{examples}等简短回复，也算签收。"
TYPED_PRIVACY = (
    "注意：本机器人处于隐私模式，看不到群里的普通消息，直接发送“收到”不会被记录；"
    "请“回复”通知消息发送“收到”，或发送 /ack。"
    "（群管理员可把机器人设为管理员，或由办公室在 BotFather 关闭隐私模式。）"
)
UNBOUND_HELP = (
    "我是简报签收助手，负责把办公室的简报推送到各单位工作群并收集签收。\n"
    "本群尚未绑定任何单位，暂时收不到简报。\n"
    "绑定方法：请办公室在办公室群发送 /invite 单位代码 获取邀请码，"
    "再由本单位联络员在本群发送 /subscribe 邀请码。"
)
OFFICE_HELP = (
    "办公室可用命令：\n"
    "上传简报文件 — 预览各单位将收到的内容，确认后点击“发布”；"
    "也可点“编辑”回复修改后的全文，或点“仅推送原文”直接推送文件\n"
    "/publish — 回复一条简报文件消息，直接发布\n"
    "/status [编号] — 最新（或指定）通知的签收情况\n"
    "/late — 所有逾期未签收的单位\n"
    "/remind [编号] — 立即提醒未签收的单位\n"
    "/export [编号] — 导出签收单（Excel 和 CSV）；/export 1-20 或 /export 7天 — 多份通知导出为一个工作簿\n"
    "/notices [关键词] — 近期通知列表（可翻页，点按钮即可导出签收单）\n"
    "/ranking [天数] — 各单位签收及时率排名（默认近 7 天）\n"
    "/chart [编号] — 签收进度图（随时间、按单位分组）\n"
    "/units — 单位名单及工作群绑定情况；/invite 单位代码 — 生成绑定邀请码和一键绑定链接"
)
PRIVATE_HELP = "请在本单位的工作群中使用本机器人签收简报。"


def typed_ack_note(can_read_all: bool) -> str:
    return TYPED_OK.format(examples=ACK_EXAMPLES) if can_read_all else TYPED_PRIVACY


def _can_read_all(context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Privacy mode is off for the bot (getMe's can_read_all_group_messages)."""
    try:
        return bool(context.bot.can_read_all_group_messages)
    except RuntimeError:  # getMe not called yet
        return False


async def _reads_group(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """Whether the bot sees ordinary messages in this group: privacy mode off, or the bot is an
    administrator there (administrators see everything)."""
    if _can_read_all(context):
        return True
    try:
        member = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError:
        return False
    return member.status == ChatMemberStatus.ADMINISTRATOR


def leader_units(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> list[str]:
    return [u.name for u in services(context).settings.units if u.leader == user_id]


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    svc = services(context)
    settings = svc.settings
    if chat.id == settings.office.chat_id:
        await message.reply_text(OFFICE_HELP)
    elif chat.type == "private":
        units = leader_units(context, user.id) if user is not None else []
        if units:
            await offloop(svc.store.people.seen, user.id, _name(user), svc.now(), private=True)
            await message.reply_text(
                html_message(
                    "您好，您已登记为{units}的分管领导。"
                    "单位经多次提醒仍未签收简报时，机器人会在这里私信告知您，请勿屏蔽本机器人。",
                    units=html_join("、", units),
                )
            )
        else:
            await message.reply_text(PRIVATE_HELP)
    elif await offloop(svc.store.notices.unit_by_chat, chat.id) is None:
        await message.reply_text(UNBOUND_HELP)
    else:
        await message.reply_text(
            UNIT_HELP.format(
                undo=format_duration(settings.follow_up.undo_within),
                typed=typed_ack_note(await _reads_group(context, chat.id)),
            )
        )


def _name(user: Any) -> str:
    return str(user.full_name or user.username or user.id)


async def group_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start`` in a group: with an invitation code (a startgroup link) it binds like
    /subscribe; bare, it is /help."""
    if context.args:
        from handlers.roster import subscribe

        await subscribe(update, context)
        return
    await help_command(update, context)


async def private_ack(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(PRIVATE_HELP)


async def added_to_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to a group: say what it is and how to bind the group."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    was = change.old_chat_member.status
    now_ = change.new_chat_member.status
    joined = was in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) and now_ in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    )
    if not joined:
        return
    svc = services(context)
    log.info("added to chat %s by %s", change.chat.id, change.from_user.id)
    reads = _can_read_all(context) or now_ == ChatMemberStatus.ADMINISTRATOR
    privacy = "" if reads else "\n" + TYPED_PRIVACY
    if change.chat.id == svc.settings.office.chat_id:
        text = "我是简报签收助手。本群是办公室群：上传简报文件即可预览和发布，发送 /help 查看命令。"
    else:
        unit = await offloop(svc.store.notices.unit_by_chat, change.chat.id)
        if unit is not None:
            text = html_message(
                "我是简报签收助手。本群已是{unit}的工作群，办公室的简报会推送到这里。"
                "发送 /help 查看签收方法。",
                unit=unit.name,
            )
        else:
            text = UNBOUND_HELP
    try:
        await context.bot.send_message(change.chat.id, text + privacy)
    except TelegramError as exc:  # a greeting is not worth an error report
        log.warning("could not greet chat %s: %s", change.chat.id, exc)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("start", group_start, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler(["start", "help"], help_command))
    app.add_handler(CommandHandler("ack", private_ack, filters=filters.ChatType.PRIVATE))
    app.add_handler(ChatMemberHandler(added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))
