"""The ledger on a real SQLite file: publishing, the outbox state machine, acks, follow-up steps."""

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from briefbot.acking import AckResult, acknowledge
from briefbot.followup import FollowUpPlan, Reminder
from briefbot.ledger import DeliveryState
from briefbot.publishing import parse_file, publish_file
from briefbot.store import open_store
from briefbot.store.schema import metadata
from tests.conftest import SHIPPED, at

NOW = at("2026-11-30 09:00")


def _publish(store, now=NOW):
    taken = publish_file(
        store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), now
    )
    return taken.published if taken.published is not None else _Dup(taken.classified.notice_id)


class _Dup:
    def __init__(self, notice_id):
        self.notice_id, self.created, self.queued = notice_id, False, 0


def _deliver_all(store, now=NOW):
    items = store.outbox.claim(now, 100)
    for i, item in enumerate(items):
        store.outbox.mark_sent(item.id, 500 + i, now)
    return items


def test_migrations_produce_exactly_the_schema(store):
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_migrating_twice_is_harmless(settings, store):
    again = open_store(settings.storage.url)
    assert again.notices.latest_id() is None
    again.close()


def test_publish_queues_one_delivery_per_unit_and_never_twice(store):
    first = _publish(store)
    assert first.created and first.queued == 3
    second = _publish(store, NOW + timedelta(hours=1))
    assert not second.created and second.notice_id == first.notice_id and second.queued == 0
    assert store.outbox.counts() == {"pending": 3}
    notice = store.notices.notice(first.notice_id)
    assert notice is not None and notice.kind.value == "directive"
    assert notice.published_at == NOW


def test_claim_marks_sending_and_sent_rows_are_never_claimed_again(store):
    _publish(store)
    claimed = store.outbox.claim(NOW, 2)
    assert len(claimed) == 2 and store.outbox.counts() == {"sending": 2, "pending": 1}
    assert claimed[0].text.startswith("📄") and claimed[0].with_button
    for item in claimed:
        store.outbox.mark_sent(item.id, 1000 + item.id, NOW)
    rest = store.outbox.claim(NOW, 10)
    assert [r.unit_code for r in rest] == ["qingling"] or len(rest) == 1
    assert {r.id for r in rest}.isdisjoint({c.id for c in claimed})


def test_crash_recovery_resumes_sending_rows(store):
    _publish(store)
    store.outbox.claim(NOW, 3)  # the process dies here
    assert store.outbox.recover_inflight() == 3
    assert len(store.outbox.claim(NOW, 10)) == 3


def test_retry_later_respects_not_before(store):
    _publish(store)
    [item] = store.outbox.claim(NOW, 1)
    store.outbox.retry_later(item.id, NOW + timedelta(seconds=30), "429")
    assert item.id not in {r.id for r in store.outbox.claim(NOW + timedelta(seconds=29), 10)}
    assert [r.id for r in store.outbox.claim(NOW + timedelta(seconds=30), 10)] == [item.id]


def test_migration_moves_unit_and_unsent_rows(store):
    _publish(store)
    store.outbox.move_chat(-1001000000101, -1009999999999)
    assert store.notices.unit_by_chat(-1009999999999).code == "dongjiang"
    assert store.notices.unit_by_chat(-1001000000101) is None
    moved = [r for r in store.outbox.claim(NOW, 10) if r.unit_code == "dongjiang"]
    assert moved[0].chat_id == -1009999999999


def test_acks_follow_the_rules(store):
    published = _publish(store)
    kwargs = dict(user_name="赵", via="command", now=NOW + timedelta(minutes=5))
    # nothing delivered yet
    assert (
        acknowledge(store, chat_id=-1001000000101, user_id=20001, notice_id=None, **kwargs).result
        is AckResult.NO_NOTICE
    )
    _deliver_all(store)
    assert (
        acknowledge(store, chat_id=-42, user_id=20001, notice_id=None, **kwargs).result
        is AckResult.NOT_A_UNIT
    )
    assert (
        acknowledge(store, chat_id=-1001000000101, user_id=20002, notice_id=None, **kwargs).result
        is AckResult.NOT_LIAISON
    )
    assert (
        acknowledge(store, chat_id=-1001000000101, user_id=20001, notice_id=999, **kwargs).result
        is AckResult.WRONG_NOTICE
    )
    first = acknowledge(store, chat_id=-1001000000101, user_id=20001, notice_id=None, **kwargs)
    assert first.result is AckResult.RECORDED and first.notice_id == published.notice_id
    again = acknowledge(
        store,
        chat_id=-1001000000101,
        user_id=20001,
        notice_id=published.notice_id,
        user_name="赵",
        via="button",
        now=NOW + timedelta(hours=1),
    )
    assert again.result is AckResult.ALREADY
    assert again.ack.acked_at == NOW + timedelta(minutes=5) and again.ack.via == "command"
    # a unit without configured liaisons: anyone in its group may acknowledge
    open_ack = acknowledge(store, chat_id=-1001000000103, user_id=77777, notice_id=None, **kwargs)
    assert open_ack.result is AckResult.RECORDED


def test_ledger_and_follow_up_steps_are_recorded_once(store):
    published = _publish(store)
    _deliver_all(store)
    ledger = store.ledger.for_notice(published.notice_id)
    assert [u.delivery for u in ledger] == [DeliveryState.SENT] * 3
    plan = FollowUpPlan((Reminder("dongjiang", 1, False),), ("qingling", "edu"))
    later = NOW + timedelta(hours=5)
    for _ in range(2):  # the same decision twice must not double anything
        store.ledger.record_plan(
            published.notice_id,
            plan,
            ledger,
            -1001000000001,
            lambda c, s, m: f"提醒{c}{s}",
            lambda cs: "上报" + ",".join(cs),
            later,
        )
    counts = store.outbox.counts(published.notice_id)
    assert counts == {"sent": 3, "pending": 2}  # one reminder + one escalation message
    ledger = {u.unit_code: u for u in store.ledger.for_notice(published.notice_id)}
    assert ledger["dongjiang"].reminders == (later,)
    assert ledger["qingling"].escalated_at == later and ledger["edu"].escalated_at == later
    assert store.ledger.open_notice_ids() == [published.notice_id]  # dongjiang still open
