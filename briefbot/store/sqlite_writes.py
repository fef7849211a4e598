"""SQLite: the bot's own writers take turns on a lock in the process, not in SQLite's busy handler.

SQLite allows one writer at a time. When a second thread's write finds the file locked, the
busy handler sleeps and retries, 1, 2, 5, 10… up to 100 ms at a time, whatever became free
meanwhile. With dozens of store threads writing at once (an acknowledgement burst: 2 000 groups
within 10 s) most of the time went into those sleeps, and writes finished in no order at all.
Here a write statement first takes a lock held until its transaction ends (commit, rollback or
close): the next writer starts the moment the last one committed, about in arrival order.
Other processes (the command line) still meet SQLite's own lock and its busy handler.

A lock not obtained within the busy timeout raises what SQLite would: "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})


class FifoLock:
    """A lock taken in the order it was asked for (``threading.Lock`` wakes any waiter)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._guard:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over between the time-out and the guard

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()  # still held: by the next in line
            else:
                self._held = False


_LOCKS: dict[str, FifoLock] = {}
_REGISTRY = threading.Lock()


def _lock_for(database: str) -> FifoLock:
    key = os.path.realpath(database)
    with _REGISTRY:
        return _LOCKS.setdefault(key, FifoLock())


def _writes(statement: str) -> bool:
    """A statement that takes SQLite's write lock. Not the pragmas a new connection runs
    (journal_mode, synchronous…): a read on a fresh connection must not queue behind a writer
    that waits for another process (the lock held 40 s in bench/fault_bench.py)."""
    words = statement.split(None, 2)
    if not words:
        return False
    head = words[0].upper()
    if head == "PRAGMA":  # PRAGMA user_version = N (Store.probe_write) writes the header
        return len(words) > 1 and words[1].lower().startswith("user_version") and "=" in statement
    return head in _WRITES


class SerialWritesConnection(sqlite3.Connection):
    """``sqlite3.connect(…, factory=SerialWritesConnection)``."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._write_lock = _lock_for(str(database))
        self._wait = float(kwargs.get("timeout", args[0] if args else 5.0))
        self._holding = False

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or SerialWritesCursor)

    def before(self, statement: str) -> None:
        if self._holding or not _writes(statement):
            return
        if not self._write_lock.acquire(timeout=self._wait):
            raise sqlite3.OperationalError("database is locked")
        self._holding = True

    def after(self) -> None:
        """A write that ran outside a transaction (or failed to start one) is over."""
        if self._holding and not self.in_transaction:
            self._release()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


class SerialWritesCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        connection: SerialWritesConnection = self.connection  # type: ignore[assignment]
        connection.before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            connection.after()

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Any:
        connection: SerialWritesConnection = self.connection  # type: ignore[assignment]
        connection.before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            connection.after()
