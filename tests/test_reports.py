import csv
import io
import json
from datetime import timedelta

from briefbot.ledger import Ack, DeliveryState, NoticeInfo, NoticeKind, UnitLedger
from briefbot.reports import (
    AckStatus,
    build_report,
    format_csv,
    format_json,
    format_status_html,
    format_table,
)
from briefbot.workcal import EveryDay, WorkingTime
from tests.conftest import TZ, at
from tgemu.htmltext import visible_text

ALWAYS = WorkingTime(EveryDay(), TZ)

NOTICE = NoticeInfo(
    1, "测试简报", "第1期", NoticeKind.ROUTINE, at("2026-11-30 09:00"), timedelta(hours=4)
)
SENT = at("2026-11-30 09:00")


def _unit(code, group="设区市", delivery=DeliveryState.SENT, ack_at=None, reminders=0, error=None):
    ack = Ack(1, f"{code}联络员", "button", ack_at) if ack_at else None
    return UnitLedger(
        code,
        f"{code}单位",
        group,
        -1,
        (),
        delivery,
        SENT if delivery is DeliveryState.SENT else None,
        error,
        ack,
        tuple(SENT for _ in range(reminders)),
        None,
    )


LEDGER = [
    _unit("a", ack_at=at("2026-11-30 10:00")),
    _unit("b", ack_at=at("2026-11-30 14:30"), reminders=1),
    _unit("c"),
    _unit("d", group="省直部门", delivery=DeliveryState.UNREACHABLE, error="403 kicked"),
    _unit("e", group="省直部门", delivery=DeliveryState.PENDING),
]


def test_statuses_at_a_fixed_time():
    early = build_report(NOTICE, LEDGER, at("2026-11-30 12:00"), ALWAYS)
    assert [r.status for r in early.rows] == [
        AckStatus.ON_TIME,
        AckStatus.LATE,
        AckStatus.PENDING,
        AckStatus.UNREACHABLE,
        AckStatus.QUEUED,
    ]
    late = build_report(NOTICE, LEDGER, at("2026-11-30 15:00"), ALWAYS)
    assert late.rows[2].status is AckStatus.OVERDUE and late.rows[2].seconds_late == 7200
    assert late.rows[1].seconds_late == 5400 and late.rows[1].acked_at == "2026-11-30 14:30:00"
    assert late.rows[3].note == "机器人已被移出该群"  # no raw English (issue 10, point 14)
    assert late.rows[0].delivered == "已送达 11月30日 09:00"
    assert (late.rows[3].delivered, late.rows[4].delivered) == ("无法送达", "待发送")


def test_formats_agree():
    report = build_report(NOTICE, LEDGER, at("2026-11-30 15:00"), ALWAYS)
    rows = list(csv.reader(io.StringIO(format_csv(report))))
    assert rows[0][3] == "状态" and [r[3] for r in rows[1:]] == [
        "按时签收",
        "逾期签收",
        "逾期未签收",
        "无法送达",
        "待送达",
    ]
    data = json.loads(format_json(report))
    assert data["counts"]["按时签收"] == 1 and data["units"][2]["status"] == "逾期未签收"
    table = format_table(report)
    assert "共 5 个单位：按时签收 1，逾期签收 1，逾期未签收 1，无法送达 1，待送达 1" in table
    assert "1小时30分钟" in table and "2小时" in table


def test_status_html_is_valid_and_fits():
    many = [_unit(f"u{i:04d}") for i in range(2000)]
    report = build_report(NOTICE, many, at("2026-11-30 15:00"), ALWAYS)
    text = format_status_html(report)
    plain = visible_text(text)
    assert len(plain) <= 4096 and "逾期未签收 2000" in plain and "/export 1" in plain
