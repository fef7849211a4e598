"""Engine creation and migrations. SQLite by default (embedded, one process); PostgreSQL through
psycopg 3 for production. The same Alembic migrations build both."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from briefbot.offloop import STORE_THREADS
from briefbot.store.sqlite_writes import SerialWritesConnection

MIGRATIONS = str(Path(__file__).with_name("migrations"))


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (SQLAlchemy's own default for a bare
    ``postgresql://`` is psycopg2, which the project does not ship)."""
    parsed = make_url(
        url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
    )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "postgresql"


# a connection for every thread that may call the store at once (briefbot.offloop), and a few
# for the loop's own start-up work; only POOL_IDLE of them are kept open when idle
POOL_IDLE = 5
POOL = {"pool_size": POOL_IDLE, "max_overflow": STORE_THREADS + 4 - POOL_IDLE}


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = not parsed.database or parsed.database == ":memory:"
        if not in_memory:
            Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        # the bot's writers queue on a lock in the process, not in SQLite's sleeping busy handler
        connect = {"timeout": 30, "factory": SerialWritesConnection}
        engine = create_engine(url, connect_args=connect, **({} if in_memory else POOL))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, **POOL)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _returned)
    return engine


PING_AFTER = 10.0  # seconds a pooled PostgreSQL connection may idle before it is checked


def _returned(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """``pool_pre_ping``, but only for a connection that idled: a server restart or a dropped
    connection is still found before use, while a burst of store calls does not pay a round
    trip (SELECT 1) for each of them on top of its own."""
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < PING_AFTER:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # any failure: this connection is gone, take another
        raise DisconnectionError(f"stale pooled connection: {exc}") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the CLI (publish, report) read and write while the bot runs
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent).

    PostgreSQL: replicas starting together migrate one at a time (a transaction-scoped advisory
    lock; the DDL is transactional, so the next one finds the schema at head); SQLite serialises
    writers itself."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "SELECT pg_advisory_xact_lock(hashtext('briefbot:migrate'),"
                    " hashtext(current_schema()))"
                )
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
