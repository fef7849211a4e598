"""Inline keyboards and their callback payloads (≤64 bytes)."""

from __future__ import annotations

import re
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

ACK_PATTERN = re.compile(r"^ack:(\d{1,12})$")


def ack_keyboard(notice_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("✅ 已收到", callback_data=f"ack:{notice_id}")]]
    )


def acked_keyboard(notice_id: int, who: str, when: datetime) -> InlineKeyboardMarkup:
    label = f"✔️ 已签收 · {who[:16]} {when:%m-%d %H:%M}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"ack:{notice_id}")]])
