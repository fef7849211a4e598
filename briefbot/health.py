"""What the running bot knows about its own health, beyond "the process is alive".

Two outages matter: Telegram refusing the token (401) and the store refusing writes (locked, disk
full). Each has a start, an end, and exactly one office message per outage: the caller asks
``take_notices()`` and sends what it gets. ``problems()`` is what the heartbeat file carries, so
that ``bot.py healthcheck`` fails while an outage lasts.

Pure state, no I/O: every method takes ``now`` (an aware datetime) where time matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from briefbot.render import esc


@dataclass
class Outage:
    """One kind of outage: since when, how many failures, and what the office was told."""

    what: str  # Chinese, for the office and the health check
    since: datetime | None = None
    failures: int = 0
    last_error: str = ""
    alerted: bool = False  # the office was told it started
    ended: list[tuple[datetime, datetime, int]] = field(default_factory=list)  # to announce
    # an outage starting again this soon after one ended is the same trouble flapping (a disk
    # that is nearly full): the office is not told again, the health check still fails
    quiet_for: timedelta = timedelta(minutes=10)
    last_end: datetime | None = None
    quiet: bool = False

    @property
    def active(self) -> bool:
        return self.since is not None

    def fail(self, now: datetime, error: str) -> bool:
        """Record a failure; True when this starts a new outage."""
        self.failures += 1
        self.last_error = error[:200]
        if self.since is None:
            self.since = now
            self.quiet = self.last_end is not None and now - self.last_end < self.quiet_for
            self.alerted = self.quiet
            return True
        return False

    def ok(self, now: datetime) -> bool:
        """Record a success; True when this ends an outage."""
        if self.since is None:
            return False
        if not self.quiet:
            self.ended.append((self.since, now, self.failures))
        self.since = None
        self.failures = 0
        self.alerted = False
        self.last_end = now
        return True

    def lasted(self, now: datetime) -> timedelta:
        return now - self.since if self.since is not None else timedelta(0)


@dataclass
class Health:
    token: Outage = field(default_factory=lambda: Outage("Telegram 拒绝了机器人令牌（401）"))
    store: Outage = field(default_factory=lambda: Outage("数据库无法写入"))
    # set by whoever holds work in memory while the store fails: how much is waiting
    backlog: Callable[[], int] = lambda: 0
    _unsent: list[str] = field(default_factory=list)

    def problems(self, now: datetime) -> list[str]:
        out = []
        for outage in (self.token, self.store):
            if outage.active:
                seconds = int(outage.lasted(now).total_seconds())
                out.append(f"{outage.what}，已持续 {seconds} 秒")
        waiting = self.backlog()
        if waiting:
            out.append(f"{waiting} 条记录暂存在内存中，等待写入数据库")
        return out

    def take_notices(self, now: datetime) -> list[str]:
        """Office messages owed now: one when a store outage starts (the bot can still talk to
        Telegram), one when any outage ends, and any that could not be sent before. Each is
        returned once; hand the ones that could not be sent to ``put_back``."""
        out, self._unsent = self._unsent, []
        if self.store.active and not self.store.alerted:
            self.store.alerted = True
            out.append(
                "⚠️ 数据库暂时无法写入（"
                + esc((self.store.last_error or "未知原因")[:80])
                + "）。签收与发送记录先暂存在内存中，恢复后自动补记；"
                "期间健康检查会报告异常。"
            )
        for outage, done in ((self.token, "推送与签收已自动继续"), (self.store, "暂存记录已补记")):
            for since, until, failures in outage.ended:
                seconds = int((until - since).total_seconds())
                out.append(
                    f"✅ 已恢复：{outage.what}的情况持续约 {seconds} 秒"
                    f"（{failures} 次失败），{done}。"
                )
            outage.ended.clear()
        return out

    def put_back(self, texts: list[str]) -> None:
        """Notices that could not be sent: ``take_notices`` offers them again next time."""
        self._unsent = [*texts, *self._unsent]
