"""Wording of follow-up messages (HTML; every name escaped)."""

from __future__ import annotations

from collections.abc import Sequence

from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.render import html_join, html_message


def reminder_html(notice: NoticeInfo, unit: UnitLedger, step: int, mention: bool) -> str:
    links = html_join(
        "、",
        (
            html_message('<a href="tg://user?id={uid}">联络员{n}</a>', uid=int(uid), n=i + 1)
            for i, uid in enumerate(unit.liaisons)
        ),
    )
    return html_message(
        "⏰ <b>签收提醒（第{step}次）</b>\n"
        "{unit}尚未签收《{title}》。请联络员点击下方“已收到”按钮，或回复 /ack 签收。{mention}",
        step=step,
        unit=unit.unit_name,
        title=notice.label,
        mention=html_message("\n请 {links} 尽快处理。", links=links)
        if mention and unit.liaisons
        else "",
    )


def leader_html(notice: NoticeInfo, unit: UnitLedger) -> str:
    return html_message(
        "⚠️ 您分管的{unit}经多次提醒，仍未签收《{title}》，已报办公室。请督促联络员尽快签收。",
        unit=unit.unit_name,
        title=notice.label,
    )


def escalation_html(notice: NoticeInfo, late: Sequence[UnitLedger]) -> str:
    lines = [
        html_message("⚠️ <b>逾期未签收上报</b>：《{title}》", title=notice.label),
        html_message("以下 {n} 个单位经多次提醒仍未签收：", n=len(late)),
    ]
    lines.extend(
        html_message(
            "• {unit}（{group}，已提醒{n}次）",
            unit=u.unit_name,
            group=u.group or "未分组",
            n=len(u.reminders),
        )
        for u in late
    )
    return "\n".join(lines)
