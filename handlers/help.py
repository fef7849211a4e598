"""/start and /help: what the bot does, in the words of the chat it is asked in."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from briefbot.durations import format_duration
from handlers.context import services

UNIT_HELP = (
    "我是简报签收助手。办公室发布的简报会推送到本群，"
    "请本单位联络员点击通知下方的“已收到”按钮，或发送 /ack 签收。\n"
    "/ack — 签收本单位所有待签收的通知（也可回复某条通知发送 /ack）\n"
    "/ack 编号 — 签收指定通知；/ack 后面可加备注，如“/ack 已转分管领导”\n"
    "/undo — 签收后 {undo} 内可撤销（仅限本人）\n"
    "/notices — 本单位收到的通知及签收情况\n"
    "/feedback 落实情况 — 提交落实反馈（可加通知编号），办公室审阅后会告知结果"
)
OFFICE_HELP = (
    "办公室可用命令：\n"
    "上传简报文件 — 预览各单位将收到的内容，确认后点击“发布”；"
    "也可点“编辑”回复修改后的全文，或点“仅推送原文”直接推送文件\n"
    "/publish — 回复一条简报文件消息，直接发布\n"
    "/status [编号] — 最新（或指定）通知的签收情况\n"
    "/late — 所有逾期未签收的单位\n"
    "/remind [编号] — 立即提醒未签收的单位\n"
    "/export [编号] — 导出签收单（Excel 和 CSV）\n"
    "/notices [关键词] — 近期通知列表（可翻页，点按钮即可导出签收单）\n"
    "/ranking [天数] — 各单位签收及时率排名（默认近 7 天）\n"
    "/chart [编号] — 签收进度图（随时间、按单位分组）\n"
    "/units — 单位名单及工作群绑定情况；/invite 单位代码 — 生成绑定邀请码"
)
PRIVATE_HELP = "请在本单位的工作群中使用本机器人签收简报。"


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    settings = services(context).settings
    if chat.id == settings.office.chat_id:
        await message.reply_text(OFFICE_HELP)
    elif chat.type == "private":
        await message.reply_text(PRIVATE_HELP)
    else:
        window = format_duration(settings.follow_up.undo_within)
        await message.reply_text(UNIT_HELP.replace("{undo}", window))


async def private_ack(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(PRIVATE_HELP)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler(["start", "help"], help_command))
    app.add_handler(CommandHandler("ack", private_ack, filters=filters.ChatType.PRIVATE))
