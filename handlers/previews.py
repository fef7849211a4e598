"""What happens to a briefing that arrives (office upload, inbox, feed) before it is pushed.

A duplicate is reported and dropped. A new briefing or a correction is stored as a draft and
shown to the office exactly as units will see it, with 发布 / 取消 buttons — or, for the inbox and
feeds with ``sources.auto_publish``, published at once and reported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, Message

from briefbot.briefing.review import review
from briefbot.deadlines import format_due, notice_due
from briefbot.offloop import offloop
from briefbot.publishing import Novelty, Parsed, intake, publish
from briefbot.render import html_message
from briefbot.runtime import Services
from handlers.keyboards import draft_keyboard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offered:
    novelty: Novelty
    draft_id: int | None = None
    notice_id: int | None = None  # when published at once, or the duplicate's original


def footer_note(svc: Services, ack_within: timedelta) -> str:
    """What the dispatcher adds under each notice, as it would read if published now."""
    due = notice_due(svc.now(), ack_within, svc.settings.working_time())
    return html_message(
        "发布后通知末尾另有一行：编号 #（发布时分配） · 请于{due}前签收（按现在发布计算）。",
        due=format_due(due, svc.settings.tz),
    )


async def offer(
    bot: Bot,
    svc: Services,
    parsed: Parsed,
    source: str,
    *,
    auto_publish: bool = False,
    reply_to: Message | None = None,
) -> Offered:
    """Raises ``MessageTooLong`` when the briefing cannot be rendered (a Chinese message)."""
    office = svc.settings.office.chat_id
    briefing = parsed.briefing
    title = briefing.title
    # the duplicate notice names the issue (第7期): it is told apart from its siblings
    label = title + (f" {briefing.issue.raw}" if briefing.issue else "")
    follow_up = svc.settings.follow_up
    taken = await offloop(
        intake,
        svc.store,
        parsed,
        source,
        follow_up.ack_within,
        svc.now(),
        follow_up.directive.ack_within,
    )
    earlier = taken.classified.notice_id
    reply = {"reply_to_message_id": reply_to.message_id} if reply_to is not None else {}
    if taken.notice is None:
        await bot.send_message(
            office,
            html_message(
                "ℹ️ 《{title}》（来源：{source}）与已发布的通知 #{id} 内容相同，不会重复推送。",
                title=label,
                source=source,
                id=earlier,
            ),
            **reply,
        )
        return Offered(Novelty.DUPLICATE, notice_id=earlier)
    correction = taken.classified.novelty is Novelty.CORRECTION
    waiting = await offloop(svc.store.drafts.open_for, taken.notice.content_hash)
    if waiting is not None and not auto_publish:
        await bot.send_message(
            office,
            html_message(
                "ℹ️ 《{title}》（来源：{source}）与来自“{other}”的预览相同，"
                "仍在等待确认，请在那条预览上点击“发布”或“取消”。",
                title=title,
                source=source,
                other=waiting.source,
            ),
            **reply,
        )
        return Offered(taken.classified.novelty, draft_id=waiting.id)
    if auto_publish:
        result = await offloop(publish, svc.store, taken.notice, svc.now())
        what = html_message("更正通知 #{id}，", id=earlier) if correction else ""
        await bot.send_message(
            office,
            html_message(
                "✅ 已自动发布通知 #{id}《{title}》（来源：{source}），{what}"
                "正在推送至 {queued} 个单位。",
                id=result.notice_id,
                title=title,
                source=source,
                what=what,
                queued=result.queued,
            ),
        )
        return Offered(taken.classified.novelty, notice_id=result.notice_id)
    draft = await offloop(svc.store.drafts.create, taken.notice, source, svc.now())
    parts = taken.notice.parts
    checked = await offloop(review, parsed.briefing, list(parts))
    note = html_message(
        "📝 <b>预览</b>（来源：{source}）：以下是各单位将收到的内容{count}。"
        "确认无误后点击“发布”，需要修改请点击“编辑”。\n{recognised}{warnings}\n{footer}",
        source=source,
        count=f"，共 {len(parts)} 条" if len(parts) > 1 else "",
        recognised=checked.summary,
        warnings="".join(f"\n⚠️ {w}" for w in checked.warnings),
        footer=footer_note(svc, taken.notice.ack_within),
    )
    if correction:
        note = html_message(
            "⚠️ 这是已发布的通知 #{id}《{title}》的<b>更正版本</b>，内容与原通知不同，"
            "不会自动推送。\n{note}",
            id=earlier,
            title=title,
            note=note,
        )
    await bot.send_message(office, note, **reply)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await bot.send_message(
            office, part, reply_markup=draft_keyboard(draft.id, correction) if last else None
        )
    log.info(
        "draft %s from %s offered to the office (%s)",
        draft.id,
        source,
        taken.classified.novelty.value,
    )
    return Offered(taken.classified.novelty, draft_id=draft.id)
