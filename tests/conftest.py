from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefbot.offloop import WATCH_KEY
from briefbot.settings import Settings, parse_settings
from briefbot.store import Store, open_store
from briefbot.store.database import normalise_url
from tgemu.server import EmulatorServer
from tgemu.world import Limits, World

# The suite runs on SQLite; with BRIEFBOT_TEST_DATABASE_URL=postgresql://… (.ci/run sets it when a
# server answers on 127.0.0.1:5432) it runs on PostgreSQL instead: every test that asks for a
# database gets a schema of its own in that database (search_path in the URL, so the bot processes
# the end-to-end tests start use it too), dropped when the test ends.
TEST_DATABASE_URL = os.environ.get("BRIEFBOT_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
BACKEND = "postgresql" if ON_POSTGRES else "sqlite"
_schemas: set[str] = set()
_admin: list[object] = []  # one autocommit psycopg connection for the session, made on first use


def pytest_configure(config: pytest.Config) -> None:
    # the project opts in to PTB's timedelta durations (see bot.main)
    os.environ["PTB_TIMEDELTA"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    while _admin:
        _admin.pop().close()  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    if ON_POSTGRES:
        from briefbot.cli import masked_url

        return f"briefbot store backend: PostgreSQL ({masked_url(TEST_DATABASE_URL)})"
    return "briefbot store backend: SQLite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.sqlite_only("why")``: skipped on PostgreSQL, with the reason."""
    if not ON_POSTGRES:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            why = marker.args[0] if marker.args else "SQLite-specific"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    if not _admin:
        url = make_url(normalise_url(TEST_DATABASE_URL)).set(drivername="postgresql")
        _admin.append(psycopg.connect(url.render_as_string(hide_password=False), autocommit=True))
    return _admin[0]


def database_url(folder: Path, name: str = "bot.db") -> str:
    """The store URL for a test: ``sqlite:///folder/name``, or on PostgreSQL a fresh schema of
    the test database named after that path (the same path gives the same schema within a test)."""
    if not ON_POSTGRES:
        return f"sqlite:///{folder / name}"
    from sqlalchemy.engine import make_url

    schema = "bt_" + hashlib.sha1(f"{os.getpid()}:{folder / name}".encode()).hexdigest()[:20]
    if schema not in _schemas:
        _admin_connection().execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        _schemas.add(schema)
    url = make_url(normalise_url(TEST_DATABASE_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


def base_config(folder: Path) -> str:
    """``BASE_CONFIG`` with the test's database (``database_url``) as its store."""
    return BASE_CONFIG.replace('"sqlite:///%(db)s"', f'"{database_url(folder)}"')


@pytest.fixture(autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    """Drops the schemas a test made, after ending any connection still open on them."""
    yield
    if not _schemas:
        return
    connection = _admin_connection()
    for schema in sorted(_schemas):
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (schema,),
        )
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    _schemas.clear()


sqlite_only = pytest.mark.sqlite_only


ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "samples" / "wuxing-briefing-13.txt"
SHIPPED = ROOT / "rehearsal" / "briefings" / "qingfeng-briefing-7.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TZ = ZoneInfo("Asia/Shanghai")

BASE_CONFIG = """\
timezone: Asia/Shanghai
storage: {url: "sqlite:///%(db)s"}
office: {chat_id: -1001000000001, admins: [10001, 10002]}
units:
  - {code: dongjiang, name: 东江市, group: 设区市, chat_id: -1001000000101, liaisons: [20001]}
  - {code: qingling, name: 青岭市, group: 设区市, chat_id: -1001000000102, liaisons: [20002]}
  - {code: edu, name: 省教育厅, group: 省直部门, chat_id: -1001000000103, liaisons: []}
follow_up: {ack_within: 4h, remind_every: 2h, max_reminders: 2}
"""

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/samples not present")


def at(text: str) -> datetime:
    """An aware Asia/Shanghai datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return parse_settings(base_config(tmp_path))


@pytest.fixture
def store(settings: Settings) -> Store:
    from briefbot.cli import units_of

    s = open_store(settings.storage.url)
    s.notices.sync_units(units_of(settings))
    yield s
    s.close()


@pytest.fixture
async def emulator() -> AsyncIterator[EmulatorServer]:
    server = EmulatorServer(World(Limits()))
    await server.start()
    yield server
    await server.stop()


@asynccontextmanager
async def running_app(
    emulator, tmp_path, units_yaml: str = "", telegram: str = "", storage_url: str | None = None
) -> AsyncIterator[object]:
    """The real Application (bot.build_application) wired to the emulator, post_init done.

    ``units_yaml`` adds lines under ``units:`` (e.g. a unit bound by invitation); ``telegram``
    adds keys to the ``telegram`` settings (``", group_rate_per_minute: 600"``); ``storage_url``
    is the store instead of the test's own (bench/fault_bench.py).
    """
    from bot import build_application
    from tests.botkit import (
        ADMIN,
        DONGJIANG,
        EDU,
        LIAISON,
        OFFICE,
        OTHER,
        QINGLING,
        STRANGER_CHAT,
        TOKEN,
        user,
    )

    if storage_url is None:
        base = base_config(tmp_path)
    else:
        base = BASE_CONFIG.replace('"sqlite:///%(db)s"', f'"{storage_url}"')
    if units_yaml:
        base = base.replace("follow_up:", units_yaml + "follow_up:")
    text = base + (
        f"telegram: {{base_url: '{emulator.base_url}/bot', max_retries: 0{telegram}}}\n"
        f"health: {{heartbeat_file: '{tmp_path / 'hb'}'}}\n"
    )
    settings = parse_settings(text)
    world = emulator.world
    world.add_bot(TOKEN)
    for cid in (OFFICE, DONGJIANG, QINGLING, EDU, STRANGER_CHAT):
        world.add_chat(cid, f"群{cid}")
    for uid in (ADMIN, LIAISON, OTHER, 20002):
        world.add_user(uid, user(uid)["first_name"])
    application = build_application(settings, TOKEN)
    await application.initialize()
    await application.post_init(application)
    # tests call jobs' functions from their own coroutine; tests/test_offloop.py watches the
    # handlers with a strict watch of its own
    application.bot_data[WATCH_KEY].close()
    try:
        yield application
    finally:
        await application.post_shutdown(application)
        await application.shutdown()


@pytest.fixture
async def app(emulator, tmp_path):
    async with running_app(emulator, tmp_path) as application:
        yield application
