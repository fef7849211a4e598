"""The office's other views: /late (who is overdue now), /remind [ID] (nudge now),
/export [ID] (the 签收单 as XLSX and CSV; of many notices, one workbook: /export 3,5,8,
/export 1-20, /export 7天), /ranking, /chart. Office admins in the office chat only.

Each view is gathered in a worker thread (``offloop``): the store reads, the report, the XLSX,
the chart; the event loop only sends the answer. The export of many notices (a million cells
for 2 000 units × 50 notices) runs in a child process, in the background: the office chat is
free for /status meanwhile, and the workbook follows when it is ready."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import InputFile, Message, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from briefbot.bulk_export import ExportFailed, export_in_child
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


BULK_MAX = 100  # notices in one workbook
BULK_USAGE = (
    "用法：/export 编号（一份通知，XLSX 和 CSV）；/export 3,5,8 或 /export 1-20（多份通知，"
    f"一个工作簿，每份一个工作表，最多 {BULK_MAX} 份）；/export 7天（近 7 天发布的通知）。"
)
_BULK_KEY = "bulk_export_running"
_PERIOD = re.compile(r"^([0-9]{1,3})(?:天|d|D)$")
_RANGE = re.compile(r"^(#?[0-9]{1,12})-(#?[0-9]{1,12})$")


def bulk_ids(svc: Services, text: str) -> list[int] | str | None:
    """The notices an ``/export`` of many names (a list, a range or a period), or why not (a
    Chinese line); None when ``text`` names one notice or none (store reads: off the loop)."""
    text = re.sub(r"[，、]", ",", text).replace("－", "-").replace("～", "-").replace("~", "-")
    text = text.replace("至", "-").replace(" ", "")
    period = _PERIOD.fullmatch(text)
    if period is not None:
        days = int(period.group(1))
        ids = [n.id for n in svc.store.notices.published_since(svc.now() - timedelta(days=days))]
        if not ids:
            return html_message("近 {days} 天没有发布通知。", days=days)
    elif "," in text or "-" in text:
        ids = []
        for part in filter(None, text.split(",")):
            span = _RANGE.fullmatch(part)
            if span is not None:
                first, last = parse_id(span.group(1)), parse_id(span.group(2))
                if first is None or last is None or last < first or last - first >= BULK_MAX:
                    return BULK_USAGE
                ids.extend(range(first, last + 1))
            elif (one := parse_id(part)) is not None:
                ids.append(one)
            else:
                return BULK_USAGE
        ids = list(dict.fromkeys(ids))
        missing = [i for i in ids if svc.store.notices.notice(i) is None]
        if missing:
            return html_message(
                "找不到编号为 {ids} 的通知。", ids="、".join(map(str, missing[:20]))
            )
    else:
        return None
    if len(ids) > BULK_MAX:
        return f"一次最多导出 {BULK_MAX} 份通知的签收单，请缩小范围。"
    return ids


@office_only
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    svc = services(context)
    args = list(context.args or [])
    many = await offloop(bulk_ids, svc, " ".join(args)) if args else None
    if isinstance(many, str):
        await message.reply_text(many)
        return
    if many is not None:
        await start_bulk_export(update, context, message, many)
        return
    notice = await chosen_notice(message, svc, args, NOT_A_NUMBER)
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


async def start_bulk_export(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, ids: list[int]
) -> None:
    """Say the export has started and send the workbook when the child process has made it.
    In the background: this chat's next update (a /status) need not wait for it."""
    if context.bot_data.get(_BULK_KEY):
        await message.reply_text("上一份签收单仍在导出，请稍候再试。")
        return
    context.bot_data[_BULK_KEY] = True
    await message.reply_text(
        html_message(
            "正在导出 {n} 份通知的签收单（一个工作簿，每份通知一个工作表），完成后发到本群。",
            n=len(ids),
        )
    )
    context.application.create_task(_bulk_export(context, message, ids), update=update)


async def _bulk_export(
    context: ContextTypes.DEFAULT_TYPE, message: Message, ids: list[int]
) -> None:
    svc = services(context)
    try:
        try:
            data = await export_in_child(svc.settings, ids, svc.now())
        except (ExportFailed, OSError) as exc:
            log.error("export of %d notices failed: %s", len(ids), exc)
            await message.reply_text("签收单导出失败，请稍后重试；如仍失败请联系运维人员。")
            return
        stamp = svc.now().astimezone(svc.settings.tz).strftime("%Y%m%d-%H%M")
        log.info("export of %d notices: %d bytes", len(ids), len(data))
        await message.reply_document(
            InputFile(data, filename=f"签收单-{len(ids)}份通知-{stamp}.xlsx"),
            caption=f"签收单：{len(ids)} 份通知（#{ids[0]} 起），每份通知一个工作表",
            parse_mode=None,
        )
    finally:
        context.bot_data[_BULK_KEY] = False


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
