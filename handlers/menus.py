"""Command menus per chat (setMyCommands scopes): the office's commands for the office chat's
administrators, the units' commands in groups, /start and /help in private chats.

Telegram shows a user the most specific menu that exists: chat administrators of the office
chat get OFFICE_COMMANDS; its other members get only /help (the office chat's own menu), not
the units' commands; every other group gets UNIT_COMMANDS.
"""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from briefbot.settings import Settings

log = logging.getLogger(__name__)

OFFICE_COMMANDS = (
    ("status", "签收情况（可加通知编号）"),
    ("late", "逾期未签收的单位"),
    ("remind", "立即提醒未签收单位（可加编号）"),
    ("export", "导出签收单（可加编号）"),
    ("ranking", "签收及时率排名（可加天数）"),
    ("chart", "签收进度图（可加编号）"),
    ("publish", "回复简报文件直接发布"),
    ("units", "单位名单及绑定情况"),
    ("invite", "生成单位绑定邀请码"),
    ("help", "办公室使用说明"),
)
UNIT_COMMANDS = (
    ("ack", "签收待签收的简报（可加编号）"),
    ("undo", "撤销刚才的签收"),
    ("feedback", "提交落实反馈（编号 内容）"),
    ("subscribe", "用邀请码绑定本群"),
    ("unsubscribe", "解除本群绑定"),
    ("help", "使用说明"),
)
PRIVATE_COMMANDS = (("start", "开始使用"), ("help", "使用说明"))
OFFICE_MEMBER_COMMANDS = (("help", "使用说明"),)


def _commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in pairs]


async def set_menus(bot: Bot, settings: Settings) -> None:
    """Set every scoped menu; a refusal is logged, never fatal (menus are a convenience)."""
    office = settings.office.chat_id
    menus = (
        (BotCommandScopeDefault(), ()),
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), UNIT_COMMANDS),
        (BotCommandScopeChat(office), OFFICE_MEMBER_COMMANDS),
        (BotCommandScopeChatAdministrators(office), OFFICE_COMMANDS),
    )
    for scope, pairs in menus:
        try:
            if pairs:
                await bot.set_my_commands(_commands(pairs), scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
        except TelegramError as exc:
            log.warning("could not set the %s command menu: %s", scope.type, exc)
