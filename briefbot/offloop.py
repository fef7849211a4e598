"""The event loop never waits on the database: blocking work runs in a thread, and a watch on
the store's engine makes any statement run on the loop's own thread visible.

Every handler and job reaches the store (and does CPU-heavy work: an XLSX, a chart, a ranking)
through ``offloop``: the loop's default executor, sized by ``STORE_THREADS`` (bot.py installs
it at start), and the store's connection pool is sized to match (briefbot.store.database), so a
thread never waits for a connection another thread holds idle.

``LoopWatch`` listens to the engine: a statement executed while an event loop runs in the
calling thread is a regression. In the bot (``strict=False``) it is logged once per call site
with the line that made it; in the tests (``strict=True``) it also raises ``StoreOnLoop``.
No telegram import here: the domain package stays free of it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

# Threads for store calls and other blocking work. While SQLite is locked by another process,
# each write holds its thread up to the busy timeout, so the default pool (cores + 4) is too
# small; the connection pool is sized from this number too.
STORE_THREADS = 32
WATCH_KEY = "loop_watch"  # where bot.py keeps the running bot's LoopWatch (bot_data)


def executor() -> ThreadPoolExecutor:
    """The loop's default executor (``loop.set_default_executor``), where ``offloop`` runs."""
    return ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="store")


async def offloop(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``func(*args, **kwargs)`` in a worker thread; the loop serves other updates meanwhile."""
    return await asyncio.to_thread(func, *args, **kwargs)


class StoreOnLoop(RuntimeError):
    """A store statement ran on the event loop's thread (raised by a strict ``LoopWatch``)."""


def on_loop_thread() -> bool:
    """True when an event loop is running in the calling thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


_ROOT = Path(__file__).resolve().parent.parent  # the checkout, or site-packages when installed
_OURS = {"bot.py", "briefbot", "handlers", "schedules", "rehearsal", "tests", "bench"}
_STORE = ("briefbot", "store")


def _call_site(depth: int = 3) -> str:
    """Where a statement came from: up to ``depth`` frames of this project's own code outside the
    store itself, innermost first (``handlers/x.py:12 in f ← …``)."""
    here = Path(__file__).resolve()
    found: list[str] = []
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename).resolve()
        if path == here:
            continue
        try:
            where = path.relative_to(_ROOT)
        except ValueError:
            continue
        if not where.parts or where.parts[0] not in _OURS or where.parts[:2] == _STORE:
            continue
        found.append(f"{where}:{frame.lineno} in {frame.name}")
        if len(found) == depth:
            break
    return " ← ".join(found) or "an unknown caller"


class LoopWatch:
    """Watches an engine for statements executed on an event loop's thread."""

    def __init__(self, engine: Engine, *, strict: bool = False) -> None:
        self.engine = engine
        self.strict = strict
        self.paused = False  # a test fills the store from its own coroutine meanwhile
        self.sites: Counter[str] = Counter()  # call sites that ran statements on the loop
        self._lock = threading.Lock()
        self._listener = functools.partial(LoopWatch._check, self)
        event.listen(engine, "before_cursor_execute", self._listener)

    def _check(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.paused or not on_loop_thread():
            return
        where = _call_site()
        with self._lock:
            first = where not in self.sites
            self.sites[where] += 1
        if first:
            log.warning(
                "store statement on the event loop thread, from %s: %s",
                where,
                " ".join(statement.split())[:80],
            )
        if self.strict:
            raise StoreOnLoop(f"store statement on the event loop thread, from {where}")

    def close(self) -> None:
        if event.contains(self.engine, "before_cursor_execute", self._listener):
            event.remove(self.engine, "before_cursor_execute", self._listener)
