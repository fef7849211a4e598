"""Acknowledgement progress as a picture for the office: over time, and per unit group.

matplotlib's object API with the Agg canvas (no pyplot global state). Chinese labels need a CJK
font on the system (the Docker image installs WenQuanYi Micro Hei); without one the chart is
still drawn, and a warning says which package to install.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.reports import AckStatus, Report
from briefbot.workcal import WorkingTime

log = logging.getLogger(__name__)
_CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
_COLOURS = {
    AckStatus.ON_TIME: "#70AD47",
    AckStatus.LATE: "#FFC000",
    AckStatus.PENDING: "#9DC3E6",
    AckStatus.OVERDUE: "#E15759",
    AckStatus.UNREACHABLE: "#A5A5A5",
    AckStatus.QUEUED: "#D9D9D9",
}


def cjk_font() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in _CJK_FAMILIES if name in installed), None)
    if found is None:
        log.warning(
            "no CJK font found for charts: install fonts-wqy-microhei (Debian) or "
            "another Chinese font, or the labels will not show"
        )
    return found


def progress_png(
    notice: NoticeInfo,
    ledger: Sequence[UnitLedger],
    report: Report,
    now: datetime,
    clock: WorkingTime,
) -> bytes:
    font = cjk_font()
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with rc_context({"font.family": families, "axes.unicode_minus": False}):
        figure = Figure(figsize=(8, 6.5), dpi=120, layout="constrained")
        FigureCanvasAgg(figure)
        over_time, per_group = figure.subplots(2, 1, height_ratios=(1, 1.1))
        _over_time(over_time, notice, ledger, now, clock)
        _per_group(per_group, report)
        stamp = now.astimezone(clock.tz).strftime("%m-%d %H:%M")
        figure.suptitle(f"《{notice.label}》签收情况（截至 {stamp}）", fontsize=12)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _hours(since: datetime, moment: datetime) -> float:
    return (moment - since).total_seconds() / 3600


def _over_time(
    ax: Axes, notice: NoticeInfo, ledger: Sequence[UnitLedger], now: datetime, clock: WorkingTime
) -> None:
    received = [u for u in ledger if u.sent_at is not None]
    acked = sorted(_hours(notice.published_at, u.ack.acked_at) for u in ledger if u.ack is not None)
    end = max(_hours(notice.published_at, now), acked[-1] if acked else 0.0)
    ax.step(
        [0.0, *acked, end],
        [0, *range(1, len(acked) + 1), len(acked)],
        where="post",
        color="#4472C4",
        label="已签收",
    )
    ax.axhline(len(received), color="#A5A5A5", linestyle=":", label=f"已送达 {len(received)}")
    first = min((u for u in received), key=lambda u: u.sent_at or now, default=None)
    due = first.due_at(notice.ack_within, clock) if first is not None else None
    if due is not None and _hours(notice.published_at, due) <= end * 1.5:
        ax.axvline(
            _hours(notice.published_at, due), color="#E15759", linestyle="--", label="签收时限"
        )
    ax.set_xlabel("发布后小时数")
    ax.set_ylabel("单位数")
    ax.set_ylim(0, max(len(received), 1) * 1.08)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)


def _per_group(ax: Axes, report: Report) -> None:
    groups: dict[str, Counter[AckStatus]] = {}
    for row in report.rows:
        groups.setdefault(row.group or "未分组", Counter())[row.status] += 1
    names = list(groups)
    left = [0] * len(names)
    for status in AckStatus:
        widths = [groups[g][status] for g in names]
        if any(widths):
            ax.barh(names, widths, left=left, color=_COLOURS[status], label=status.value)
            left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlabel("单位数")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, ncols=6, frameon=False)
