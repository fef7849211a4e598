"""Replicas on one store: who is alive (a lease renewed every few seconds), which Telegram updates
were taken, and the PostgreSQL session whose advisory locks are this replica's roles.

A replica's id is new at every start (host, pid and a random part: a container restarted with the
same host name and pid 1 is another replica, and the rows its dead predecessor left belong to the
predecessor). A replica whose ``seen_at`` is older than the lease is dead: another replica puts
the outbox rows it left "sending" back to pending (``OutboxRepo.recover_orphans``) and may take
again an update it took but never finished. On PostgreSQL a replica's role session also holds a
lock of its own id while it lives; the server frees it the moment the process dies, so a replica
that has missed its last beats (older than ``grace``, a few checks) and whose lock is gone is dead
at once, without waiting out the lease: a SIGKILLed replica's deliveries resume within seconds.

Leases compare the clocks of the replicas' hosts: keep them in step (NTP); a lease of 30 s
tolerates seconds of drift.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    create_engine,
    delete,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from briefbot.store.schema import handled_updates, replicas

# held by a replica's role session while it lives (see RoleSession.connection)
_ALIVE_KEY = "hashtext('briefbot:replica:' || current_schema())"
_HOLDS_ALIVE_LOCK = text(
    "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
    f" AND l.classid::int = {_ALIVE_KEY} AND l.objid::int = hashtext(replicas.id))"
)


def live_replicas(now: datetime, lease: timedelta, grace: timedelta | None = None) -> Select[Any]:
    """The ids of live replicas: seen within ``lease``; with ``grace`` (PostgreSQL), also either
    seen within ``grace`` or holding their session's lock (alive, merely slow to beat)."""
    query = select(replicas.c.id).where(replicas.c.seen_at >= now - lease)
    if grace is not None:
        query = query.where(or_(replicas.c.seen_at >= now - grace, _HOLDS_ALIVE_LOCK))
    return query


def new_replica_id() -> str:
    """``host:pid:random``, at most 80 characters."""
    return f"{socket.gethostname()[:56]}:{os.getpid()}:{secrets.token_hex(4)}"


class ReplicaRepo:
    def __init__(self, engine: Engine, owner: str) -> None:
        self._engine = engine
        self.owner = owner  # this process's replica id
        # set by the coordinator on PostgreSQL: see live_replicas
        self.grace: timedelta | None = None

    def beat(self, now: datetime, conn: Connection | None = None) -> bool:
        """Renew this replica's lease (on ``conn`` if given: the role session). False when its
        row was missing (the first beat, or one pruned after the replica fell silent) and was
        written anew."""
        if conn is None:
            with self._engine.begin() as own:
                return self.beat(now, own)
        renewed = conn.execute(
            update(replicas).where(replicas.c.id == self.owner).values(seen_at=now)
        ).rowcount
        if renewed:
            return True
        conn.execute(insert(replicas).values(id=self.owner, started_at=now, seen_at=now))
        return False

    def leave(self) -> None:
        """A clean stop: the lease ends now (rows still "sending" are resumed by others)."""
        with self._engine.begin() as conn:
            conn.execute(delete(replicas).where(replicas.c.id == self.owner))

    def live(self, now: datetime, lease: timedelta, conn: Connection | None = None) -> list[str]:
        """The ids of the live replicas (see ``live_replicas``; ``grace`` as set)."""
        if conn is None:
            with self._engine.connect() as own:
                return self.live(now, lease, own)
        return sorted(conn.execute(live_replicas(now, lease, self.grace)).scalars().all())

    def take_update(self, bot_id: int, update_id: int, now: datetime, lease: timedelta) -> bool:
        """True when this replica is to handle the update: nobody took it, or the replica that
        took it died before finishing it. False: handled, or being handled."""
        key = {"bot_id": bot_id, "update_id": update_id}
        insert_ = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        with self._engine.begin() as conn:
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING
            taken = conn.execute(
                insert_(handled_updates)
                .values(**key, owner=self.owner, taken_at=now)
                .on_conflict_do_nothing()
                .returning(handled_updates.c.update_id)
            ).first()
            if taken is not None:
                return True
            live = live_replicas(now, lease, self.grace)
            taken = conn.execute(
                update(handled_updates)
                .where(
                    handled_updates.c.bot_id == bot_id,
                    handled_updates.c.update_id == update_id,
                    handled_updates.c.done_at.is_(None),
                    handled_updates.c.owner != self.owner,
                    handled_updates.c.owner.not_in(live),
                )
                .values(owner=self.owner, taken_at=now)
                .returning(handled_updates.c.update_id)
            ).first()
            return taken is not None

    def update_done(self, bot_id: int, update_id: int, now: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(handled_updates)
                .where(
                    handled_updates.c.bot_id == bot_id,
                    handled_updates.c.update_id == update_id,
                    handled_updates.c.owner == self.owner,
                )
                .values(done_at=now)
            )

    def prune(self, before: datetime) -> tuple[int, int]:
        """Forget replicas silent since ``before`` and updates taken before it. Telegram numbers
        updates in sequence, and starts afresh at random only after a week without any: keep
        less than that. Returns (replicas, updates) deleted."""
        with self._engine.begin() as conn:
            gone = conn.execute(delete(replicas).where(replicas.c.seen_at < before)).rowcount
            old = conn.execute(
                delete(handled_updates).where(handled_updates.c.taken_at < before)
            ).rowcount
        return gone, old


