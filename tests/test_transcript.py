"""``bot.py demo --keep`` writes what every chat saw: messages, edits, buttons, files, reactions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rehearsal.transcript import write_transcript


@dataclass
class _Chat:
    title: str


class _World:
    def __init__(self) -> None:
        self.chats = {-100: _Chat("东江市工作群")}

    def transcript(self, chat_id: int) -> list[dict]:
        return [
            {
                "message_id": 1,
                "from_bot": True,
                "text": "📄 <b>简报 &amp; 通知</b>",
                "reply_markup": {"inline_keyboard": [[{"text": "✅ 已收到"}]]},
                "edits": [{"reply_markup": {"inline_keyboard": [[{"text": "✔️ 已签收"}]]}}],
                "reactions": [],
                "pinned": True,
            },
            {
                "message_id": 2,
                "from_bot": False,
                "from": {"id": 7, "first_name": "赵联络员"},
                "text": "收到",
                "reply_to_message": {"message_id": 1},
                "edits": [],
                "reactions": [{"type": "emoji", "emoji": "👍"}],
            },
            {
                "message_id": 3,
                "from_bot": True,
                "caption": "原文",
                "document": {"file_name": "a.docx"},
            },
        ]


def test_transcript_shows_messages_buttons_edits_files_and_reactions(tmp_path: Path):
    path = tmp_path / "transcript.txt"
    write_transcript(_World(), path)
    text = path.read_text(encoding="utf-8")
    assert "===== 东江市工作群（-100）=====" in text
    assert "#1 机器人：📄 简报 & 通知" in text and "按钮：[✅ 已收到]" in text
    assert "（按钮已更新）  按钮：[✔️ 已签收]" in text and "（已置顶）" in text
    assert "#2 赵联络员（回复 #1）：收到" in text and "表情回应：👍" in text
    assert "文件：a.docx" in text
