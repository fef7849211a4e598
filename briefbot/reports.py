"""The ack list (签收单): who acknowledged on time, late, not yet, or never got the notice."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from briefbot.causes import describe
from briefbot.durations import format_duration
from briefbot.ledger import DeliveryState, NoticeInfo, UnitLedger
from briefbot.store.feedbacks import FEEDBACK_WORDS, FeedbackState
from briefbot.timefmt import moment_text, moment_with_weekday
from briefbot.workcal import WorkingTime

if TYPE_CHECKING:  # the store imports this module's neighbours; only the type is needed
    from briefbot.store import Store


class AckStatus(StrEnum):
    ON_TIME = "按时签收"
    LATE = "逾期签收"
    PENDING = "待签收"
    OVERDUE = "逾期未签收"
    UNREACHABLE = "无法送达"
    QUEUED = "待送达"


STATUS_ORDER = list(AckStatus)


def status_of(
    unit: UnitLedger,
    notice: NoticeInfo,
    now: datetime,
    clock: WorkingTime,
    due: datetime | None = None,
) -> AckStatus:
    if due is None:
        due = unit.due_at(notice.ack_within, clock)
    return ack_status(unit.delivery, unit.ack.acked_at if unit.ack else None, due, now)


def ack_status(
    delivery: DeliveryState, acked_at: datetime | None, due: datetime | None, now: datetime
) -> AckStatus:
    """A unit's status from its delivery, its acknowledgement time and its due time (the one
    rule for the report, the 签收单 and the ranking)."""
    if acked_at is not None:
        return AckStatus.ON_TIME if due is None or acked_at <= due else AckStatus.LATE
    if delivery in (DeliveryState.UNREACHABLE, DeliveryState.FAILED):
        return AckStatus.UNREACHABLE
    if delivery is not DeliveryState.SENT or due is None:
        return AckStatus.QUEUED
    return AckStatus.OVERDUE if now >= due else AckStatus.PENDING


def seconds_late(
    status: AckStatus,
    acked_at: datetime | None,
    due: datetime | None,
    now: datetime,
    clock: WorkingTime,
) -> int | None:
    """Working seconds past the due time: to the acknowledgement, or to now while overdue."""
    if acked_at is not None and due is not None and acked_at > due:
        return int(clock.between(due, acked_at).total_seconds())
    if status is AckStatus.OVERDUE and due is not None:
        return int(clock.between(due, now).total_seconds())
    return None


@dataclass(frozen=True)
class ReportRow:
    unit_code: str
    unit_name: str
    group: str
    status: AckStatus
    acked_by: str
    acked_at: str
    seconds_late: int | None
    reminders: int
    escalated: bool
    delivery: str
    delivered: str  # the delivery state in words, with the time it was delivered
    note: str
    comment: str = ""  # the liaison's words with the acknowledgement
    feedback: str = (
        ""  # 落实反馈: 未提交 / 已提交待审 / 已采纳 / 已退回, when the notice asks for it
    )
    # the same moments as datetimes (the XLSX writes real date cells), and the unit's due time
    acked_time: datetime | None = None
    sent_time: datetime | None = None
    due_time: datetime | None = None


@dataclass(frozen=True)
class Report:
    notice: NoticeInfo
    rows: tuple[ReportRow, ...]
    generated_at: datetime
    tz: tzinfo = UTC  # the office's time zone, for the times shown

    def due_range(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest due time of the units that received the notice."""
        dues = [r.due_time for r in self.rows if r.due_time is not None]
        return (min(dues), max(dues)) if dues else None

    @property
    def counts(self) -> Counter[AckStatus]:
        return Counter(r.status for r in self.rows)


def build_report(
    notice: NoticeInfo,
    ledger: Sequence[UnitLedger],
    now: datetime,
    clock: WorkingTime,
    feedback: Mapping[str, FeedbackState] | None = None,
) -> Report:
    """``feedback``: the units' 落实反馈 states, when the notice asks for feedback.

    Lateness (``seconds_late``) is counted in working time, as the follow-up policy counts the
    time allowed: a unit that signs at 09:03 on Monday for a notice due at 17:30 on Friday is a
    few minutes late, not two days and a half."""
    tz = clock.tz
    rows = []
    delivered_words: dict[datetime | None, str] = {}  # by the minute: a push spans a few
    for unit in ledger:
        due = unit.due_at(notice.ack_within, clock)
        acked_at = unit.ack.acked_at if unit.ack else None
        status = ack_status(unit.delivery, acked_at, due, now)
        rows.append(
            ReportRow(
                unit_code=unit.unit_code,
                unit_name=unit.unit_name,
                group=unit.group,
                status=status,
                acked_by=unit.ack.user_name if unit.ack else "",
                acked_at=(
                    unit.ack.acked_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
                    if unit.ack
                    else ""
                ),
                seconds_late=seconds_late(status, acked_at, due, now, clock),
                reminders=len(unit.reminders),
                escalated=unit.escalated_at is not None,
                delivery=unit.delivery.value,
                delivered=_delivered(unit, tz, delivered_words),
                note=describe(unit.last_error) if status is AckStatus.UNREACHABLE else "",
                comment=(unit.ack.comment or "") if unit.ack else "",
                feedback=feedback_words(feedback, unit.unit_code),
                acked_time=unit.ack.acked_at if unit.ack else None,
                sent_time=unit.sent_at if unit.delivery is DeliveryState.SENT else None,
                due_time=due,
            )
        )
    return Report(notice=notice, rows=tuple(rows), generated_at=now, tz=tz)


