"""Working time on China's calendar, and the follow-up policy on it, with fixed moments."""

from __future__ import annotations

import logging
from datetime import date, time, timedelta

import pytest

from briefbot.followup import FollowUpPolicy, Reminder, plan_follow_up
from briefbot.ledger import Ack, DeliveryState, UnitLedger
from briefbot.settings import parse_settings
from briefbot.workcal import ChineseCalendar, WorkingTime, parse_periods
from tests.conftest import BASE_CONFIG, TZ, at

HOURS = parse_periods(["08:30-12:00", "14:30-18:00"])
OFFICE_HOURS = WorkingTime(ChineseCalendar(), TZ, HOURS)
POLICY = FollowUpPolicy(
    ack_within=timedelta(hours=4), remind_every=timedelta(hours=2), max_reminders=2
)


def unit(sent, reminders=(), ack=None) -> UnitLedger:
    return UnitLedger(
        "a",
        "东江市",
        "设区市",
        -100,
        (20001,),
        DeliveryState.SENT,
        sent,
        None,
        ack,
        tuple(reminders),
        None,
    )


def test_deadline_across_a_weekend():
    sent = at("2025-11-28 16:00")  # a Friday
    assert unit(sent).due_at(POLICY.ack_within, OFFICE_HOURS) == at("2025-12-01 10:30")
    assert plan_follow_up([unit(sent)], POLICY, at("2025-11-29 10:00"), OFFICE_HOURS).empty
    assert plan_follow_up([unit(sent)], POLICY, at("2025-12-01 10:29"), OFFICE_HOURS).empty
    plan = plan_follow_up([unit(sent)], POLICY, at("2025-12-01 10:30"), OFFICE_HOURS)
    assert plan.reminders == (Reminder("a", 1, False),)


def test_deadline_across_the_national_day_holiday():
    sent = at("2025-09-30 16:00")  # the eve of 1-8 October 2025
    assert unit(sent).due_at(POLICY.ack_within, OFFICE_HOURS) == at("2025-10-09 10:30")
    assert plan_follow_up([unit(sent)], POLICY, at("2025-10-06 10:30"), OFFICE_HOURS).empty


def test_a_make_up_saturday_is_a_working_day():
    sent = at("2025-10-10 16:00")  # Friday; Saturday 11 October 2025 is a 调休 working day
    assert unit(sent).due_at(POLICY.ack_within, OFFICE_HOURS) == at("2025-10-11 10:30")
    plan = plan_follow_up([unit(sent)], POLICY, at("2025-10-11 10:30"), OFFICE_HOURS)
    assert plan.reminders == (Reminder("a", 1, False),)
    # and an ordinary Saturday is not
    assert not OFFICE_HOURS.is_working(at("2025-10-18 10:30"))


def test_nothing_goes_out_outside_working_hours():
    sent = at("2025-12-01 09:00")  # Monday: due at 15:30 after the lunch break
    assert unit(sent).due_at(POLICY.ack_within, OFFICE_HOURS) == at("2025-12-01 15:30")
    for quiet in ("2025-12-01 12:30", "2025-12-01 19:00", "2025-12-02 07:59"):
        assert plan_follow_up([unit(sent)], POLICY, at(quiet), OFFICE_HOURS).empty, quiet
    plan = plan_follow_up([unit(sent)], POLICY, at("2025-12-02 08:30"), OFFICE_HOURS)
    assert plan.reminders == (Reminder("a", 1, False),)


def test_reminders_are_spaced_in_working_time():
    sent = at("2025-12-01 09:00")
    first = at("2025-12-01 17:30")  # 30 working minutes left today
    assert plan_follow_up([unit(sent, [first])], POLICY, at("2025-12-02 09:59"), OFFICE_HOURS).empty
    plan = plan_follow_up([unit(sent, [first])], POLICY, at("2025-12-02 10:00"), OFFICE_HOURS)
    assert plan.reminders == (Reminder("a", 2, True),)


def test_an_ack_between_reminders_stops_the_follow_up():
    sent = at("2025-12-01 09:00")
    ack = Ack(20001, "联络员", "button", at("2025-12-01 16:00"))
    assert plan_follow_up(
        [unit(sent, [at("2025-12-01 15:30")], ack)], POLICY, at("2025-12-02 10:00"), OFFICE_HOURS
    ).empty


