"""Wording of follow-up messages (HTML; every name escaped)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from briefbot.deadlines import format_due, time_left
from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.render import Html, html_join, html_message
from briefbot.workcal import WorkingTime

NO_NAME = "联络员"


@dataclass(frozen=True)
class When:
    """The moment a message is written, and how to count time at it."""

    now: datetime
    clock: WorkingTime
    tz: tzinfo
    working: bool = True  # the calendar is on: time counts in working hours only


def mention_link(user_id: int, name: str | None) -> Html:
    """A ``tg://user?id=`` mention under the person's Telegram name (escaped)."""
    return html_message(
        '<a href="tg://user?id={uid}">{name}</a>', uid=int(user_id), name=name or NO_NAME
    )


def liaison_names(unit: UnitLedger, names: Mapping[int, str]) -> Html:
    """The unit's liaisons by name, as plain text (``未登记联络员`` when there are none)."""
    if not unit.liaisons:
        return Html("未登记联络员")
    return html_join("、", (names.get(uid) or f"{NO_NAME}（ID {uid}）" for uid in unit.liaisons))


def reminder_html(
    notice: NoticeInfo,
    unit: UnitLedger,
    step: int,
    mention: bool,
    when: When | None = None,
    names: Mapping[int, str] | None = None,
) -> str:
    names = names or {}
    timing: Html | str = ""
    due = unit.due_at(notice.ack_within, when.clock) if when is not None else None
    if when is not None and due is not None:
        timing = html_message(
            "签收时限 {due}，{left}。",
            due=format_due(due, when.tz),
            left=time_left(due, when.now, when.clock, when.working),
        )
    # by Telegram name; one never seen yet is 联络员1, 联络员2… (the mention still notifies them)
    links = html_join(
        "、",
        (
            mention_link(uid, names.get(uid) or f"{NO_NAME}{i + 1}")
            for i, uid in enumerate(unit.liaisons)
        ),
    )
    return html_message(
        "⏰ <b>签收提醒（第{step}次）</b>\n"
        "{unit}尚未签收《{title}》（编号 #{id}）。{timing}\n"
        "请联络员点击下方“已收到”按钮，或回复“收到”、发送 /ack 签收。{mention}",
        step=step,
        unit=unit.unit_name,
        title=notice.label,
        id=notice.id,
        timing=timing,
        mention=html_message("\n请 {links} 尽快处理。", links=links)
        if mention and unit.liaisons
        else "",
    )


def leader_html(notice: NoticeInfo, unit: UnitLedger) -> str:
    return html_message(
        "⚠️ 您分管的{unit}经多次提醒，仍未签收《{title}》（编号 #{id}），已报办公室。"
        "请督促联络员尽快签收。",
        unit=unit.unit_name,
        title=notice.label,
        id=notice.id,
    )


@dataclass(frozen=True)
class LeaderState:
    """Whether an escalated unit's leader is told, and whether the bot can reach them."""

    configured: bool
    reachable: bool = False  # the leader has opened a private chat with the bot


def _leader_note(state: LeaderState | None) -> str:
    if state is None or not state.configured:
        return "未登记分管领导，未通知领导"
    if state.reachable:
        return "已同时私信告知分管领导"
    return "已尝试私信分管领导，但其尚未与机器人对话，可能无法送达"


def escalation_html(
    notice: NoticeInfo,
    late: Sequence[UnitLedger],
    names: Mapping[int, str] | None = None,
    leaders: Mapping[str, LeaderState] | None = None,
) -> str:
    names = names or {}
    leaders = leaders or {}
    lines = [
        html_message(
            "⚠️ <b>逾期未签收上报</b>：《{title}》（编号 #{id}）", title=notice.label, id=notice.id
        ),
        html_message("以下 {n} 个单位经多次提醒仍未签收：", n=len(late)),
    ]
    lines.extend(
        html_message(
            "• {unit}（{group}，已提醒{n}次）\n  联络员：{liaisons}；{leader}",
            unit=u.unit_name,
            group=u.group or "未分组",
            n=len(u.reminders),
            liaisons=liaison_names(u, names),
            leader=_leader_note(leaders.get(u.unit_code)),
        )
        for u in late
    )
    return "\n".join(lines)
