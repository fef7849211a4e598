"""Retry timing for transient failures: exponential backoff with full jitter, capped."""

from __future__ import annotations

import random
from datetime import timedelta


def backoff(
    attempt: int, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None
) -> timedelta:
    """Delay before retry number ``attempt`` (1-based): uniform in [base/2, min(cap, base*2^(n-1))]."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    draw = (rng or random).uniform(base / 2, max(base / 2, ceiling))
    return timedelta(seconds=draw)
