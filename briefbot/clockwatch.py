"""Notice the wall clock stepping (NTP correction, a VM resumed, an operator's mistake).

APScheduler, under PTB's JobQueue, computes every next run from the wall clock: after a step back
of ten minutes, no job (dispatcher, follow-up, heartbeat) would run for ten minutes. The event
loop's own timers run on the monotonic clock, so a watcher on that loop compares the two clocks
and says by how much the wall clock jumped; the schedule side then re-arms the jobs.

Pure: both clocks are passed in (tests drive them).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class ClockWatch:
    def __init__(
        self,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        tolerance: float = 2.0,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self.tolerance = tolerance
        self._offset = wall() - monotonic()

    def jump(self) -> float:
        """Seconds the wall clock moved against the monotonic clock since the last call
        (negative: stepped back); 0.0 within ``tolerance`` (slewing between two calls)."""
        offset = self._wall() - self._monotonic()
        delta, self._offset = offset - self._offset, offset
        return delta if abs(delta) > self.tolerance else 0.0
