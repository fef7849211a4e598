"""PTB's AIORateLimiter with per-group limiters kept in a bounded LRU.

AIORateLimiter keeps one aiolimiter per group and, once it holds more than 512, scans and copies
all of them on *every* request looking for idle ones. A push to 2 000 groups at a paid-broadcast
rate never lets them go idle, so every send paid that scan (18 % of the bot's CPU at 1 000 msg/s,
measured with py-spy). Here a limiter is found in O(1) and only the least recently used one is
dropped, and only when it is idle (full capacity), so no group ever exceeds its limit.

Telegram-facing plumbing shared by the handlers and the jobs; it lives here because the domain
package never imports telegram.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter


class GroupLruRateLimiter(AIORateLimiter):
    def __init__(self, *args: Any, max_idle_groups: int = 4096, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lru: OrderedDict[str | int | bool, AsyncLimiter] = OrderedDict()
        self._max_idle_groups = max_idle_groups
        self._full: tuple[AsyncLimiter | None, AsyncLimiter] | None = None  # before any share

    def _get_group_limiter(self, group_id: str | int | bool) -> AsyncLimiter:
        limiter = self._lru.get(group_id)
        if limiter is not None:
            self._lru.move_to_end(group_id)
            return limiter
        limiter = AsyncLimiter(max_rate=self._group_max_rate, time_period=self._group_time_period)
        self._lru[group_id] = limiter
        while len(self._lru) > self._max_idle_groups:
            oldest_id, oldest = next(iter(self._lru.items()))
            if not oldest.has_capacity(oldest.max_rate):
                break  # still cooling down: keep it, and everything newer
            del self._lru[oldest_id]
        return limiter

    def share(self, fraction: float) -> None:
        """Pace the bot at ``fraction`` of its budget from now on (overall and paid broadcast):
        with replicas each takes its share, as Telegram counts the bot, not the process.
        Requests already waiting finish at the old pace; group limits stay whole."""
        if self._full is None:
            self._full = (self._base_limiter, self._apb_limiter)
        base, paid = self._full
        if base is not None:
            self._base_limiter = AsyncLimiter(base.max_rate * fraction, base.time_period)
        self._apb_limiter = AsyncLimiter(paid.max_rate * fraction, paid.time_period)

    @property
    def group_limiters(self) -> int:
        return len(self._lru)

    def would_wait(self, chat_id: int) -> bool:
        """True when a message to this group would now wait for the group's limit (a refusal
        that would wait is better dropped: it would only delay what the bot owes the group)."""
        limiter = self._lru.get(chat_id)
        return limiter is not None and not limiter.has_capacity(1)