def test_cap_then_escalation_in_working_time():
    sent = at("2025-12-01 09:00")
    reminded = [at("2025-12-01 15:30"), at("2025-12-02 09:00")]
    assert plan_follow_up(
        [unit(sent, reminded)], POLICY, at("2025-12-02 10:59"), OFFICE_HOURS
    ).empty
    plan = plan_follow_up([unit(sent, reminded)], POLICY, at("2025-12-02 11:00"), OFFICE_HOURS)
    assert plan.reminders == () and plan.escalate == ("a",)


def test_a_year_the_calendar_package_does_not_cover(caplog):
    calendar = ChineseCalendar(extra_workdays=frozenset({date(2027, 2, 20)}))
    with caplog.at_level(logging.WARNING, logger="briefbot.workcal"):
        assert not calendar.is_workday(date(2027, 1, 1))  # New Year, from the holidays package
        assert calendar.is_workday(date(2027, 1, 4))  # an ordinary Monday
        assert not calendar.is_workday(date(2027, 1, 9))  # an ordinary Saturday
        assert calendar.is_workday(date(2027, 2, 20))  # a make-up Saturday from the config
        assert not calendar.is_workday(date(2027, 10, 1))
    warnings = [r for r in caplog.records if "no schedule for 2027" in r.getMessage()]
    assert len(warnings) == 1  # explicit, and once per year


def test_config_overrides_the_package():
    calendar = ChineseCalendar(extra_holidays=frozenset({date(2025, 12, 3)}))
    assert not calendar.is_workday(date(2025, 12, 3))
    assert calendar.is_workday(date(2025, 12, 4))


def test_between_counts_only_working_time():
    assert OFFICE_HOURS.between(at("2025-12-01 11:00"), at("2025-12-01 15:00")) == timedelta(
        hours=1, minutes=30
    )
    assert OFFICE_HOURS.between(at("2025-12-05 17:00"), at("2025-12-08 09:30")) == timedelta(
        hours=2
    )


@pytest.mark.parametrize("bad", [["8:30"], ["12:00-08:30"], ["08:30-12:00", "11:00-14:00"]])
def test_working_hours_are_validated_in_chinese(bad, tmp_path):
    from briefbot.settings import ConfigError

    text = BASE_CONFIG % {"db": tmp_path / "x.db"} + f"calendar: {{working_hours: {bad}}}\n"
    with pytest.raises(ConfigError, match="工作时段"):
        parse_settings(text)


def test_settings_build_the_working_time(tmp_path):
    settings = parse_settings(BASE_CONFIG % {"db": tmp_path / "x.db"})
    clock = settings.working_time()
    assert clock.periods == ((time(8, 30), time(12)), (time(14, 30), time(18)))
    off = parse_settings(BASE_CONFIG % {"db": tmp_path / "x.db"} + "calendar: {enabled: false}\n")
    assert off.working_time().is_working(at("2025-10-01 03:00"))  # every hour counts


def test_directives_can_have_a_stricter_deadline():
    from briefbot.publishing import Classified, Novelty, new_notice, parse_file
    from tests.conftest import SHIPPED

    parsed = parse_file(SHIPPED.read_bytes(), "b.txt")  # carries a directive
    notice = new_notice(
        parsed,
        Classified(Novelty.NEW, None),
        "x",
        timedelta(hours=4),
        None,
        directive_ack_within=timedelta(hours=1),
    )
    assert notice.ack_within == timedelta(hours=1)


def test_between_over_long_spans_matches_a_day_by_day_walk():
    """between() keeps running totals per day; it must agree with walking every day, whatever
    order the spans are asked in (a span before the first one moves the anchor)."""
    import random

    from briefbot.settings import CalendarSettings, _working_time

    def walk(clock, start, end):
        total, day = timedelta(), start.astimezone(clock.tz).date()
        while day <= end.astimezone(clock.tz).date():
            for begin, finish in clock._periods_of(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    clock = _working_time(CalendarSettings(), "Asia/Shanghai")
    fresh = _working_time(CalendarSettings(working_hours=("09:00-17:00",)), "Asia/Shanghai")
    rng = random.Random(10)
    base = at("2025-06-01 00:00")
    for _ in range(300):
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
        end = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
        for c in (clock, fresh):
            assert c.between(start, end) == walk(c, start, end), (start, end)
