"""The office's view of a push in progress, and its final summary (HTML, names escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from briefbot.causes import describe
from briefbot.durations import format_duration
from briefbot.ledger import DeliveryState, NoticeInfo, UnitLedger
from briefbot.render import html_join, html_message
from briefbot.reports import AckStatus, Report, ack_fraction
from briefbot.store.progress import PushCounts
from briefbot.timefmt import moment_text


def expected_finish(counts: PushCounts, now: datetime, pace: float) -> datetime | None:
    """When the rest will be sent: at the rate seen so far, or at ``pace`` before any is sent."""
    if counts.remaining == 0:
        return now
    rate = pace
    if counts.first_sent_at is not None and counts.sent >= 10:
        elapsed = (now - counts.first_sent_at).total_seconds()
        if elapsed > 1:
            rate = counts.sent / elapsed
    return now + timedelta(seconds=counts.remaining / max(rate, 0.01))


def progress_html(
    notice: NoticeInfo, counts: PushCounts, now: datetime, tz: tzinfo, pace: float
) -> str:
    finish = expected_finish(counts, now, pace)
    eta = f"，预计 {moment_text(finish, tz)} 完成" if finish is not None else ""
    return html_message(
        "📤 <b>正在推送</b>：通知 #{id}《{title}》\n"
        "已送达 {sent}，失败 {failed}，无法送达 {unreachable}，"
        "待发送 {remaining}（共 {total} 个单位）{eta}",
        id=notice.id,
        title=notice.label,
        sent=counts.sent,
        failed=counts.failed,
        unreachable=counts.unreachable,
        remaining=counts.remaining,
        total=counts.total,
        eta=eta,
    )


def ack_board(report: Report) -> str:
    """The acknowledgement lines under a finished push, kept current as acks arrive."""
    c = report.counts
    acked, received = ack_fraction(report)
    line = (
        f"📋 签收：{acked}/{received}（按时 {c[AckStatus.ON_TIME]}，逾期签收 {c[AckStatus.LATE]}），"
        f"待签收 {c[AckStatus.PENDING]}，逾期未签收 {c[AckStatus.OVERDUE]}"
    )
    overdue = [r.unit_name for r in report.rows if r.status is AckStatus.OVERDUE]
    if overdue:
        line += html_message("\n逾期未签收：{names}", names=html_join("、", overdue[:40]))
        if len(overdue) > 40:
            line += f" 等 {len(overdue)} 个单位"
    return line


def final_html(
    notice: NoticeInfo,
    counts: PushCounts,
    ledger: Sequence[UnitLedger],
    now: datetime,
) -> str:
    """The push took from publication to the last delivery."""
    took = (counts.last_sent_at or now) - notice.published_at
    lines = [
        html_message("✅ <b>推送完成</b>：通知 #{id}《{title}》", id=notice.id, title=notice.label),
        f"共 {counts.total} 个单位：已送达 {counts.sent}，失败 {counts.failed}，"
        f"无法送达 {counts.unreachable}；用时{format_duration(took)}。",
    ]
    problems = [
        u for u in ledger if u.delivery in (DeliveryState.UNREACHABLE, DeliveryState.FAILED)
    ]
    if problems:
        lines.append("")
        lines.append("以下单位未收到通知（不计入未签收，请核实群组后处理）：")
        lines.extend(
            html_message("• {unit}：{why}", unit=u.unit_name, why=describe(u.last_error))
            for u in problems[:60]
        )
        if len(problems) > 60:
            lines.append(
                html_message(
                    "……另有 {n} 个单位，完整名单请发送 /export {id} 获取签收单。",
                    n=len(problems) - 60,
                    id=notice.id,
                )
            )
    return "\n".join(lines)
