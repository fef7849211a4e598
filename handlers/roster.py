"""Binding unit groups: /invite CODE and /units in the office; /subscribe CODE and /unsubscribe in a
unit's group."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from briefbot.acking import AckOutcome, AckResult, gate
from briefbot.durations import format_duration
from briefbot.offloop import offloop
from briefbot.render import Html, html_join, html_message
from briefbot.store.roster import Bind
from briefbot.throttle import FailureLimit
from handlers.context import services
from handlers.office import office_only

log = logging.getLogger(__name__)

# wrong invitation codes allowed per chat: the code space already defeats guessing, this also
# keeps a noisy chat from hammering the store and leaves a trace in the log
SUBSCRIBE_FAILURES = 5
SUBSCRIBE_WINDOW = timedelta(hours=1)
_FAILURES_KEY = "subscribe_failures"


def _subscribe_failures(context: ContextTypes.DEFAULT_TYPE) -> FailureLimit:
    found = context.application.bot_data.get(_FAILURES_KEY)
    if not isinstance(found, FailureLimit):
        found = FailureLimit(SUBSCRIBE_FAILURES, SUBSCRIBE_WINDOW)
        context.application.bot_data[_FAILURES_KEY] = found
    return found


@office_only
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    svc = services(context)
    args = context.args or []
    configured = {u.code: u for u in svc.settings.units}
    if len(args) != 1 or args[0] not in configured:
        await message.reply_text(
            "用法：/invite 单位代码，例如 /invite nanchang（单位代码见 /units）。"
        )
        return
    unit = configured[args[0]]
    if unit.chat_id is not None:
        await message.reply_text(
            html_message("{unit}的工作群已在配置文件中指定，无需邀请绑定。", unit=unit.name)
        )
        return
    valid = svc.settings.office.invite_valid_for
    code = await offloop(svc.store.roster.invite, unit.code, user.id, svc.now(), valid)
    log.info("invite created for unit %s by %s", unit.code, user.id)
    username = context.bot.username
    await message.reply_text(
        html_message(
            "{unit}的绑定邀请码：<code>{code}</code>\n"
            "方法一：把此链接发给该单位联络员，点开后选择本单位工作群，机器人入群即自动绑定：\n"
            "{link}\n"
            "方法二：在该单位工作群中添加机器人 @{username}，再在群内发送 /subscribe {code}\n"
            "{valid}内有效，仅可使用一次。{privacy}",
            unit=unit.name,
            code=code,
            link=f"https://t.me/{username}?startgroup={code}",
            username=username,
            valid=format_duration(valid),
            privacy=""
            if context.bot.can_read_all_group_messages
            else "\n提示：机器人处于隐私模式，看不到群里的普通消息；"
            "联络员可“回复”通知发送“收到”，或使用 /ack 签收。",
        )
    )


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    args = context.args or []
    if len(args) != 1:
        await message.reply_text("用法：/subscribe 邀请码（邀请码由办公室提供）。")
        return
    if chat.id == svc.settings.office.chat_id:
        await message.reply_text("办公室群不能绑定为单位群。")
        return
    now = svc.now()
    limit = _subscribe_failures(context)
    retry_at = limit.retry_at(chat.id, now)
    if retry_at is not None:
        log.warning(
            "/subscribe refused in chat %s (user %s): too many failed codes",
            chat.id,
            update.effective_user.id if update.effective_user else "?",
        )
        await message.reply_text(
            html_message(
                "邀请码错误次数过多，请 {wait}后再试，或联系办公室。",
                wait=format_duration(retry_at - now),
            )
        )
        return
    outcome = await offloop(svc.store.roster.redeem, args[0], chat.id, now)
    if outcome.result in (Bind.UNKNOWN_CODE, Bind.USED, Bind.EXPIRED):
        failures = limit.failed(chat.id, now)
        log.warning(
            "/subscribe failed in chat %s (user %s): %s, %d of %d allowed per %s",
            chat.id,
            update.effective_user.id if update.effective_user else "?",
            outcome.result.name,
            failures,
            SUBSCRIBE_FAILURES,
            SUBSCRIBE_WINDOW,
        )
    names = {u.code: u.name for u in svc.settings.units}
    name = names.get(outcome.unit_code or "", outcome.unit_code or "")
    texts = {
        Bind.UNKNOWN_CODE: "邀请码无效，请核对后重试，或联系办公室重新获取。",
        Bind.USED: "该邀请码已经使用过，请联系办公室重新获取。",
        Bind.EXPIRED: "该邀请码已过期，请联系办公室重新获取。",
        Bind.CHAT_TAKEN: html_message("本群已是{unit}的工作群，不能再绑定其他单位。", unit=name),
    }
    if outcome.result is not Bind.BOUND:
        await message.reply_text(texts[outcome.result])
        return
    log.info("unit %s bound to chat %s", outcome.unit_code, chat.id)
    await message.reply_text(
        html_message("✅ 本群已绑定为{unit}的工作群，今后的简报将推送到这里。", unit=name)
    )
    await context.bot.send_message(
        svc.settings.office.chat_id,
        html_message(
            "🔗 {unit}已通过邀请码绑定工作群“{title}”。", unit=name, title=chat.title or chat.id
        ),
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc = services(context)
    unit = await offloop(gate, svc.store, chat.id, user.id)
    if isinstance(unit, AckOutcome):
        await message.reply_text(
            "本群尚未登记为任何单位的工作群。"
            if unit.result is AckResult.NOT_A_UNIT
            else html_message(
                "抱歉，只有{unit}的联络员可以解除绑定。", unit=unit.unit.name if unit.unit else ""
            )
        )
        return
    configured = next((u for u in svc.settings.units if u.code == unit.code), None)
    if configured is not None and configured.chat_id is not None:
        await message.reply_text("本群在配置文件中指定，需由办公室修改配置后解除。")
        return
    await offloop(svc.store.roster.unbind, unit.code)
    log.info("unit %s unbound from chat %s by %s", unit.code, chat.id, user.id)
    await message.reply_text(
        html_message("已解除本群与{unit}的绑定，不再推送简报。", unit=unit.name)
    )
    await context.bot.send_message(
        svc.settings.office.chat_id,
        html_message("🔓 {unit}已解除工作群绑定，需重新邀请绑定。", unit=unit.name),
    )


@office_only
async def list_units(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    configured = {u.code for u in svc.settings.units if u.chat_id is not None}
    bindings = await offloop(svc.store.roster.bindings, configured)
    unbound = [b for b in bindings if b.chat_id is None]
    lines = [
        html_message(
            "📇 <b>单位名单</b>：共 {total} 个，已绑定 {bound}，未绑定 {unbound}",
            total=len(bindings),
            bound=len(bindings) - len(unbound),
            unbound=len(unbound),
        )
    ]
    if unbound:
        lines.append(
            html_message(
                "未绑定（可用 /invite 单位代码 生成邀请码）：{names}",
                names=html_join(
                    "、",
                    (html_message("{name}（{code}）", name=b.name, code=b.code) for b in unbound),
                ),
            )
        )
    by_group: dict[str, list[Html]] = {}
    for b in bindings:
        if b.chat_id is not None:
            how = "配置" if b.configured else "邀请"
            by_group.setdefault(b.group or "未分组", []).append(
                html_message("{name}［{how}］", name=b.name, how=how)
            )
    lines.extend(
        html_message("{group}：{names}", group=g, names=html_join("、", names))
        for g, names in by_group.items()
    )
    await message.reply_text("\n".join(lines)[:4000])


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("invite", invite))
    app.add_handler(CommandHandler("units", list_units))
    app.add_handler(CommandHandler("subscribe", subscribe, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe, filters=filters.ChatType.GROUPS))
