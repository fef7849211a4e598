from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefbot.settings import Settings, parse_settings
from briefbot.store import Store, open_store
from tgemu.server import EmulatorServer
from tgemu.world import Limits, World


def pytest_configure(config: pytest.Config) -> None:
    # the project opts in to PTB's timedelta durations (see bot.main)
    os.environ["PTB_TIMEDELTA"] = "1"


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
    return parse_settings(BASE_CONFIG % {"db": tmp_path / "bot.db"})


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
async def running_app(emulator, tmp_path, units_yaml: str = "") -> AsyncIterator[object]:
    """The real Application (bot.build_application) wired to the emulator, post_init done.

    ``units_yaml`` adds lines under ``units:`` (e.g. a unit bound by invitation).
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

    base = BASE_CONFIG % {"db": tmp_path / "bot.db"}
    if units_yaml:
        base = base.replace("follow_up:", units_yaml + "follow_up:")
    text = base + (
        f"telegram: {{base_url: '{emulator.base_url}/bot', max_retries: 0}}\n"
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
    try:
        yield application
    finally:
        await application.post_shutdown(application)
        await application.shutdown()


@pytest.fixture
async def app(emulator, tmp_path):
    async with running_app(emulator, tmp_path) as application:
        yield application
