"""The store on both backends: the same migrations up and down, and aware timestamps that compare
the same on SQLite and PostgreSQL (whatever the PostgreSQL session's time zone)."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from briefbot.publishing import parse_file, publish_file
from briefbot.store import open_store
from briefbot.store.database import MIGRATIONS, is_postgres, make_engine, normalise_url
from briefbot.store.schema import metadata
from tests.conftest import BACKEND, ON_POSTGRES, SHIPPED, TEST_DATABASE_URL, at, database_url

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs BRIEFBOT_TEST_DATABASE_URL")


def _alembic(engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_postgres_urls_mean_psycopg_3():
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("sqlite:///data/bot.db") == "sqlite:///data/bot.db"
    assert is_postgres("postgresql://h/db") and not is_postgres("sqlite:///x.db")


def test_the_migrations_go_up_down_and_up_again(tmp_path):
    engine = make_engine(database_url(tmp_path))
    try:
        assert engine.dialect.name == BACKEND
        _alembic(engine, "head")
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        _alembic(engine, "base", down=True)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        _alembic(engine, "head")
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    finally:
        engine.dispose()


def _with_session_zone(url: str, zone: str) -> str:
    if not ON_POSTGRES:
        return url
    parsed = make_url(url)
    options = f"{parsed.query.get('options', '')} -cTimeZone={zone}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


@pytest.mark.parametrize("session_zone", ["UTC", "Asia/Shanghai", "America/Los_Angeles"])
def test_aware_timestamps_round_trip_and_compare_as_instants(tmp_path, session_zone):
    url = _with_session_zone(database_url(tmp_path), session_zone)
    store = open_store(url)
    try:
        store.notices.sync_units([])
        # 00:30 in Shanghai is the previous day in UTC: a naive or zone-shifted column would
        # put it on the wrong side of the window below
        shanghai = at("2026-12-01 00:30")
        publish_file(
            store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), shanghai
        )
        notice = store.notices.notice(1)
        assert notice is not None
        assert notice.published_at == shanghai
        assert notice.published_at.tzinfo is not None
        assert notice.published_at.utcoffset() == timedelta(0)  # the store hands back UTC
        same_instant_elsewhere = shanghai.astimezone(ZoneInfo("America/New_York"))
        assert [n.id for n in store.notices.published_since(same_instant_elsewhere)] == [1]
        just_after = (shanghai + timedelta(seconds=1)).astimezone(UTC)
        assert store.notices.published_since(just_after) == []
        if ON_POSTGRES:
            with store.engine.connect() as connection:
                kind = connection.execute(
                    text(
                        "SELECT data_type FROM information_schema.columns WHERE"
                        " table_schema = current_schema() AND table_name = 'notices'"
                        " AND column_name = 'published_at'"
                    )
                ).scalar()
            assert kind == "timestamp with time zone"
    finally:
        store.close()


def test_a_naive_datetime_is_refused(store):
    from datetime import datetime

    with pytest.raises(Exception, match="naive datetime"):
        publish_file(
            store,
            parse_file(SHIPPED.read_bytes(), "b.txt"),
            "测试",
            timedelta(hours=4),
            datetime(2026, 12, 1, 9, 0),  # noqa: DTZ001 - the point of the test
        )


@postgres_only
def test_a_postgres_store_made_with_naive_timestamps_is_converted(tmp_path):
    """A PostgreSQL store made before 0009 kept ``timestamp`` (naive, UTC): the migration turns
    every such column into ``timestamptz`` and keeps each value's instant."""
    url = _with_session_zone(database_url(tmp_path), "Asia/Shanghai")
    engine = make_engine(url)
    try:
        _alembic(engine, "0007")
        with engine.begin() as connection:
            columns = connection.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE"
                    " table_schema = current_schema()"
                    " AND data_type = 'timestamp with time zone'"
                )
            ).all()
            assert len(columns) > 10
            for table, column in columns:  # as the store used to make them
                connection.execute(
                    text(
                        f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamp'
                        f" USING \"{column}\" AT TIME ZONE 'UTC'"
                    )
                )
            connection.execute(
                text(
                    "INSERT INTO notices (content_hash, title, kind, html, source, briefing_json,"
                    " published_at, ack_within_s) VALUES ('h', '旧简报', 'routine', '<b>x</b>',"
                    " '', '{}', '2026-11-30 16:30:00', 3600)"
                )
            )
    finally:
        engine.dispose()
    store = open_store(url)  # to head: 0009 converts
    try:
        notice = store.notices.notice(1)
        assert notice is not None and notice.published_at == at("2026-12-01 00:30")
        with store.engine.connect() as connection:
            left = connection.execute(
                text(
                    "SELECT count(*) FROM information_schema.columns WHERE"
                    " table_schema = current_schema()"
                    " AND data_type = 'timestamp without time zone'"
                )
            ).scalar()
        assert left == 0
    finally:
        store.close()


@postgres_only
def test_unit_order_is_code_point_order_whatever_the_database_collation():
    """A production database made with a language's collation (ICU en-US here) orders "a_b"
    before "a-c" and "a1"; the store lists and queues units in code-point order, as on SQLite."""
    import uuid

    from briefbot.store.notices import UnitRecord
    from tests.conftest import _admin_connection

    name = f"bt_icu_{uuid.uuid4().hex[:12]}"
    admin = _admin_connection()
    admin.execute(
        f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
        " LOCALE 'C.UTF-8'"
    )
    try:
        url = make_url(normalise_url(TEST_DATABASE_URL)).set(database=name)
        store = open_store(url.render_as_string(hide_password=False))
        try:
            with store.engine.connect() as connection:
                collated = connection.execute(
                    text("SELECT x FROM (VALUES ('a1'), ('a-c'), ('a_b')) v(x) ORDER BY x")
                ).scalars()
                assert list(collated) == ["a_b", "a-c", "a1"]  # the collation at work
            codes = ["ab", "a-c", "a_b", "a1", "aa", "b"]
            assert sorted(codes) == ["a-c", "a1", "a_b", "aa", "ab", "b"]
            store.notices.sync_units(
                [
                    UnitRecord(c, f"单位{c}", "设区市", -1001000000100 - i, ())
                    for i, c in enumerate(codes)
                ]
            )
            assert [u.code for u in store.notices.active_units()] == sorted(codes)
            assert [b.code for b in store.roster.bindings(set(codes))] == sorted(codes)
            publish_file(
                store,
                parse_file(SHIPPED.read_bytes(), "b.txt"),
                "测试",
                timedelta(hours=4),
                at("2026-12-01 09:00"),
            )
            with store.engine.connect() as connection:
                queued = connection.execute(
                    text("SELECT unit_code FROM outbox WHERE kind = 'notice' ORDER BY id")
                ).scalars()
                assert list(queued) == sorted(codes)
        finally:
            store.close()
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
