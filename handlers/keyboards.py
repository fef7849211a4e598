"""Inline keyboards and their callback payloads (≤64 bytes)."""

from __future__ import annotations

import re
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

ACK_PATTERN = re.compile(r"^ack:([0-9]{1,12})$")
ORIGINAL_PATTERN = re.compile(r"^doc:([0-9]{1,12})$")
DRAFT_PATTERN = re.compile(r"^draft:(pub|orig|cxl|done):([0-9]{1,12})$")
EDIT_PATTERN = re.compile(r"^draft:edit:([0-9]{1,12})$")


def _original(notice_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton("📎 原文", callback_data=f"doc:{notice_id}")


def ack_keyboard(notice_id: int, has_original: bool = False) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton("✅ 已收到", callback_data=f"ack:{notice_id}")]
    if has_original:
        row.append(_original(notice_id))
    return InlineKeyboardMarkup([row])


def acked_keyboard(
    notice_id: int, who: str, when: datetime, has_original: bool = False
) -> InlineKeyboardMarkup:
    label = f"✔️ 已签收 · {who[:16]} {when.month}月{when.day}日 {when:%H:%M}"  # when: local time
    row = [InlineKeyboardButton(label, callback_data=f"ack:{notice_id}")]
    if has_original:
        row.append(_original(notice_id))
    return InlineKeyboardMarkup([row])


def draft_keyboard(draft_id: int, correction: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "🔁 发布更正" if correction else "📤 发布",
                    callback_data=f"draft:pub:{draft_id}",
                ),
                InlineKeyboardButton("✖️ 取消", callback_data=f"draft:cxl:{draft_id}"),
            ],
            [
                InlineKeyboardButton("✏️ 编辑", callback_data=f"draft:edit:{draft_id}"),
                InlineKeyboardButton("📎 仅推送原文", callback_data=f"draft:orig:{draft_id}"),
            ],
        ]
    )


def decided_keyboard(draft_id: int, label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"draft:done:{draft_id}")]]
    )
