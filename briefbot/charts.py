"""Acknowledgement progress as a picture for the office: over time, and per unit group.

matplotlib's object API with the Agg canvas (no pyplot global state). Chinese labels need a CJK
font: the project depends on ``noto-cjk-sans-otc`` (Noto Sans CJK, SIL OFL, from PyPI), so the
chart always has one; a system CJK font is used only if that package is missing. With no CJK font
at all the chart is refused (``MissingCjkFont``, in Chinese, naming what to install) rather than
drawn with boxes for every label.

The time axis counts working hours since publication (the calendar's working days and hours, as
the follow-up policy counts them), so a weekend is not sixty flat hours; the deadline is marked.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.reports import AckStatus, Report
from briefbot.timefmt import moment_text
from briefbot.workcal import WorkingTime

log = logging.getLogger(__name__)
BUNDLED_FAMILY = "Noto Sans CJK SC"
_CJK_FAMILIES = (
    BUNDLED_FAMILY,
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


INSTALL_HINT = (
    "无法绘制图表：找不到中文字体，图中文字会显示为方框。"
    "请安装 Python 包 noto-cjk-sans-otc（pip install noto-cjk-sans-otc），"
    "或系统字体 fonts-noto-cjk / fonts-wqy-microhei。"
)


class MissingCjkFont(RuntimeError):
    """No font that has Chinese glyphs; ``str()`` is Chinese and says what to install."""


_registered: list[bool] = []


def _register_bundled() -> None:
    """Make the font shipped by the ``noto-cjk-sans-otc`` package known to matplotlib (once)."""
    if _registered:
        return
    _registered.append(True)
    try:
        import noto_cjk_sans_otc  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        log.warning("the noto-cjk-sans-otc package is missing; looking for a system CJK font")
        return
    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))


def cjk_font(families: Sequence[str] = _CJK_FAMILIES) -> str:
    """The first CJK font family matplotlib can use; ``MissingCjkFont`` if there is none."""
    _register_bundled()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in families if name in installed), None)
    if found is None:
        log.error(
            "no CJK font for charts: install the noto-cjk-sans-otc package (pip) or "
            "fonts-noto-cjk / fonts-wqy-microhei (Debian)"
        )
        raise MissingCjkFont(INSTALL_HINT)
    return found


def progress_png(
    notice: NoticeInfo,
    ledger: Sequence[UnitLedger],
    report: Report,
    now: datetime,
    clock: WorkingTime,
) -> bytes:
    font = cjk_font()
    with rc_context({"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}):
        figure = Figure(figsize=(8, 6.5), dpi=120, layout="constrained")
        FigureCanvasAgg(figure)
        over_time, per_group = figure.subplots(2, 1, height_ratios=(1, 1.1))
        _over_time(over_time, notice, ledger, now, clock)
        _per_group(per_group, report)
        stamp = moment_text(now, clock.tz)
        figure.suptitle(f"《{notice.label}》签收情况（截至 {stamp}）", fontsize=12)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass(frozen=True)
class Timeline:
    """The over-time panel's numbers, in working hours since publication."""

    acked: list[float]  # each acknowledgement
    end: float  # now, or the last acknowledgement
    due: datetime | None  # the deadline of the first unit that received the notice
    due_hours: float | None
    received: int


def timeline(
    notice: NoticeInfo, ledger: Sequence[UnitLedger], now: datetime, clock: WorkingTime
) -> Timeline:
    def hours(moment: datetime) -> float:
        return clock.between(notice.published_at, moment).total_seconds() / 3600

    received = [u for u in ledger if u.sent_at is not None]
    acked = sorted(hours(u.ack.acked_at) for u in ledger if u.ack is not None)
    first = min(received, key=lambda u: u.sent_at or now, default=None)
    due = first.due_at(notice.ack_within, clock) if first is not None else None
    return Timeline(
        acked,
        max(hours(now), acked[-1] if acked else 0.0),
        due,
        hours(due) if due is not None else None,
        len(received),
    )


def _over_time(
    ax: Axes, notice: NoticeInfo, ledger: Sequence[UnitLedger], now: datetime, clock: WorkingTime
) -> None:
    t = timeline(notice, ledger, now, clock)
    ax.step(
        [0.0, *t.acked, t.end],
        [0, *range(1, len(t.acked) + 1), len(t.acked)],
        where="post",
        color="#4472C4",
        label="已签收",
    )
    ax.axhline(t.received, color="#A5A5A5", linestyle=":", label=f"已送达 {t.received}")
    if t.due is not None and t.due_hours is not None:
        ax.axvline(
            t.due_hours,
            color="#E15759",
            linestyle="--",
            label=f"签收时限 {moment_text(t.due, clock.tz)}",
        )
    ax.set_xlim(0, max(t.end, t.due_hours or 0.0) * 1.05 or 1.0)
    ax.set_xlabel("发布后经过的工作时间（小时，不含非工作日和非工作时段）")
    ax.set_ylabel("单位数")
    ax.set_ylim(0, max(t.received, 1) * 1.08)
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
