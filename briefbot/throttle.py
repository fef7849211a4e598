"""Counting things per key over a window of time: failed /subscribe codes per chat, identical
error alerts to the office. Pure: the caller passes ``now``; state lives in the process (a
restart forgets it, which at worst lets one more alert or a few more attempts through)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class FailureLimit:
    """At most ``limit`` failures per key within ``window``."""

    def __init__(self, limit: int, window: timedelta, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[Hashable, deque[datetime]] = {}

    def _recent(self, key: Hashable, now: datetime) -> deque[datetime]:
        found = self._failures.get(key)
        if found is None:
            return deque()
        while found and now - found[0] >= self.window:
            found.popleft()
        if not found:
            del self._failures[key]
        return found

    def blocked(self, key: Hashable, now: datetime) -> bool:
        return len(self._recent(key, now)) >= self.limit

    def failed(self, key: Hashable, now: datetime) -> int:
        """Record a failure; returns how many there are in the window now."""
        recent = self._recent(key, now)
        if key not in self._failures:
            if len(self._failures) >= self.max_keys:  # bounded: drop the oldest key
                del self._failures[next(iter(self._failures))]
            self._failures[key] = recent
        recent.append(now)
        return len(recent)

    def retry_at(self, key: Hashable, now: datetime) -> datetime | None:
        recent = self._recent(key, now)
        return recent[0] + self.window if len(recent) >= self.limit else None


@dataclass
class _Burst:
    first_sent: datetime
    held_back: int = 0


@dataclass
class AlertGrouper:
    """One alert per kind per ``window``: the first goes out at once, the rest of the window's
    are counted, and the count goes out with the next alert of the kind or when the window
    closes (``due``), whichever comes first."""

    window: timedelta = timedelta(minutes=10)
    _open: dict[str, _Burst] = field(default_factory=dict)

    def note(self, kind: str, now: datetime) -> int | None:
        """An error of ``kind`` happened. None: hold the alert back. An int: send it now,
        mentioning that many earlier ones that were held back."""
        burst = self._open.get(kind)
        if burst is not None and now - burst.first_sent < self.window:
            burst.held_back += 1
            return None
        self._open[kind] = _Burst(now)
        return burst.held_back if burst is not None else 0

    def due(self, now: datetime) -> list[tuple[str, int]]:
        """Kinds whose window has closed with alerts held back, and how many; they are
        forgotten, so the next alert of the kind goes out at once."""
        out = []
        for kind, burst in list(self._open.items()):
            if now - burst.first_sent >= self.window:
                del self._open[kind]
                if burst.held_back:
                    out.append((kind, burst.held_back))
        return out
