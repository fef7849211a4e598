"""How often the bot answers one chat, so that no chat can make it spend its Telegram budget.

A group gets about 20 messages a minute from a bot, and the notices and reminders the bot owes a
unit share that budget with its replies. So:
- refusals (not a liaison, already acknowledged, office-only…) are sent only while the chat has
  reply budget left, and dropped otherwise, never queued to wait for a slot;
- a chat that is neither the office nor a unit gets at most one short line per ``quiet_for``.

Pure: callers pass ``now`` as monotonic seconds.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class ChatThrottle:
    """A token bucket per chat: ``burst`` replies at once, refilled at ``per_minute``."""

    def __init__(self, per_minute: float = 6.0, burst: float = 3.0, max_chats: int = 10_000):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_chats = max_chats
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def allow(self, chat_id: int, now: float) -> bool:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(self.burst, now)
            if len(self._buckets) > self.max_chats:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(chat_id)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False


class OncePer:
    """True at most once per ``period`` seconds per key (bounded memory)."""

    def __init__(self, period: float, max_keys: int = 10_000) -> None:
        self.period = period
        self.max_keys = max_keys
        self._last: OrderedDict[int, float] = OrderedDict()

    def allow(self, key: int, now: float) -> bool:
        last = self._last.get(key)
        if last is not None and now - last < self.period:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        if len(self._last) > self.max_keys:
            self._last.popitem(last=False)
        return True
