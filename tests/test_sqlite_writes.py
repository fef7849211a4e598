"""SQLite: the bot's writers queue on a lock in the process (briefbot.store.sqlite_writes)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from briefbot.store.sqlite_writes import FifoLock, SerialWritesConnection
from tests.conftest import TZ, sqlite_only


def test_the_lock_is_taken_in_the_order_it_was_asked_for():
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []

    def waiter(i: int) -> None:
        assert lock.acquire(timeout=5)
        order.append(i)
        lock.release()

    threads = []
    for i in range(8):
        thread = threading.Thread(target=waiter, args=(i,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # each asks after the one before
    lock.release()
    for thread in threads:
        thread.join()
    assert order == list(range(8))
    assert lock.acquire(timeout=1) and not _taken(lock)


def _taken(lock: FifoLock) -> bool:
    """Whether another thread could take the lock now (it cannot: it is held)."""
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(lock.acquire(timeout=0.05)))
    thread.start()
    thread.join()
    return result[0]


@sqlite_only("SQLite's own write lock")
def test_thirty_two_threads_write_without_waiting_in_the_busy_handler(store):
    """Each thread's write transaction waits for the previous one on the lock, never for
    SQLite's busy timeout; all of them land."""
    raw = store.engine.raw_connection()
    try:
        assert isinstance(raw.driver_connection, SerialWritesConnection)
    finally:
        raw.close()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for j in range(10):
                store.people.seen(1000 + i, f"联络员{i}-{j}", now + timedelta(seconds=j))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(32)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert store.people.names(range(1000, 1032)) == {1000 + i: f"联络员{i}-9" for i in range(32)}
    assert time.monotonic() - started < 20


def test_only_statements_that_write_take_the_lock():
    from briefbot.store.sqlite_writes import _writes

    for statement in ("INSERT INTO acks VALUES (1)", " update outbox set x=1", "DELETE FROM x"):
        assert _writes(statement), statement
    assert _writes("PRAGMA user_version = 7")  # the write probe
    for statement in (
        "SELECT 1",
        "PRAGMA journal_mode=WAL",  # a new connection's set-up: never behind a writer
        "PRAGMA synchronous=NORMAL",
        "PRAGMA user_version",
        "",
    ):
        assert not _writes(statement), statement
