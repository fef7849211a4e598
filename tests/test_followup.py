"""The follow-up policy with a fixed ``now``: no clock, no sleeping."""

from datetime import timedelta

import pytest

from briefbot.followup import FollowUpPolicy, Reminder, plan_follow_up
from briefbot.ledger import Ack, DeliveryState, UnitLedger
from briefbot.workcal import EveryDay, WorkingTime
from tests.conftest import TZ, at

ALWAYS = WorkingTime(EveryDay(), TZ)  # the calendar switched off: every hour counts

POLICY = FollowUpPolicy(
    ack_within=timedelta(hours=4), remind_every=timedelta(hours=2), max_reminders=2
)
SENT = at("2026-11-30 09:00")


def unit(
    code="a",
    *,
    delivery=DeliveryState.SENT,
    sent=SENT,
    ack=None,
    reminders=(),
    escalated=None,
    liaisons=(20001,),
) -> UnitLedger:
    return UnitLedger(
        code,
        code.upper(),
        "设区市",
        -100,
        liaisons,
        delivery,
        sent,
        None,
        ack,
        tuple(reminders),
        escalated,
    )


def test_nothing_before_due():
    assert plan_follow_up([unit()], POLICY, at("2026-11-30 12:59"), ALWAYS).empty


def test_first_reminder_at_due():
    plan = plan_follow_up([unit()], POLICY, at("2026-11-30 13:00"), ALWAYS)
    assert plan.reminders == (Reminder("a", 1, mention=False),) and plan.escalate == ()


def test_reminders_are_spaced_and_the_last_mentions_liaisons():
    first = at("2026-11-30 13:00")
    assert plan_follow_up([unit(reminders=[first])], POLICY, at("2026-11-30 14:59"), ALWAYS).empty
    plan = plan_follow_up([unit(reminders=[first])], POLICY, at("2026-11-30 15:00"), ALWAYS)
    assert plan.reminders == (Reminder("a", 2, mention=True),)


def test_no_mention_without_liaisons():
    plan = plan_follow_up(
        [unit(reminders=[at("2026-11-30 13:00")], liaisons=())],
        POLICY,
        at("2026-11-30 15:00"),
        ALWAYS,
    )
    assert plan.reminders == (Reminder("a", 2, mention=False),)


def test_cap_then_escalation_then_silence():
    reminded = [at("2026-11-30 13:00"), at("2026-11-30 15:00")]
    assert plan_follow_up([unit(reminders=reminded)], POLICY, at("2026-11-30 16:59"), ALWAYS).empty
    plan = plan_follow_up([unit(reminders=reminded)], POLICY, at("2026-11-30 17:00"), ALWAYS)
    assert plan.reminders == () and plan.escalate == ("a",)
    done = unit(reminders=reminded, escalated=at("2026-11-30 17:00"))
    assert plan_follow_up([done], POLICY, at("2026-12-03 09:00"), ALWAYS).empty


def test_escalation_is_one_batch_for_all_late_units():
    reminded = [at("2026-11-30 13:00"), at("2026-11-30 15:00")]
    units = [unit("a", reminders=reminded), unit("b", reminders=reminded), unit("c")]
    plan = plan_follow_up(units, POLICY, at("2026-11-30 17:00"), ALWAYS)
    assert plan.escalate == ("a", "b")
    assert plan.reminders == (Reminder("c", 1, False),)


def test_unit_that_acks_between_reminders_is_left_alone():
    ack = Ack(20001, "联络员", "button", at("2026-11-30 14:00"))
    assert plan_follow_up(
        [unit(reminders=[at("2026-11-30 13:00")], ack=ack)], POLICY, at("2026-11-30 15:00"), ALWAYS
    ).empty


@pytest.mark.parametrize(
    "state",
    [DeliveryState.UNREACHABLE, DeliveryState.FAILED, DeliveryState.PENDING, DeliveryState.SENDING],
)
def test_units_that_never_received_it_are_not_chased(state):
    assert plan_follow_up(
        [unit(delivery=state, sent=None)], POLICY, at("2026-12-01 09:00"), ALWAYS
    ).empty


def test_zero_reminders_escalates_at_due():
    policy = FollowUpPolicy(timedelta(hours=4), timedelta(hours=2), max_reminders=0)
    assert plan_follow_up([unit()], policy, at("2026-11-30 13:00"), ALWAYS).escalate == ("a",)


def test_escalation_can_be_switched_off():
    policy = FollowUpPolicy(timedelta(hours=4), timedelta(hours=2), 1, escalate=False)
    plan = plan_follow_up(
        [unit(reminders=[at("2026-11-30 13:00")])], policy, at("2026-12-09 13:00"), ALWAYS
    )
    assert plan.empty


def test_naive_now_is_rejected():
    with pytest.raises(ValueError):
        plan_follow_up([unit()], POLICY, at("2026-11-30 13:00").replace(tzinfo=None), ALWAYS)
