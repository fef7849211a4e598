"""Office views at scale: /status over 2 000 units, and the XLSX export of 2 000 units × 50 notices.

    .venv/bin/python bench/office_bench.py                       # SQLite
    .venv/bin/python bench/office_bench.py --store postgresql    # the ledger in PostgreSQL

A ledger is filled directly (rehearsal.seed: the path from the store to the message or the file
is what is measured), with the working-day calendar on. /status is the bot's own function
(handlers.office.status_html, what runs in a worker thread); the export is measured as
``bot.py export`` makes it (a worker process builds sheets while this one writes), in one
process (as the bot's export child does), and as the whole ``bot.py export`` command. Wall and
CPU seconds are both shown: this machine is shared. Targets (issue 11): /status < 100 ms, the
export under 5 s with 30 % headroom (≤ 3.5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backends import add_store_option, backend_name, bench_store  # noqa: E402
from briefbot.bulk_export import export_notices  # noqa: E402
from briefbot.runtime import Services  # noqa: E402
from briefbot.settings import parse_settings  # noqa: E402
from briefbot.store import open_store  # noqa: E402
from handlers.office import status_html  # noqa: E402
from rehearsal.seed import seed_ledger  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
UNITS, NOTICES = 2000, 50


def timed(work):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run(store_choice: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder, bench_store(store_choice, Path(folder)) as url:
        config_text = (
            "office: {chat_id: -1, admins: [1]}\n"
            "units: [{code: x, name: x, chat_id: -2}]\n"
            f"storage: {{url: '{url}'}}\n"
        )
        config = parse_settings(config_text)
        store = open_store(url)
        start = datetime(2025, 11, 3, 9, 0, tzinfo=TZ)
        ids, fill, _ = timed(
            lambda: seed_ledger(store, unit_count=UNITS, notice_count=NOTICES, start=start)
        )
        now = start + timedelta(days=NOTICES, hours=2)
        print(
            f"ledger: {UNITS} units × {NOTICES} notices, {UNITS * NOTICES} deliveries "
            f"(filled in {fill:.1f} s); load average {os.getloadavg()[0]:.2f}"
        )
        svc = Services(settings=config, store=store, clock=lambda: now)
        notice = store.notices.notice(ids[-1])
        assert notice is not None
        walls, cpus = [], []
        for _ in range(20):
            text, wall, cpu = timed(lambda: status_html(svc, notice))
            walls.append(wall)
            cpus.append(cpu)
        print(
            f"/status for {UNITS} units: median {statistics.median(walls) * 1000:.0f} ms "
            f"(CPU {statistics.median(cpus) * 1000:.0f} ms), max {max(walls) * 1000:.0f} ms "
            f"({len(text)} characters; target < 100 ms)"
        )
        store.close()  # as bot.py export does before it forks its worker
        for label, pipelined in (("bot.py export's path", True), ("one process", False)):
            for _ in range(repeat):
                data, wall, cpu = timed(
                    lambda p=pipelined: export_notices(config, ids, now, pipelined=p)
                )
                print(
                    f"export {UNITS} × {NOTICES}, {label}: {wall:.2f} s (CPU of this process "
                    f"{cpu:.2f} s; {len(data) / 1024 / 1024:.1f} MiB; target ≤ 3.5 s)"
                )
        config_file = Path(folder) / "config.yaml"
        config_file.write_text(config_text, encoding="utf-8")
        output = Path(folder) / "out.xlsx"
        span = ",".join(str(i) for i in ids)
        _, wall, _ = timed(
            lambda: subprocess.run(
                [sys.executable, str(ROOT / "bot.py"), "export", "--config", str(config_file),
                 "--notices", span, "--output", str(output)],
                check=True, capture_output=True,
            )
        )  # fmt: skip
        print(f"the whole `bot.py export` command (start-up included): {wall:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    add_store_option(parser)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each export")
    args = parser.parse_args()
    print(f"store: {backend_name(args.store)}")
    run(args.store, args.repeat)


if __name__ == "__main__":
    main()
