"""The office's other views: /late (who is overdue now), /remind [ID] (nudge now),
/export [ID] (the 签收单 as XLSX and CSV), /ranking, /chart. Office admins in the office chat only.

Each view is gathered in a worker thread (``offloop``): the store reads, the report, the XLSX,
the chart; the event loop only sends the answer."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import InputFile, Message, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from briefbot.deadlines import format_due, time_left
from briefbot.durations import format_duration
from briefbot.export import to_xlsx
from briefbot.ids import parse_id
from briefbot.labels import notice_label
from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.offloop import offloop
from briefbot.ranking import rank_units
from briefbot.render import Html, html_join, html_message
from briefbot.reports import AckStatus, Report, format_csv, notice_report
from briefbot.runtime import Services
from briefbot.store.ledger import UnitInfo
from handlers.context import services
from handlers.office import chosen_notice, office_only

log = logging.getLogger(__name__)


NOT_A_NUMBER = "通知编号应为数字，例如 3。"


def _report(
    svc: Services, notice: NoticeInfo, ledger: Sequence[UnitLedger] | None = None
) -> Report:
    return notice_report(svc.store, notice, svc.now(), svc.settings.working_time(), ledger)


@office_only
async def late(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    text = await offloop(late_html, services(context))
    await message.reply_text(text or "目前没有逾期未签收的单位。")


def late_html(svc: Services) -> str | None:
    """Every unit overdue on any open notice, with its liaisons; None when there is none."""
    lines = []
    roster = svc.store.ledger.units_now()
    people = svc.store.people.names(uid for u in roster.values() for uid in u.liaisons)
    for notice_id in svc.store.ledger.open_notice_ids(include_escalated=True):
        notice = svc.store.notices.notice(notice_id)
        if notice is None:
            continue
        overdue = [r for r in _report(svc, notice).rows if r.status is AckStatus.OVERDUE]
        if overdue:
            names = html_join(
                "、",
                (
                    html_message("{unit}［提醒{n}次］", unit=r.unit_name, n=r.reminders)
                    if r.reminders
                    else r.unit_name
                    for r in overdue
                ),
            )
            who = html_join(
                "；",
                (
                    html_message(
                        "{unit} {liaisons}",
                        unit=r.unit_name,
                        liaisons=_liaisons(roster.get(r.unit_code), people),
                    )
                    for r in overdue
                ),
            )
            lines.append(
                html_message(
                    "<b>{label}</b>逾期 {n} 个：{names}\n　联络员：{who}",
                    label=notice_label(svc.store, notice),
                    n=len(overdue),
                    names=names,
                    who=who,
                )
            )
    if not lines:
        return None
    return "⏰ <b>逾期未签收</b>\n" + "\n".join(lines)[:3900]


def _liaisons(unit: UnitInfo | None, names: dict[int, str]) -> Html:
    """赵某、钱某 (by Telegram name as last seen), for the office's lists."""
    if unit is None or not unit.liaisons:
        return Html("未登记")
    return html_join("、", (names.get(uid) or f"ID {uid}" for uid in unit.liaisons))


@office_only
async def remind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    notice = await chosen_notice(message, svc, list(context.args or []), NOT_A_NUMBER)
    if notice is None:
        return
    await remind_units(message, svc, notice)


async def remind_units(message: Message, svc: Services, notice: NoticeInfo) -> None:
    """Queue a nudge to every unit that received ``notice`` and has not signed; say so."""
    nudged = await offloop(_nudge, svc, notice)
    if nudged is None:
        await message.reply_text(
            html_message("通知 #{id} 已收到的单位都已签收，无需提醒。", id=notice.id)
        )
        return
    count, names = nudged
    log.info("manual nudge for notice %s: %d units", notice.id, count)
    await message.reply_text(
        html_message(
            "已向 {n} 个未签收单位发送提醒（通知 #{id}）：{names}{more}。",
            n=count,
            id=notice.id,
            names=html_join("、", names[:60]),
            more=f" 等 {len(names)} 个单位" if len(names) > 60 else "",
        )
    )


def _nudge(svc: Services, notice: NoticeInfo) -> tuple[int, list[str]] | None:
    """Queue the nudges: (how many, the units' names), or None when every unit has signed."""
    ledger = svc.store.ledger.for_notice(notice.id)
    targets = [u for u in ledger if u.ack is None and u.delivery.value == "sent"]
    if not targets:
        return None
    clock, now = svc.settings.working_time(), svc.now()
    by_code = {u.unit_code: u for u in targets}

    def text(code: str) -> str:
        due = by_code[code].due_at(notice.ack_within, clock)
        timing = (
            html_message(
                "签收时限 {due}，{left}。",
                due=format_due(due, svc.settings.tz),
                left=time_left(due, now, clock, svc.settings.calendar.enabled),
            )
            if due is not None
            else ""
        )
        return html_message(
            "⏰ <b>办公室提醒</b>：请尽快签收《{title}》（编号 #{id}）。{timing}\n"
            "请联络员点击下方“已收到”按钮，或回复“收到”、发送 /ack 签收。",
            title=notice.label,
            id=notice.id,
            timing=timing,
        )

    count = svc.store.outbox.queue_nudges(
        notice.id, [(u.unit_code, u.chat_id) for u in targets], text, now
    )
    return count, [u.unit_name for u in targets]