def feedback_words(feedback: Mapping[str, FeedbackState] | None, unit_code: str) -> str:
    """A unit's 落实反馈 in words, or "" when the notice asks for none."""
    if feedback is None:
        return ""
    state = feedback.get(unit_code)
    return FEEDBACK_WORDS[state] if state is not None else "未提交"


_DELIVERY_WORDS = {
    DeliveryState.PENDING: "待发送",
    DeliveryState.SENDING: "发送中",
    DeliveryState.FAILED: "发送失败",
    DeliveryState.UNREACHABLE: "无法送达",
}


def _delivered(unit: UnitLedger, tz: tzinfo, known: dict[datetime | None, str]) -> str:
    if unit.delivery is DeliveryState.SENT and unit.sent_at is not None:
        minute = unit.sent_at.replace(second=0, microsecond=0)
        words = known.get(minute)
        if words is None:
            words = known[minute] = f"已送达 {moment_text(unit.sent_at, tz)}"
        return words
    return delivery_words(unit.delivery)


def delivery_words(delivery: DeliveryState) -> str:
    """An undelivered notice's state in words (待发送, 发送失败, 无法送达…)."""
    return _DELIVERY_WORDS.get(delivery, delivery.value)


def notice_report(
    store: Store,
    notice: NoticeInfo,
    now: datetime,
    clock: WorkingTime,
    ledger: Sequence[UnitLedger] | None = None,
) -> Report:
    """The office's ack list of one notice, with the units' 落实反馈 when it asks for it."""
    if ledger is None:
        ledger = store.ledger.for_notice(notice.id)
    return build_report(notice, ledger, now, clock, store.feedback_view(notice.id))


def ack_fraction(report: Report) -> tuple[int, int]:
    """(acknowledged, received): the one denominator the board and the digest both count — the
    units that received the notice (unreachable and still queued ones are not expected to sign)."""
    c = report.counts
    acked = c[AckStatus.ON_TIME] + c[AckStatus.LATE]
    return acked, len(report.rows) - c[AckStatus.UNREACHABLE] - c[AckStatus.QUEUED]


def summary_line(report: Report) -> str:
    return summary_text(report.counts, len(report.rows))


def summary_text(counts: Mapping[AckStatus, int], total: int) -> str:
    """``共 2000 个单位：按时签收 1700，逾期未签收 300``."""
    parts = [f"{s.value} {counts[s]}" for s in STATUS_ORDER if counts.get(s)]
    return f"共 {total} 个单位：" + "，".join(parts)


_HEADERS = [
    "单位代码",
    "单位",
    "分组",
    "状态",
    "签收人",
    "签收时间",
    "逾期时长（工作时间）",
    "提醒次数",
    "已上报",
    "投递",
    "签收备注",
    "落实反馈",
    "备注",
]


