"""Exporting many notices at once (the weekly or monthly 签收单 for assessment).

Reading the ledger and building each notice's report, and writing the workbook, each take about
half the time; a worker process builds the next notices' sheets (plain values, cheap to pass
between processes) while this process writes, so
the two run on two cores (bench/office_bench.py: 6.35 s in one process).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime

from briefbot.export import Sheet, sheet_of, to_xlsx
from briefbot.reports import notice_report
from briefbot.settings import Settings
from briefbot.store import open_store

CHUNK = 5  # notices per task: small enough to start writing early


def _build(settings: Settings, notice_ids: Sequence[int], now: datetime) -> list[Sheet]:
    """Read and build the sheets of some notices (runs in the worker process)."""
    store = open_store(settings.storage.url, run_migrations=False)
    try:
        clock = settings.working_time()
        ledgers = store.ledger.for_notices(notice_ids)
        sheets = []
        for notice_id in notice_ids:
            notice = store.notices.notice(notice_id)
            if notice is not None:
                report = notice_report(store, notice, now, clock, ledgers[notice_id])
                sheets.append(sheet_of(report))
        return sheets
    finally:
        store.close()


def _pipelined(settings: Settings, notice_ids: Sequence[int], now: datetime) -> Iterator[Sheet]:
    # a small first chunk lets the writer start early; later ones amortise the hand-over
    first = max(1, CHUNK // 2)
    rest = notice_ids[first:]
    chunks = [notice_ids[:first], *(rest[i : i + CHUNK] for i in range(0, len(rest), CHUNK))]
    # fork is safe here (the command line has no threads) and starts in milliseconds
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        futures: list[Future[list[Sheet]]] = [
            pool.submit(_build, settings, chunk, now) for chunk in chunks
        ]
        for future in futures:
            yield from future.result()


def export_notices(settings: Settings, notice_ids: Sequence[int], now: datetime) -> bytes:
    """The 签收单 of many notices as one workbook, one sheet per notice, in the given order."""
    if len(notice_ids) <= CHUNK:
        return to_xlsx(_build(settings, notice_ids, now))
    return to_xlsx(_pipelined(settings, notice_ids, now))
