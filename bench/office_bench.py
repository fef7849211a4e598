"""Office views at scale: /status over 2 000 units, and the XLSX export of 2 000 units × 50 notices.

    .venv/bin/python bench/office_bench.py

A real SQLite ledger is filled directly (the path from the store to the message or the file is
what is measured), with the working-day calendar on. Targets (issue 5): /status < 100 ms,
export < 5 s.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from briefbot.bulk_export import export_notices  # noqa: E402
from briefbot.export import to_xlsx  # noqa: E402
from briefbot.reports import build_report, format_status_html  # noqa: E402
from briefbot.settings import parse_settings  # noqa: E402
from briefbot.store import open_store  # noqa: E402
from briefbot.store.notices import UnitRecord  # noqa: E402
from briefbot.store.schema import acks, notices, outbox  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
UNITS, NOTICES = 2000, 50


def fill(store, rng: random.Random) -> datetime:
    store.notices.sync_units(
        [
            UnitRecord(
                f"u{i:04d}",
                f"单位{i}",
                ("设区市", "省直部门", "县区")[i % 3],
                -1003000000000 - i,
                (50000000 + i,),
            )
            for i in range(UNITS)
        ]
    )
    start = datetime(2025, 11, 3, 9, 0, tzinfo=TZ)
    with store.engine.begin() as conn:
        for n in range(NOTICES):
            published = start + timedelta(days=n)
            conn.execute(
                insert(notices).values(
                    id=n + 1,
                    content_hash=f"h{n}",
                    title=f"测试简报{n}",
                    issue=f"第{n + 1}期",
                    kind="routine",
                    html="<b>x</b>",
                    source="bench",
                    briefing_json="{}",
                    published_at=published,
                    ack_within_s=4 * 3600,
                )
            )
            rows, ack_rows = [], []
            for i in range(UNITS):
                sent = published + timedelta(seconds=i / 30)
                rows.append(
                    {
                        "kind": "notice",
                        "notice_id": n + 1,
                        "unit_code": f"u{i:04d}",
                        "step": 0,
                        "chat_id": -1003000000000 - i,
                        "with_button": True,
                        "priority": 10,
                        "state": "sent",
                        "created_at": published,
                        "sent_at": sent,
                        "message_id": i + 1,
                    }
                )
                if rng.random() < 0.85:
                    ack_rows.append(
                        {
                            "notice_id": n + 1,
                            "unit_code": f"u{i:04d}",
                            "user_id": 50000000 + i,
                            "user_name": f"联络员{i}",
                            "via": "button",
                            "comment": "已阅" if i % 7 == 0 else None,
                            "acked_at": sent + timedelta(minutes=rng.expovariate(1 / 200)),
                        }
                    )
            conn.execute(insert(outbox), rows)
            conn.execute(insert(acks), ack_rows)
    return start + timedelta(days=NOTICES, hours=2)


def main() -> None:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        config = parse_settings(
            "office: {chat_id: -1, admins: [1]}\n"
            "units: [{code: x, name: x, chat_id: -2}]\n"
            f"storage: {{url: 'sqlite:///{folder}/bench.db'}}\n"
        )
        clock = config.working_time()  # the calendar on: due times in working hours
        store = open_store(config.storage.url)
        t0 = time.perf_counter()
        now = fill(store, rng)
        print(
            f"ledger: {UNITS} units × {NOTICES} notices, {UNITS * NOTICES} deliveries "
            f"(filled in {time.perf_counter() - t0:.1f} s)"
        )
        timings = []
        for _ in range(20):
            t = time.perf_counter()
            notice = store.notices.notice(store.notices.latest_id())
            report = build_report(notice, store.ledger.for_notice(notice.id), now, clock)
            text = format_status_html(report)
            timings.append(time.perf_counter() - t)
        print(
            f"/status for {UNITS} units: median {statistics.median(timings) * 1000:.1f} ms, "
            f"max {max(timings) * 1000:.1f} ms ({len(text)} characters; target < 100 ms)"
        )
        t = time.perf_counter()
        ledgers = store.ledger.for_notices(range(1, NOTICES + 1))
        reports = [
            build_report(store.notices.notice(i), ledgers[i], now, clock)
            for i in range(1, NOTICES + 1)
        ]
        built = time.perf_counter() - t
        data = to_xlsx(reports)
        total = time.perf_counter() - t
        print(
            f"export {UNITS} × {NOTICES}: {total:.2f} s ({built:.2f} s reading and building, "
            f"{total - built:.2f} s writing XLSX; {len(data) / 1024 / 1024:.1f} MiB; target < 5 s)"
        )
        for _ in range(2):
            t = time.perf_counter()
            data = export_notices(config, list(range(1, NOTICES + 1)), now)
            print(
                f"export {UNITS} × {NOTICES}, building and writing in parallel (bot.py export): "
                f"{time.perf_counter() - t:.2f} s ({len(data) / 1024 / 1024:.1f} MiB; target < 5 s)"
            )
        store.close()


if __name__ == "__main__":
    main()