@office_only
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    notice = await chosen_notice(message, svc, list(context.args or []), NOT_A_NUMBER)
    if notice is None:
        return
    await send_export(message, svc, notice)


async def send_export(message: Message, svc: Services, notice: NoticeInfo) -> None:
    """The 签收单 of one notice as XLSX and CSV, in reply to ``message`` (/export, /notices)."""
    xlsx, csv = await offloop(_export_files, svc, notice)
    stamp = svc.now().astimezone(svc.settings.tz).strftime("%Y%m%d-%H%M")
    await message.reply_document(
        InputFile(xlsx, filename=f"签收单-通知{notice.id}-{stamp}.xlsx"),
        caption=f"签收单：通知 #{notice.id}《{notice.label}》",
        parse_mode=None,
    )
    await message.reply_document(
        InputFile(csv, filename=f"签收单-通知{notice.id}-{stamp}.csv"),
        caption="同一签收单（CSV，Excel 可直接打开）",
        parse_mode=None,
    )


def _export_files(svc: Services, notice: NoticeInfo) -> tuple[bytes, bytes]:
    """(XLSX, CSV with BOM) of one notice's 签收单."""
    report = _report(svc, notice)
    return to_xlsx([report]), format_csv(report).encode("utf-8-sig")


@office_only
async def ranking(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ranking [天数]: timeliness across the period's briefings (default: the last 7 days)."""
    message = update.effective_message
    assert message is not None
    svc = services(context)
    args = context.args or []
    days = parse_id(args[0]) if args else 7
    if days is None or days > 366:
        await message.reply_text(
            "用法：/ranking [天数]，例如 /ranking 30（默认 7 天，最多 366 天）。"
        )
        return
    await message.reply_text(await offloop(ranking_html, svc, days))


def ranking_html(svc: Services, days: int) -> str:
    """Timeliness per unit across the notices of the last ``days`` days."""
    now = svc.now()
    notices = svc.store.notices.published_since(now - timedelta(days=days))
    if not notices:
        return html_message("近 {days} 天没有发布通知。", days=days)
    ledgers = svc.store.ledger.for_notices([n.id for n in notices])
    scores = rank_units(notices, ledgers, now, svc.settings.working_time())
    lines = [
        html_message(
            "🏅 <b>签收及时率排名</b>（近 {days} 天，{n} 份通知）", days=days, n=len(notices)
        ),
        "名次 单位：按时/应签 · 及时率 · 签收用时中位数（按工作时间计）",
    ]
    for place, s in enumerate(scores, start=1):
        median = format_duration(s.median_to_ack) if s.median_to_ack is not None else "—"
        lines.append(
            html_message(
                "{place}. {unit}：{on_time}/{received} · {rate} · {median}{missing}",
                place=place,
                unit=s.unit_name,
                on_time=s.on_time,
                received=s.received,
                rate=f"{s.on_time_rate:.0%}",
                median=median,
                missing=f"（未签收 {s.missing}）" if s.missing else "",
            )
        )
    return "\n".join(lines)[:4000]


@office_only
async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/chart [ID]: acknowledgements over time and per unit group, as a picture."""
    message = update.effective_message
    assert message is not None
    svc = services(context)
    notice = await chosen_notice(message, svc, list(context.args or []), NOT_A_NUMBER)
    if notice is None:
        return
    png, refusal = await offloop(_chart_png, svc, notice)
    if png is None:
        await message.reply_text(html_message("{why}", why=refusal))
        return
    await message.reply_photo(
        InputFile(png, filename=f"签收进度-通知{notice.id}.png"),
        caption=f"通知 #{notice.id}《{notice.label}》签收进度",
        parse_mode=None,
    )


def _chart_png(svc: Services, notice: NoticeInfo) -> tuple[bytes | None, str]:
    """(the PNG, "") or (None, why not: no CJK font)."""
    # matplotlib costs ~0.45 s and ~40 MiB to import: only a process that draws a chart pays it,
    # and in this thread, not on the event loop
    from briefbot.charts import MissingCjkFont, progress_png

    ledger = svc.store.ledger.for_notice(notice.id)
    report = _report(svc, notice, ledger)
    try:
        return progress_png(notice, ledger, report, svc.now(), svc.settings.working_time()), ""
    except MissingCjkFont as exc:
        return None, str(exc)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("chart", chart))
    app.add_handler(CommandHandler("ranking", ranking))
    app.add_handler(CommandHandler("late", late))
    app.add_handler(CommandHandler("remind", remind))
    app.add_handler(CommandHandler("export", export))
