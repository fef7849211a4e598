"""The store's connection pool: sized for the store threads, and a PostgreSQL connection that
idled is checked before use (a server restart or a dropped connection costs no failed call)."""

from __future__ import annotations

import pytest

from briefbot.offloop import STORE_THREADS
from briefbot.store import database
from tests.conftest import ON_POSTGRES, _admin_connection


def test_the_pool_has_a_connection_for_every_store_thread(store):
    pool = store.engine.pool
    assert pool.size() + pool._max_overflow >= STORE_THREADS  # type: ignore[attr-defined]


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL connections")
def test_a_connection_dropped_while_idle_is_replaced_before_use(store, monkeypatch):
    from sqlalchemy import text

    monkeypatch.setattr(database, "PING_AFTER", -1.0)  # every checkout counts as idle
    assert store.notices.latest_id() is None
    with store.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    _admin_connection().execute("SELECT pg_terminate_backend(%s)", (pid,))
    for _ in range(3):  # whichever pooled connection comes next, the call succeeds
        assert store.notices.latest_id() is None