def _cells(row: ReportRow) -> list[str]:
    return [
        row.unit_code,
        row.unit_name,
        row.group,
        row.status.value,
        row.acked_by,
        row.acked_at,
        "" if row.seconds_late is None else format_duration(timedelta(seconds=row.seconds_late)),
        str(row.reminders),
        "是" if row.escalated else "",
        row.delivered,
        row.comment,
        row.feedback,
        row.note,
    ]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(report: Report) -> str:
    table = [_HEADERS] + [_cells(r) for r in report.rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(_HEADERS))]
    lines = [
        f"通知 #{report.notice.id} {report.notice.label}",
        summary_line(report),
        "",
    ]
    for row in table:
        lines.append(
            "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP "CSV injection"): text starting with
    ``= + - @``, a tab or a carriage return gets a leading single quote, which Excel and LibreOffice
    show as plain text. Comments, names and titles come from users and documents."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def format_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_HEADERS)
    writer.writerows([csv_safe(c) for c in _cells(r)] for r in report.rows)
    return buffer.getvalue()


def format_json(report: Report) -> str:
    notice = report.notice
    return json.dumps(
        {
            "notice": {
                "id": notice.id,
                "title": notice.title,
                "issue": notice.issue,
                "kind": notice.kind.value,
                "published_at": notice.published_at.isoformat(),
            },
            "counts": {s.value: report.counts[s] for s in STATUS_ORDER},
            "units": [
                {
                    **{
                        k: v.isoformat() if isinstance(v, datetime) else v
                        for k, v in asdict(r).items()
                    },
                    "status": r.status.value,
                }
                for r in report.rows
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def due_text(report: Report) -> str | None:
    """``12月7日（周一）09:10前``: when acknowledgement is due (a range when the units received
    the notice at times far enough apart to differ)."""
    return due_span_text(report.due_range(), report.tz)


def due_span_text(span: tuple[datetime, datetime] | None, tz: tzinfo) -> str | None:
    if span is None:
        return None
    first, last = (moment_with_weekday(d, tz) for d in span)
    return f"{first}前" if first == last else f"{first}至{last}前"


def format_status_html(
    report: Report,
    limit: int = 4000,
    feedback: str | None = None,
    superseded_by: int | None = None,
    feedback_overdue: Sequence[str] = (),
) -> str:
    """The office's in-chat view: counts, then units grouped by status and unit group. It reads
    the same when forwarded: it says when it was made, and every time carries its date.

    Acknowledged units are listed last and are the first to be abbreviated when the list is long.
    ``superseded_by``: the correction that replaced this notice. ``feedback_overdue``: units
    whose 落实反馈 is past its deadline.
    """
    from briefbot.render import html_join, html_message, visible_length

    notice = report.notice
    head: list[str] = [
        html_message("📊 <b>签收情况</b>：通知 #{id}《{title}》", id=notice.id, title=notice.label),
        html_message("截至 {now}", now=moment_text(report.generated_at, report.tz)),
    ]
    if superseded_by is not None:
        head.append(
            html_message(
                "⚠️ 本通知已被更正通知 #{new} 取代，请以更正后的通知为准。", new=superseded_by
            )
        )
    due = due_text(report)
    if due is not None:
        head.append(html_message("⏳ 签收时限：{due}", due=due))
    head.append(html_message("{summary}", summary=summary_line(report)))
    if feedback:
        head.append(html_message("📌 反馈截止：{due}", due=feedback))
    states = Counter(r.feedback for r in report.rows if r.feedback)
    if states:
        head.append(
            html_message(
                "落实反馈：{states}",
                states="，".join(f"{k} {v}" for k, v in sorted(states.items())),
            )
        )
    if feedback_overdue:
        head.append(
            html_message(
                "反馈逾期 {n} 个：{names}",
                n=len(feedback_overdue),
                names=html_join("、", feedback_overdue[:30]),
            )
            + (f" 等 {len(feedback_overdue)} 个单位" if len(feedback_overdue) > 30 else "")
        )
    order = [
        AckStatus.UNREACHABLE,
        AckStatus.OVERDUE,
        AckStatus.PENDING,
        AckStatus.QUEUED,
        AckStatus.LATE,
        AckStatus.ON_TIME,
    ]
    blocks: list[tuple[str, list[str]]] = []
    for status in order:
        rows = [r for r in report.rows if r.status is status]
        if not rows:
            continue
        by_group: dict[str, list[str]] = {}
        for r in rows:
            label = r.unit_name
            if r.acked_by:
                when = moment_text(r.acked_time, report.tz) if r.acked_time else r.acked_at
                label += f"（{r.acked_by} {when}）"
            if r.reminders and status in (AckStatus.OVERDUE, AckStatus.LATE):
                label += f"［提醒{r.reminders}次］"
            by_group.setdefault(r.group or "未分组", []).append(label)
        lines: list[str] = [
            html_message("{group}：{names}", group=g, names=html_join("、", names))
            for g, names in by_group.items()
        ]
        blocks.append(
            (html_message("<b>{status}（{n}）</b>", status=status.value, n=len(rows)), lines)
        )
    text = "\n".join(head)
    for title, group_lines in blocks:
        candidate = text + "\n\n" + title + "\n" + "\n".join(group_lines)
        if visible_length(candidate) <= limit:
            text = candidate
            continue
        text += (
            "\n\n"
            + title
            + html_message("\n（单位较多，完整名单请发送 /export {id} 获取签收单）", id=notice.id)
        )
    return text