# libpq's TCP keepalives and user timeout on the role session: a leader cut off from the
# database notices within seconds (its next query fails), and the server ends its session, and
# so its locks, about as fast, instead of after the operating system's two hours
_CLIENT_KEEPALIVE = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
_SERVER_KEEPALIVE = (
    "SET tcp_keepalives_idle = 5",
    "SET tcp_keepalives_interval = 2",
    "SET tcp_keepalives_count = 3",
    "SET tcp_user_timeout = 10000",
)
# one lock per role and schema: advisory locks are per database, and several offices (or the
# test suite's schemas) may share one database
_TRY_LOCK = text(
    "SELECT pg_try_advisory_lock(hashtext('briefbot:' || :role), hashtext(current_schema()))"
)


class RoleSession:
    """One PostgreSQL session of its own (never from the pool, whose connections come and go),
    holding this replica's roles as session advisory locks. The server releases them when the
    session ends, however it ends: the leader's death frees the role for another replica.

    Blocking: call from a thread, holding ``lock`` (``close`` takes it itself): one statement
    at a time on the session, and never closed under a running one.
    """

    def __init__(self, url: URL, owner: str) -> None:
        self._engine = create_engine(url, poolclass=NullPool, connect_args=dict(_CLIENT_KEEPALIVE))
        self._conn: Connection | None = None
        self.owner = owner
        self.held: set[str] = set()
        self.lock = threading.RLock()

    def connection(self) -> Connection:
        """The session, opened on first use: with the server's keepalives set, and holding the
        lock of this replica's id (its sign of life, see ``live_replicas``)."""
        if self._conn is None:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                for statement in _SERVER_KEEPALIVE:
                    conn.execute(text(statement))
                conn.execute(
                    text(f"SELECT pg_advisory_lock({_ALIVE_KEY}, hashtext(:owner))"),
                    {"owner": self.owner},
                )
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def try_take(self, role: str) -> bool:
        """Take the role's lock if nobody holds it; True when this session holds it now."""
        if role in self.held:
            return True
        got = bool(self.connection().execute(_TRY_LOCK, {"role": role}).scalar())
        if got:
            self.held.add(role)
        return got

    def holders(self, role: str) -> list[int]:
        """Server process ids of the sessions holding the role (for tests and diagnostics)."""
        rows = self.connection().execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::int = hashtext('briefbot:' || :role)"
                " AND objid::int = hashtext(current_schema())"
            ),
            {"role": role},
        )
        return [int(r[0]) for r in rows]

    def backend_pid(self) -> int:
        return int(self.connection().execute(text("SELECT pg_backend_pid()")).scalar_one())

    def close(self) -> None:
        """End the session: every role it held is free at once."""
        with self.lock:
            conn, self._conn = self._conn, None
            self.held.clear()
            if conn is not None:
                with contextlib.suppress(Exception):  # a broken session is ended all the same
                    conn.close()

    def __enter__(self) -> RoleSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
