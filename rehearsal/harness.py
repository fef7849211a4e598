"""Start the emulator, write a config, run the real ``bot.py run`` process, and watch it.

Used by the demo, the end-to-end tests and the benchmarks, so that all three exercise the same
process the office would run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tgemu.client import EmulatorClient
from tgemu.htmltext import visible_text
from tgemu.server import EmulatorServer
from tgemu.world import Limits, World

ROOT = Path(__file__).resolve().parent.parent
BOT_TOKEN = "7000000001:REHEARSAL-only-token-not-a-real-one"
WEBHOOK_SECRET = "REHEARSAL-only-webhook-secret-not-a-real-one"
WEBHOOK_PATH = "/telegram/webhook"
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    group: str
    chat_id: int
    liaisons: tuple[Person, ...]


def numbered_units(n: int, chat_base: int, user_base: int, start: int = 1) -> list[UnitSpec]:
    """``n`` city units "第i单位" (code ``u0001``…), each with one liaison "联络员i": the crowd that
    benchmarks and fault tests push to. Bases keep their chats and users apart from others'."""
    return [
        UnitSpec(
            f"u{i:04d}",
            f"第{i}单位",
            "设区市",
            chat_base - i,
            (Person(user_base + i, f"联络员{i}"),),
        )
        for i in range(start, start + n)
    ]


