"""Durations written the way an office writes them in config: ``30s``, ``10m``, ``4h``, ``1d``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


def parse_duration(value: object) -> timedelta:
    """Parse ``"4h"``, ``"1h30m"``, ``"90s"`` or a bare number of seconds into a timedelta.

    Raises ``ValueError`` with a Chinese message on anything else.
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("时长格式错误：应写成 30s、10m、4h 或 1d")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("时长不能为负数")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError("时长格式错误：应写成 30s、10m、4h 或 1d")
    text = value.strip().lower()
    pos = 0
    total = timedelta()
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
        pos = match.end()
    if not text or pos != len(text):
        raise ValueError(f"时长格式错误：“{value}”，应写成 30s、10m、4h 或 1d")
    return total


def format_duration(delta: timedelta) -> str:
    """Render a timedelta in Chinese for messages: ``2小时30分钟``, ``1分30秒``.

    Under an hour every second is shown (``90s`` is "1分30秒", not "1分钟"); from an hour up,
    whole minutes, rounded down, so a stated validity or window is never longer than the real one.
    """
    seconds = int(delta.total_seconds())
    if seconds < 1:
        return "不到1秒"
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes}分{rest}秒" if rest else f"{minutes}分钟"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours:
        parts.append(f"{hours}小时")
    if minutes:
        parts.append(f"{minutes}分钟")
    return "".join(parts) or "0分钟"
