"""Exporting many notices at once (the weekly or monthly 签收单 for assessment).

The sheets are read straight from the store (``export.sheets_of``: one query per few notices,
no ledger objects), and written with XlsxWriter (``export.to_xlsx``). On the command line a worker
process builds the next notices' sheets (plain values, cheap to pass between processes) while
this process writes, so the two run on two cores. The bot runs the whole export in a short-lived
child process (``export_in_child``): a million cells never hold the event loop, nor the GIL
of the process that answers the units.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

from briefbot.export import Sheet, sheets_of, to_xlsx
from briefbot.settings import Settings
from briefbot.store import open_store

log = logging.getLogger(__name__)
CHUNK = 5  # notices per task: small enough to start writing early
CHILD_TIMEOUT = 600.0  # seconds an export child may take before it is killed
_ROOT = str(Path(__file__).resolve().parent.parent)
_BOOT = "from briefbot.bulk_export import child_main\nchild_main()\n"


def _build(settings: Settings, notice_ids: Sequence[int], now: datetime) -> list[Sheet]:
    """Read and build the sheets of some notices (runs in the worker process)."""
    store = open_store(settings.storage.url, run_migrations=False)
    try:
        return list(sheets_of(store, notice_ids, now, settings.working_time()))
    finally:
        store.close()


def _pipelined(settings: Settings, notice_ids: Sequence[int], now: datetime) -> Iterator[Sheet]:
    # a small first chunk lets the writer start early; later ones amortise the hand-over
    first = max(1, CHUNK // 2)
    rest = notice_ids[first:]
    chunks = [notice_ids[:first], *(rest[i : i + CHUNK] for i in range(0, len(rest), CHUNK))]
    # fork is safe here (the command line, and the bot's export child, have no threads) and
    # starts in milliseconds
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        futures: list[Future[list[Sheet]]] = [
            pool.submit(_build, settings, chunk, now) for chunk in chunks
        ]
        for future in futures:
            yield from future.result()


def export_notices(
    settings: Settings, notice_ids: Sequence[int], now: datetime, pipelined: bool = True
) -> bytes:
    """The 签收单 of many notices as one workbook, one sheet per notice, in the given order.
    ``pipelined``: build in a forked worker while this process writes (two cores)."""
    if not pipelined or len(notice_ids) <= CHUNK:
        store = open_store(settings.storage.url, run_migrations=False)
        try:
            return to_xlsx(sheets_of(store, notice_ids, now, settings.working_time()))
        finally:
            store.close()
    return to_xlsx(_pipelined(settings, notice_ids, now))


class ExportFailed(Exception):
    """The export child crashed or took too long (logged; the office is told in Chinese)."""


async def export_in_child(settings: Settings, notice_ids: Sequence[int], now: datetime) -> bytes:
    """``export_notices`` in a short-lived ``python -c`` child on one core: the bot's process
    neither computes nor holds the GIL for it. The request goes in pickled on stdin, the
    workbook comes back on stdout; the child's environment has no token."""
    path = os.environ.get("PYTHONPATH", "")
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["PYTHONPATH"] = _ROOT + (os.pathsep + path if path else "")
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _BOOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    request = pickle.dumps((settings, list(notice_ids), now))
    try:
        out, err = await asyncio.wait_for(child.communicate(request), CHILD_TIMEOUT)
    except TimeoutError:
        child.kill()
        await child.wait()
        raise ExportFailed(
            f"the export of {len(notice_ids)} notices took over {CHILD_TIMEOUT} s"
        ) from None
    if child.returncode != 0 or not out.startswith(b"PK"):
        last = (err.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        raise ExportFailed(f"the export child exited {child.returncode}: {last[:300]}")
    return out


def child_main() -> None:
    """The export child: a pickled (settings, notice ids, now) in, the workbook out."""
    settings, notice_ids, now = pickle.load(sys.stdin.buffer)
    data = export_notices(settings, notice_ids, now, pipelined=False)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
