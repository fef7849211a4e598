"""Several real ``bot.py run`` processes on one PostgreSQL store, for the replica benchmark and
the end-to-end test: start them, kill one, and read from their logs who held which role when and
which scheduled jobs each ran.

Each replica logs to its own file. The launcher turns on the DEBUG line that every leader-only
job writes when it runs (``schedules.leadership``), nothing else: the rest stays at INFO.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rehearsal.harness import BOT_TOKEN, ROOT

_LAUNCH = """\
import logging, sys
sys.path.insert(0, {root!r})
import bot
_setup = bot.setup_logging
def setup(*args, **kwargs):
    _setup(*args, **kwargs)
    logging.getLogger("schedules.leadership").setLevel(logging.DEBUG)
bot.setup_logging = setup
sys.exit(bot.main(["run", "--config", sys.argv[1]]))
"""
_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\w+) ([\w.]+): (.*)$")


def fresh_schema(url: str) -> tuple[str, str]:
    """(schema, store URL using it) in the PostgreSQL database of ``url``; drop it with
    ``drop_schema``."""
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    store = make_url(url).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return schema, store.render_as_string(hide_password=False)


def drop_schema(url: str, schema: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (schema,),
        )
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    killed_at: datetime | None = None  # wall clock, as the logs write it

    @classmethod
    def start(cls, name: str, config: Path, workdir: Path) -> Replica:
        log_path = workdir / f"{name}.log"
        env = {**os.environ, "BOT_TOKEN": BOT_TOKEN, "PYTHONUNBUFFERED": "1"}
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH.format(root=str(ROOT)), str(config)],
                cwd=workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return cls(name, process, log_path)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def owner(self) -> str | None:
        """The replica id it logged at start."""
        found = re.search(r"replica (\S+): sharing the store", self.log())
        return found.group(1) if found else None

    def has(self, text: str) -> bool:
        return text in self.log()

    def kill(self) -> None:
        """SIGKILL: the crash. Nothing gets to clean up, the session with its locks included."""
        if self.process.poll() is None:
            self.killed_at = datetime.now().astimezone()  # local, as the logs write it
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, within: float = 20) -> int | None:
        """SIGINT, PTB's graceful stop. Blocking: from a thread where the emulator's loop runs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(within)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


@dataclass
class Terms:
    """What one replica's log says: its terms in each role (start, end; end None while it held
    the role at the end of the log) and the leader-only job runs, by time."""

    roles: dict[str, list[tuple[datetime, datetime | None]]] = field(default_factory=dict)
    jobs: list[tuple[datetime, str]] = field(default_factory=list)
    resumed: list[tuple[datetime, int]] = field(default_factory=list)

    def runs(self) -> Counter[str]:
        return Counter(name for _, name in self.jobs)


def read_terms(replica: Replica) -> Terms:
    terms = Terms(roles={"leader": [], "poller": []})
    for line in replica.log().splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        # the logs write local time without an offset: read it as this host's local time
        at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").astimezone()
        message = m.group(4)
        if (took := re.match(r"replica \S+ took the (\w+) role", message)) is not None:
            terms.roles[took.group(1)].append((at, None))
        elif (gave := re.match(r"replica \S+ gave up the ([\w ]+) role", message)) is not None:
            for role in gave.group(1).split(" and "):
                _end(terms.roles[role], at)
        elif (job := re.match(r"leader job (\S+) runs", message)) is not None:
            terms.jobs.append((at, job.group(1)))
        elif (back := re.match(r"resuming (\d+) deliveries left in flight", message)) is not None:
            terms.resumed.append((at, int(back.group(1))))
    if replica.killed_at is not None:  # a killed replica's terms end with it
        for spans in terms.roles.values():
            _end(spans, replica.killed_at)
    return terms


def _end(spans: list[tuple[datetime, datetime | None]], at: datetime) -> None:
    if spans and spans[-1][1] is None:
        spans[-1] = (spans[-1][0], at)


def overlaps(a: list[tuple[datetime, datetime | None]], b: list[tuple[datetime, Any]]) -> float:
    """Seconds during which a term of ``a`` and a term of ``b`` overlap."""
    far = datetime.max  # noqa: DTZ901 - the logs' naive local times
    total = 0.0
    for a0, a1 in a:
        for b0, b1 in b:
            start, end = max(a0, b0), min(a1 or far, b1 or far)
            if end > start:
                total += (end - start).total_seconds()
    return total


def outside(terms: Terms, role: str = "leader") -> int:
    """Leader-only job runs logged outside the replica's own terms as leader (must be 0)."""
    spans = terms.roles[role]
    return sum(
        1
        for at, _ in terms.jobs
        if not any(start <= at and (end is None or at <= end) for start, end in spans)
    )


def wait_until(check: Any, within: float, what: str, interval: float = 0.1) -> Any:
    """Blocking wait for ``check()`` to be truthy (for threads; the harness has an async one)."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)
