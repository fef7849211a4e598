"""The office's other views: /late (who is overdue now), /remind [ID] (nudge now),
/export [ID] (the 签收单 as XLSX and CSV). Office admins in the office chat only."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import InputFile, Message, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from briefbot.durations import format_duration
from briefbot.export import to_xlsx
from briefbot.ids import parse_id
from briefbot.labels import notice_label
from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.ranking import rank_units
from briefbot.render import html_join, html_message
from briefbot.reports import AckStatus, Report, format_csv, notice_report
from briefbot.runtime import Services
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
    svc = services(context)
    lines = []
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
            lines.append(
                html_message(
                    "<b>{label}</b>逾期 {n} 个：{names}",
                    label=notice_label(svc.store, notice),
                    n=len(overdue),
                    names=names,
                )
            )
    if not lines:
        await message.reply_text("目前没有逾期未签收的单位。")
        return
    await message.reply_text("⏰ <b>逾期未签收</b>\n" + "\n".join(lines)[:3900])


@office_only
async def remind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    notice = await chosen_notice(message, svc, list(context.args or []), NOT_A_NUMBER)
    if notice is None:
        return
    ledger = svc.store.ledger.for_notice(notice.id)
    targets = [u for u in ledger if u.ack is None and u.delivery.value == "sent"]
    if not targets:
        await message.reply_text(
            html_message("通知 #{id} 已收到的单位都已签收，无需提醒。", id=notice.id)
        )
        return
    text = html_message(
        "⏰ <b>办公室提醒</b>：请尽快签收《{title}》。"
        "请联络员点击下方“已收到”按钮，或回复 /ack 签收。",
        title=notice.label,
    )
    count = svc.store.outbox.queue_nudges(
        notice.id, [(u.unit_code, u.chat_id) for u in targets], text, svc.now()
    )
    log.info("manual nudge for notice %s: %d units", notice.id, count)
    names = [u.unit_name for u in targets]
    await message.reply_text(
        html_message(
            "已向 {n} 个未签收单位发送提醒（通知 #{id}）：{names}{more}。",
            n=count,
            id=notice.id,
            names=html_join("、", names[:60]),
            more=f" 等 {len(names)} 个单位" if len(names) > 60 else "",
        )
    )


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
    report = _report(svc, notice)
    stamp = svc.now().astimezone(svc.settings.tz).strftime("%Y%m%d-%H%M")
    await message.reply_document(
        InputFile(to_xlsx([report]), filename=f"签收单-通知{notice.id}-{stamp}.xlsx"),
        caption=f"签收单：通知 #{notice.id}《{notice.label}》",
        parse_mode=None,
    )
    await message.reply_document(
        InputFile(
            format_csv(report).encode("utf-8-sig"), filename=f"签收单-通知{notice.id}-{stamp}.csv"
        ),
        caption="同一签收单（CSV，Excel 可直接打开）",
        parse_mode=None,
    )


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
    now = svc.now()
    notices = svc.store.notices.published_since(now - timedelta(days=days))
    if not notices:
        await message.reply_text(html_message("近 {days} 天没有发布通知。", days=days))
        return
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
    await message.reply_text("\n".join(lines)[:4000])


@office_only
async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/chart [ID]: acknowledgements over time and per unit group, as a picture."""
    # matplotlib costs ~0.45 s and ~40 MiB to import: only a process that draws a chart pays it
    from briefbot.charts import MissingCjkFont, progress_png

    message = update.effective_message
    assert message is not None
    svc = services(context)
    notice = await chosen_notice(message, svc, list(context.args or []), NOT_A_NUMBER)
    if notice is None:
        return
    ledger = svc.store.ledger.for_notice(notice.id)
    report = _report(svc, notice, ledger)
    try:
        png = progress_png(notice, ledger, report, svc.now(), svc.settings.working_time())
    except MissingCjkFont as exc:
        await message.reply_text(html_message("{why}", why=exc))
        return
    await message.reply_photo(
        InputFile(png, filename=f"签收进度-通知{notice.id}.png"),
        caption=f"通知 #{notice.id}《{notice.label}》签收进度",
        parse_mode=None,
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("chart", chart))
    app.add_handler(CommandHandler("ranking", ranking))
    app.add_handler(CommandHandler("late", late))
    app.add_handler(CommandHandler("remind", remind))
    app.add_handler(CommandHandler("export", export))
