"""Long-lived services the bot's handlers and jobs share. Created in post_init, closed at shutdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from briefbot.health import Health
from briefbot.holding import Holding
from briefbot.settings import Settings
from briefbot.store import Store


def system_clock(settings: Settings) -> Callable[[], datetime]:
    tz = settings.tz
    return lambda: datetime.now(tz)


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Callable[[], datetime]
    http: httpx.AsyncClient | None = None  # for feeds; created in post_init, closed at shutdown
    health: Health = field(default_factory=Health)
    # outcomes and acks the store could not take yet (see briefbot.holding)
    held: Holding = field(default_factory=Holding)

    def __post_init__(self) -> None:
        self.health.backlog = lambda: len(self.held)

    def now(self) -> datetime:
        return self.clock()