@dataclass
class Scenario:
    units: list[UnitSpec]
    office_chat_id: int = -1001000000001
    admins: tuple[Person, ...] = (Person(10001, "办公室 王主任"), Person(10002, "办公室 李秘书"))
    follow_up: dict[str, Any] = field(
        default_factory=lambda: {
            "ack_within": "8s",
            "remind_every": "5s",
            "max_reminders": 2,
            "check_every": "1s",
        }
    )
    delivery: dict[str, Any] = field(default_factory=lambda: {"poll_every": "0.5s"})
    telegram: dict[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    # the store; None: a SQLite file in the work folder (data/bot.db)
    storage_url: str | None = None
    # replicas on PostgreSQL: a killed bot's deliveries in flight resume 3 s after, not 30
    replicas: dict[str, Any] = field(default_factory=lambda: {"lease": "3s", "check_every": "0.5s"})
    # True: `bot.py run --webhook`, the emulator POSTs updates to the bot's own server on a free
    # port of 127.0.0.1 (secret from WEBHOOK_SECRET); False: long polling
    webhook: bool = False


class Rehearsal:
    def __init__(self, scenario: Scenario, workdir: Path) -> None:
        self.scenario = scenario
        self.workdir = workdir
        self.server = EmulatorServer(World(scenario.limits))
        self.client: EmulatorClient | None = None
        self.bot_process: subprocess.Popen[bytes] | None = None
        self.config_path = workdir / "config.yaml"
        self.db_path = workdir / "data" / "bot.db"
        self.storage_url = scenario.storage_url or f"sqlite:///{self.db_path}"
        self.log_path = workdir / "bot.log"
        self._log_file: Any = None
        self.webhook_port = free_port() if scenario.webhook else None
        self.webhook_secret = WEBHOOK_SECRET

    @property
    def webhook_url(self) -> str:
        """Where the emulator posts updates in webhook mode (the bot's own server: no proxy)."""
        assert self.webhook_port is not None, "not a webhook scenario"
        return f"http://127.0.0.1:{self.webhook_port}{WEBHOOK_PATH}"

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Rehearsal:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        await self.server.start()
        self.client = EmulatorClient(self.server.base_url)
        world = self.server.world
        world.add_bot(BOT_TOKEN)
        world.add_chat(self.scenario.office_chat_id, "省办公室工作群")
        for admin in self.scenario.admins:
            world.add_user(admin.user_id, admin.name)
        for unit in self.scenario.units:
            world.add_chat(unit.chat_id, f"{unit.name}工作群")
            for person in unit.liaisons:
                world.add_user(person.user_id, person.name)
        self.write_config()

    async def stop(self) -> None:
        await self.stop_bot()
        if self.client is not None:
            await self.client.aclose()
        await self.server.stop()

    def config(self) -> dict[str, Any]:
        s = self.scenario
        telegram: dict[str, Any] = {"base_url": f"{self.server.base_url}/bot", "poll_timeout": 2}
        if self.webhook_port is not None:
            telegram["webhook"] = {
                "listen": "127.0.0.1",
                "port": self.webhook_port,
                "url": self.webhook_url,
            }
        return {
            "timezone": "Asia/Shanghai",
            "telegram": {**telegram, **s.telegram},
            "storage": {"url": self.storage_url},
            "office": {"chat_id": s.office_chat_id, "admins": [a.user_id for a in s.admins]},
            "units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "group": u.group,
                    "chat_id": u.chat_id,
                    "liaisons": [p.user_id for p in u.liaisons],
                }
                for u in s.units
            ],
            "follow_up": s.follow_up,
            "calendar": {"enabled": False},  # seconds-long rehearsal: every hour counts
            "delivery": s.delivery,
            "health": {"heartbeat_file": str(self.workdir / "data" / "heartbeat"), "every": "5s"},
            **({"replicas": s.replicas} if s.replicas else {}),
        }

    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(
            yaml.safe_dump(self.config(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    async def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``bot.py <args> --config <this config>``, off the loop that serves the emulator.

        Raises CalledProcessError on a non-zero exit, unless ``check`` is false.
        """
        return await asyncio.to_thread(
            subprocess.run,
            [sys.executable, str(ROOT / "bot.py"), *args, "--config", str(self.config_path)],
            check=check,
            capture_output=True,
            text=True,
            cwd=self.workdir,
        )

    def start_bot(self, **env_vars: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "BOT_TOKEN": BOT_TOKEN, "PYTHONUNBUFFERED": "1", **env_vars}
        argv = [sys.executable, str(ROOT / "bot.py"), "run", "--config", str(self.config_path)]
        if self.webhook_port is not None:
            argv.append("--webhook")
            env["WEBHOOK_SECRET"] = self.webhook_secret
        self._log_file = self.log_path.open("ab")
        self.bot_process = subprocess.Popen(
            argv,
            cwd=self.workdir,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        return self.bot_process

    async def _exited(self, within: float) -> bool:
        """Wait without blocking the loop: the emulator serving the bot runs on this loop."""
        process = self.bot_process
        assert process is not None
        deadline = time.monotonic() + within
        while process.poll() is None:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def kill_bot(self) -> None:
        """SIGKILL: the crash case. Nothing gets to clean up."""
        if self.bot_process is not None and self.bot_process.poll() is None:
            self.bot_process.send_signal(signal.SIGKILL)
            await self._exited(10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    async def stop_bot(self, within: float = 15, how: signal.Signals = signal.SIGINT) -> int | None:
        """SIGINT (or ``how``, e.g. SIGTERM from Docker): PTB's graceful stop."""
        process = self.bot_process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(how)
            if not await self._exited(within):
                process.kill()
                await self._exited(10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return process.returncode

    def bot_log(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    # ------------------------------------------------------------------ watching
    @property
    def emu(self) -> EmulatorClient:
        assert self.client is not None
        return self.client

    async def wait_ready(self, within: float = 30) -> None:
        """Until the bot process is long-polling the emulator, or (webhook mode) its webhook is
        set and its server listens (PTB sets the webhook, then listens, then starts)."""

        async def polling() -> bool:
            return self.server.world.stats.get("call:getUpdates", 0) > 0

        async def receiving() -> bool:
            hook = self.server.world.bots[BOT_TOKEN].webhook
            if hook is None or hook.url != self.webhook_url:
                return False
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.webhook_port)
            except OSError:
                return False
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return True

        if self.webhook_port is None:
            await self.wait_for(polling, within, "the bot to start polling")
        else:
            await self.wait_for(receiving, within, "the bot's webhook server")

    async def wait_for(
        self, check: Callable[[], Awaitable[T]], within: float, what: str, interval: float = 0.1
    ) -> T:
        deadline = time.monotonic() + within
        while True:
            result = await check()
            if result:
                return result
            if self.bot_process is not None and self.bot_process.poll() is not None:
                raise RuntimeError(
                    f"bot exited ({self.bot_process.returncode}) while waiting for "
                    f"{what}; log:\n{self.bot_log()[-4000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}; log:\n{self.bot_log()[-4000:]}")
            await asyncio.sleep(interval)

    def notices_in(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat that carry the ack button of a notice (not reminders)."""
        out = []
        for m in self.server.world.transcript(chat_id):
            if not m["from_bot"]:
                continue
            text = m.get("text", "")
            if text.startswith("📄"):
                out.append(m)
        return out

    def plain_texts(self, chat_id: int) -> list[str]:
        """The bot's messages as the user sees them (HTML parsed away)."""
        return [visible_text(t) for t in self.bot_texts(chat_id)]

    def bot_texts(self, chat_id: int) -> list[str]:
        return [m.get("text", "") for m in self.server.world.transcript(chat_id) if m["from_bot"]]
