"""A readable record of what every chat saw in a rehearsal: messages, edits, buttons, files,
reactions and pins, in order, chat by chat (``bot.py demo --keep`` writes it)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

_TAG = re.compile(r"<[^>]+>")


def _plain(text: str | None) -> str:
    return html.unescape(_TAG.sub("", text or ""))


def _buttons(markup: Any) -> str:
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return ""
    rows = [" ".join(f"[{b.get('text', '')}]" for b in row) for row in markup["inline_keyboard"]]
    return "  按钮：" + " / ".join(rows)


def _message(m: dict[str, Any]) -> list[str]:
    sender = m.get("from") or {}
    who = (
        "机器人" if m.get("from_bot") else str(sender.get("first_name") or sender.get("id", "用户"))
    )
    head = f"#{m['message_id']} {who}"
    if m.get("reply_to_message"):
        head += f"（回复 #{m['reply_to_message'].get('message_id')}）"
    body = _plain(m.get("text") or m.get("caption"))
    lines = [f"{head}：{body}".rstrip()]
    if "document" in m:
        lines.append(f"  文件：{m['document'].get('file_name', '')}")
    if "photo" in m:
        lines.append("  图片")
    if (buttons := _buttons(m.get("reply_markup"))) != "":
        lines.append(buttons)
    for edit in m.get("edits", []):
        if "text" in edit:
            lines.append(f"  （已编辑）{_plain(edit['text'])}")
        elif "reply_markup" in edit:
            lines.append(f"  （按钮已更新）{_buttons(edit['reply_markup'])}")
    if m.get("reactions"):
        lines.append("  表情回应：" + "".join(r.get("emoji", "") for r in m["reactions"]))
    if m.get("pinned"):
        lines.append("  （已置顶）")
    return lines


def write_transcript(world: Any, path: Path) -> None:
    out: list[str] = []
    for chat_id, chat in world.chats.items():
        out += ["", f"===== {chat.title}（{chat_id}）====="]
        for message in world.transcript(chat_id):
            out += _message(message)
    path.write_text("\n".join(out).lstrip() + "\n", encoding="utf-8")
