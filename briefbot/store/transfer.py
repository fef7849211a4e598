"""Copying an office's whole store to another database (``bot.py migrate-store``): SQLite to
PostgreSQL when an office moves to production, or any backend to any other.

The target is brought to the newest schema by the same migrations, and must hold no rows. Every
table of the ledger is copied in dependency order (a table after the tables it refers to; rows of
a table in primary-key order, so a notice's correction or an outbox part's predecessor is there
before it), in batches, inside one transaction on the target: a failed copy leaves it empty.
PostgreSQL sequences are then moved past the copied ids, and each table's row count is checked
against the source's. A SQLite source is read in one snapshot, so a bot still running on it does
not tear the copy (what it writes afterwards is not copied: stop it first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Integer, event, func, inspect, select, text
from sqlalchemy.engine import make_url

from briefbot.store.database import make_engine, migrate, normalise_url
from briefbot.store.schema import metadata

DEFAULT_BATCH = 1000


class TransferError(Exception):
    """The copy cannot be made. ``str()`` is one line, Chinese then English."""


@dataclass(frozen=True)
class TableCount:
    name: str
    source: int
    target: int


@dataclass(frozen=True)
class TransferResult:
    tables: tuple[TableCount, ...]

    @property
    def rows(self) -> int:
        return sum(t.source for t in self.tables)

    @property
    def verified(self) -> bool:
        return all(t.source == t.target for t in self.tables)


def _same_database(a: str, b: str) -> bool:
    ua, ub = make_url(normalise_url(a)), make_url(normalise_url(b))
    return (ua.get_backend_name(), ua.host, ua.port, ua.database, ua.query) == (
        ub.get_backend_name(),
        ub.host,
        ub.port,
        ub.database,
        ub.query,
    )


def _snapshot_engine(url: str) -> Engine:
    """The source engine; on SQLite every transaction starts with BEGIN, so one connection's
    reads of all tables see one snapshot (pysqlite on its own begins only before writes)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_implicit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


def _count(connection: Connection, name: str) -> int:
    table = metadata.tables[name]
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: each serial id's sequence continues after the highest copied id."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not (isinstance(column.type, Integer) and column.autoincrement is not False):
                continue
            if len(table.primary_key.columns) != 1:
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE((SELECT MAX({column.name}) FROM"
                    f" {table.name}), 1), (SELECT MAX({column.name}) FROM {table.name}) IS NOT NULL)"
                ),
                {"sequence": sequence},
            )


def copy_store(
    source_url: str,
    target_url: str,
    *,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> TransferResult:
    """Copy every table from ``source_url`` to ``target_url`` (see the module's docstring).

    Raises ``TransferError`` for a target that holds rows, the same database twice, or a source
    with tables this version does not know.
    """
    if batch < 1:
        raise ValueError("batch must be positive")
    if _same_database(source_url, target_url):
        raise TransferError(
            "源数据库与目标数据库相同。 The source and the target are the same database."
        )
    from briefbot.runlock import sqlite_path

    source_file = sqlite_path(source_url)
    if source_file is not None and not source_file.is_file():
        raise TransferError(
            f"源数据库文件 {source_file} 不存在。 The source database {source_file} does not exist."
        )
    source = _snapshot_engine(source_url)
    target = make_engine(target_url)
    try:
        # the source is brought to this version's schema first (a running bot has done so already)
        migrate(source)
        unknown = (
            set(inspect(source).get_table_names()) - set(metadata.tables) - {"alembic_version"}
        )
        if unknown:
            names = ", ".join(sorted(unknown))
            raise TransferError(
                f"源数据库含有本版本不认识的表（{names}），请先升级机器人。"
                f" The source has tables this version does not know: {names}."
            )
        existing = set(inspect(target).get_table_names())
        with target.connect() as connection:
            filled = [n for n in metadata.tables if n in existing and _count(connection, n) > 0]
        if filled:
            names = ", ".join(sorted(filled))
            raise TransferError(
                f"目标数据库不是空的（{names} 已有数据），为免覆盖，不进行迁移。"
                f" The target database is not empty ({names} hold rows); nothing copied."
            )
        migrate(target)
        counts: list[TableCount] = []
        # one read transaction (one snapshot) and one write transaction
        with source.connect() as read, target.begin() as write:
            for table in metadata.sorted_tables:
                expected = _count(read, table.name)
                query = select(table).order_by(*table.primary_key.columns)
                result = read.execution_options(yield_per=batch).execute(query)
                for rows in result.partitions(batch):
                    write.execute(table.insert(), [row._asdict() for row in rows])
                    if progress is not None:
                        progress(table.name, len(rows))
                counts.append(TableCount(table.name, expected, _count(write, table.name)))
            if write.dialect.name == "postgresql":
                _reset_sequences(write)
            outcome = TransferResult(tuple(counts))
            if not outcome.verified:
                wrong = ", ".join(
                    f"{t.name} {t.source}→{t.target}" for t in counts if t.source != t.target
                )
                raise TransferError(
                    f"行数核对不一致（{wrong}），已撤销，目标数据库保持为空。"
                    f" Row counts differ ({wrong}); rolled back, the target stays empty."
                )
        return outcome
    finally:
        source.dispose()
        target.dispose()
