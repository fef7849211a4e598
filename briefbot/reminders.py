"""Wording of follow-up messages (HTML; every name escaped)."""

from __future__ import annotations

from collections.abc import Sequence

from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.render import esc


def reminder_html(notice: NoticeInfo, unit: UnitLedger, step: int, mention: bool) -> str:
    text = (
        f"⏰ <b>签收提醒（第{step}次）</b>\n"
        f"{esc(unit.unit_name)}尚未签收《{esc(notice.label)}》。"
        "请联络员点击下方“已收到”按钮，或回复 /ack 签收。"
    )
    if mention and unit.liaisons:
        links = "、".join(
            f'<a href="tg://user?id={uid}">联络员{i + 1}</a>' for i, uid in enumerate(unit.liaisons)
        )
        text += f"\n请 {links} 尽快处理。"
    return text


def leader_html(notice: NoticeInfo, unit: UnitLedger) -> str:
    return (
        f"⚠️ 您分管的{esc(unit.unit_name)}经多次提醒，仍未签收《{esc(notice.label)}》，"
        "已报办公室。请督促联络员尽快签收。"
    )


def escalation_html(notice: NoticeInfo, late: Sequence[UnitLedger]) -> str:
    lines = [
        f"⚠️ <b>逾期未签收上报</b>：《{esc(notice.label)}》",
        f"以下 {len(late)} 个单位经多次提醒仍未签收：",
    ]
    lines.extend(
        f"• {esc(u.unit_name)}（{esc(u.group) or '未分组'}，已提醒{len(u.reminders)}次）"
        for u in late
    )
    return "\n".join(lines)
