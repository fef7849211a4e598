"""One date style for everything users read: ``12月2日`` and ``12月2日 12:34`` (no leading
zeros, no ISO dates, no bare times that stop meaning anything once a message is forwarded)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

WEEKDAYS = "一二三四五六日"


def day_text(day: date) -> str:
    """``12月2日``."""
    return f"{day.month}月{day.day}日"


def moment_text(moment: datetime, tz: tzinfo) -> str:
    """``12月2日 12:34``, in the office's time zone."""
    local = moment.astimezone(tz)
    return f"{day_text(local)} {local:%H:%M}"


def moment_with_weekday(moment: datetime, tz: tzinfo) -> str:
    """``12月7日（周一）09:10``."""
    local = moment.astimezone(tz)
    return f"{day_text(local)}（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


_FULL_WIDTH = str.maketrans({",": "，", ";": "；", "?": "？", "!": "！"})


def cjk_punctuation(text: str) -> str:
    """Generated Chinese text with full-width punctuation: an ASCII comma, semicolon, question or
    exclamation mark next to a Chinese character becomes its full-width form, and the colon
    after one too (``12:34`` and URLs stay as they are)."""
    out = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch in ",;?!:" and (_is_cjk(before) or (ch != ":" and _is_cjk(after))):
            out.append("：" if ch == ":" else ch.translate(_FULL_WIDTH))
        else:
            out.append(ch)
    return "".join(out)


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
