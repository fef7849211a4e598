"""Chinese and full-width numerals as they appear in mastheads and deadlines."""

from __future__ import annotations

_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def to_ascii_digits(text: str) -> str:
    return text.translate(_FULLWIDTH)


def parse_number(text: str) -> int | None:
    """``13``, ``１３``, ``十三``, ``一百零二`` and ``二〇一八`` (digit by digit) → int."""
    text = to_ascii_digits(text.strip())
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text):  # 二〇一八
        return int("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current
