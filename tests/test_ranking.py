from datetime import timedelta

from briefbot.ledger import Ack, DeliveryState, NoticeInfo, NoticeKind, UnitLedger
from briefbot.ranking import rank_units
from briefbot.workcal import EveryDay, WorkingTime
from tests.botkit import OFFICE, feed, message_json, replies
from tests.conftest import TZ, at

ALWAYS = WorkingTime(EveryDay(), TZ)


def notice(i: int) -> NoticeInfo:
    return NoticeInfo(
        i, f"简报{i}", None, NoticeKind.ROUTINE, at("2025-12-01 09:00"), timedelta(hours=4)
    )


def line(code: str, sent: str, acked: str | None, state=DeliveryState.SENT) -> UnitLedger:
    ack = Ack(1, "x", "button", at(acked)) if acked else None
    return UnitLedger(
        code,
        f"{code}单位",
        "设区市",
        -1,
        (),
        state,
        at(sent) if sent else None,
        None,
        ack,
        (),
        None,
    )


def test_units_rank_by_on_time_rate_then_median_time_to_ack():
    ledgers = {
        1: [
            line("a", "2025-12-01 09:00", "2025-12-01 09:30"),
            line("b", "2025-12-01 09:00", "2025-12-01 10:00"),
            line("c", "2025-12-01 09:00", "2025-12-01 15:00"),  # late
            line("d", "", None, DeliveryState.UNREACHABLE),
        ],
        2: [
            line("a", "2025-12-02 09:00", "2025-12-02 09:10"),
            line("b", "2025-12-02 09:00", "2025-12-02 09:20"),
            line("c", "2025-12-02 09:00", None),  # never acknowledged
            line("d", "2025-12-02 09:00", "2025-12-02 09:05"),
        ],
    }
    scores = rank_units([notice(1), notice(2)], ledgers, at("2025-12-03 09:00"), ALWAYS)
    assert [s.unit_code for s in scores] == ["d", "a", "b", "c"]
    d, a, b, c = scores
    assert (d.received, d.on_time) == (1, 1)  # not charged for the notice it never got
    assert (a.received, a.on_time, a.median_to_ack) == (2, 2, timedelta(minutes=10))
    assert (c.received, c.on_time, c.late, c.missing) == (2, 0, 1, 1)
    assert b.median_to_ack == timedelta(minutes=20)  # the lower of 60 and 20 minutes
    assert c.on_time_rate == 0.0


async def test_ranking_command(app, emulator):
    from tests.botkit import ADMIN, DONGJIANG, LIAISON
    from tests.test_office_views import published

    await published(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/ranking")})
    text = replies(emulator, OFFICE)[-1]
    assert text.startswith("🏅 <b>签收及时率排名</b>（近 7 天，1 份通知）")
    assert "1. 东江市：1/1 · 100%" in text
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/ranking abc")})
    assert replies(emulator, OFFICE)[-1].startswith("用法：/ranking")
