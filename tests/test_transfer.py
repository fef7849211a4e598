"""``bot.py migrate-store``: an office's whole history copied to another database (SQLite to
PostgreSQL when the suite runs on PostgreSQL; SQLite to SQLite otherwise), verified, and refused
into a database that already holds rows."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, timedelta

from sqlalchemy import select

from briefbot.feeds import FeedItem
from briefbot.followup import FollowUpPlan, Reminder
from briefbot.publishing import intake, parse_file, publish, publish_file
from briefbot.store import open_store
from briefbot.store.database import make_engine
from briefbot.store.schema import metadata
from briefbot.store.transfer import TransferError, copy_store
from tests.conftest import BACKEND, ROOT, SHIPPED, at, database_url
from tests.fixtures.builders import txt
from tests.fixtures.synthetic import RURAL

NOW = at("2026-11-30 09:00")


def _office_history(url: str) -> None:
    """A store with rows in every table, written through the repositories."""
    from briefbot.cli import units_of
    from briefbot.settings import parse_settings
    from tests.conftest import BASE_CONFIG

    store = open_store(url)
    try:
        store.notices.sync_units(units_of(parse_settings(BASE_CONFIG % {"db": "unused.db"})))
        first = publish_file(
            store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), NOW
        ).published
        assert first is not None
        for i, item in enumerate(store.outbox.claim(NOW, 100)):
            store.outbox.mark_sent(item.id, 500 + i, NOW + timedelta(seconds=i))
        store.acks.record(first.notice_id, "dongjiang", 20001, "赵联络员", "button", NOW, "已阅")
        store.people.seen(20001, "赵联络员", NOW, private=True)
        store.feedbacks.submit(first.notice_id, "dongjiang", "已落实", 20001, "赵联络员", NOW)
        store.progress.start(first.notice_id, -1001000000001, NOW)
        store.roster.invite("qingling", 10001, NOW, timedelta(hours=72))
        store.feeds.save_state("https://example.gov.cn/feed", '"e1"', None, NOW, True)
        store.feeds.mark(
            "https://example.gov.cn/feed",
            FeedItem("k1", "https://example.gov.cn/1", "第1期"),
            "baseline",
            NOW,
        )
        data = txt(RURAL)  # another briefing that ships with the tests (../shared may be absent)
        second = intake(store, parse_file(data, "c.txt"), "上传", timedelta(hours=4), NOW)
        assert second.notice is not None
        draft = store.drafts.create(second.notice, "上传 c.txt", NOW)
        store.drafts.record_edit(draft.id, "<b>改</b>", 10001, "王主任", NOW)
        published = publish(store, second.notice, NOW + timedelta(minutes=5))
        store.drafts.decide(draft.id, "published", 10001, published.notice_id)
        plan = FollowUpPlan(reminders=(Reminder("qingling", 1, False),), escalate=("edu",))
        store.ledger.record_plan(
            first.notice_id,
            plan,
            store.ledger.for_notice(first.notice_id),
            -1001000000001,
            lambda unit, step, mention: f"提醒 {unit} 第{step}次",
            lambda units: "上报：" + "、".join(units),
            NOW + timedelta(hours=5),
        )
        store.replicas.beat(NOW)  # a replica's lease, and an update it took
        assert store.replicas.take_update(7000000001, 41, NOW, timedelta(seconds=30))
    finally:
        store.close()


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    store = open_store(url, run_migrations=False)
    try:
        with store.engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in metadata.sorted_tables
            }
    finally:
        store.close()


def test_migrate_store_copies_every_table_and_verifies_the_counts(tmp_path):
    source = f"sqlite:///{tmp_path / 'office.db'}"
    target = database_url(tmp_path, "target.db")
    _office_history(source)
    before = _rows(source)
    assert all(before[name] for name in metadata.tables), {
        name: len(rows) for name, rows in before.items()
    }

    probe = make_engine(target)
    assert probe.dialect.name == BACKEND
    probe.dispose()

    result = copy_store(source, target, batch=2)  # several batches per table
    assert result.verified and result.rows == sum(len(r) for r in before.values())
    assert {t.name for t in result.tables} == set(metadata.tables)
    after = _rows(target)
    assert after == before  # every value, timestamps (aware, UTC), flags and bytes included
    published_at = after["notices"][0][metadata.tables["notices"].c.keys().index("published_at")]
    assert published_at == NOW and published_at.tzinfo is not None
    assert published_at.utcoffset() == UTC.utcoffset(None)

    # ids continue after the copied ones (PostgreSQL sequences were moved on)
    store = open_store(target)
    try:
        more = publish_file(
            store,
            parse_file(SHIPPED.read_bytes().replace(b"7", b"8"), "d.txt"),
            "测试",
            timedelta(hours=4),
            NOW + timedelta(days=1),
        ).published
        assert more is not None and more.notice_id == 3
        assert more.queued == 3
        assert sum(store.outbox.counts().values()) == len(after["outbox"]) + 3
    finally:
        store.close()


def test_migrate_store_command_prints_one_line_and_refuses_a_filled_target(tmp_path):
    source = f"sqlite:///{tmp_path / 'office.db'}"
    target = database_url(tmp_path, "target.db")
    _office_history(source)

    def migrate_store(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), "migrate-store", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )

    done = migrate_store("--from", source, "--to", target, "--batch", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("迁移完成：") and "row counts verified" in lines[0]
    assert f"{len(metadata.tables)} 张表" in lines[0]

    counts_before = {name: len(rows) for name, rows in _rows(target).items()}
    again = migrate_store("--from", source, "--to", target)
    assert again.returncode == 1
    assert "目标数据库不是空的" in again.stderr and "not empty" in again.stderr
    assert "Traceback" not in again.stderr
    assert {name: len(rows) for name, rows in _rows(target).items()} == counts_before

    same = migrate_store("--from", source, "--to", source)
    assert same.returncode == 1 and "相同" in same.stderr

    missing = migrate_store("--from", f"sqlite:///{tmp_path / 'nope.db'}", "--to", target)
    assert missing.returncode == 1 and "不存在" in missing.stderr
    assert not (tmp_path / "nope.db").exists()


def test_copy_refuses_a_target_with_rows_and_leaves_it_alone(tmp_path):
    source = f"sqlite:///{tmp_path / 'office.db'}"
    target = database_url(tmp_path, "target.db")
    _office_history(source)
    store = open_store(target)
    store.notices.sync_units([])
    publish_file(store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), NOW)
    store.close()
    try:
        copy_store(source, target)
    except TransferError as exc:
        assert "notices" in str(exc)
    else:
        raise AssertionError("a target with rows was accepted")
    assert len(_rows(target)["notices"]) == 1
