"""Numbers typed by people: notice ids in commands (``/ack 3``, ``/status #3``) and the CLI.

``str.isdigit()`` is true for "²" and "٣", and Python's ``int()`` takes any size: a 21-digit id
overflows SQLite's 64-bit integers. Only ASCII digits in a sane range are ids.
"""

from __future__ import annotations

import re

MAX_ID = 999_999_999_999  # 12 digits: the same bound as the callback payloads (ack:<id>)
_ASCII_ID = re.compile(r"#?[0-9]{1,12}", re.ASCII)


def parse_id(text: str) -> int | None:
    """``3`` or ``#3`` as an int in 1..MAX_ID; None for anything else."""
    text = text.strip()
    if not _ASCII_ID.fullmatch(text):
        return None
    value = int(text.lstrip("#"))
    return value if 1 <= value <= MAX_ID else None


def looks_like_id(text: str) -> bool:
    """Meant as a number (any script's digits, any length), whether or not it is a valid id:
    such an argument is answered with "invalid id", not taken as a comment."""
    body = text.strip().lstrip("#")
    return bool(body) and (body.isdigit() or body.isnumeric())


ID_HINT = "通知编号应为 1 至 12 位阿拉伯数字，例如 3。"
