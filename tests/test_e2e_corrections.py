"""End to end: the office corrects previews in the real ``bot.py run`` process against the emulator
— 编辑 with refused and accepted replacements, then 仅推送原文 — and units acknowledge both."""

from __future__ import annotations

import json
from typing import Any

import pytest

from briefbot.store import open_store
from briefbot.store.notices import Body
from rehearsal.harness import Person, Rehearsal, Scenario, UnitSpec
from tests.botkit import strip_footer
from tests.conftest import SHIPPED, database_url
from tests.fixtures.builders import docx
from tests.fixtures.synthetic import RURAL

pytestmark = pytest.mark.e2e

UNITS = [
    UnitSpec(
        f"u{i}", f"第{i}单位", "设区市", -1001000200000 - i, (Person(31000 + i, f"联络员{i}"),)
    )
    for i in (1, 2, 3)
]


def _button(message: dict[str, Any], label: str) -> str:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise KeyError(label)


async def test_edit_and_original_only_end_to_end(tmp_path):
    scenario = Scenario(
        units=UNITS,
        follow_up={"ack_within": "1h", "check_every": "1s"},
        storage_url=database_url(tmp_path / "data"),
    )
    async with Rehearsal(scenario, tmp_path) as run:
        emu, world = run.emu, run.server.world
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        run.start_bot()
        await run.wait_ready()

        def office_messages() -> list[dict[str, Any]]:
            return [m for m in world.transcript(office) if m["from_bot"]]

        async def latest_preview() -> dict[str, Any] | None:
            for m in reversed(office_messages()):
                if any(
                    b["text"] == "✏️ 编辑"
                    for row in m.get("reply_markup", {}).get("inline_keyboard", [])
                    for b in row
                ):
                    return m
            return None

        async def office_says(start: str) -> str | None:
            return next((t for t in reversed(run.bot_texts(office)) if t.startswith(start)), None)

        # ---- 编辑: upload, ask for the edit, two refused replies, one accepted
        await emu.upload(office, admin, "简报.txt", SHIPPED.read_bytes())
        preview = await run.wait_for(latest_preview, 20, "the preview")
        await emu.press(office, preview["message_id"], admin, _button(preview, "✏️ 编辑"))
        prompt_text = await run.wait_for(lambda: office_says("✏️ 修改预览"), 10, "the prompt")
        assert "回复本消息" in prompt_text
        prompt = next(m for m in office_messages() if m.get("text") == prompt_text)

        await emu.send(office, admin, "字" * 4100, reply_to=prompt["message_id"])
        too_long = await run.wait_for(lambda: office_says("❌ 修改未采用"), 10, "refusal 1")
        assert "内容共 4100 个字符" in too_long
        await emu.send(office, admin, "<b>未闭合的加粗", reply_to=prompt["message_id"])

        async def second_refusal() -> bool:
            return len([t for t in run.bot_texts(office) if t.startswith("❌ 修改未采用")]) == 2

        await run.wait_for(second_refusal, 10, "refusal 2")
        assert "没有结束标签" in run.bot_texts(office)[-1]

        replacement = "📄 <b>修改后的通知</b>\n请各单位于本周五前报送经费<10万元的项目清单 & 说明。"
        expected = (
            "📄 <b>修改后的通知</b>\n请各单位于本周五前报送经费&lt;10万元的项目清单 &amp; 说明。"
        )
        await emu.send(office, admin, replacement, reply_to=prompt["message_id"])

        async def new_preview() -> dict[str, Any] | None:
            found = await latest_preview()
            return found if found is not None and found.get("text") == expected else None

        edited = await run.wait_for(new_preview, 10, "the new preview")
        await emu.press(office, edited["message_id"], admin, _button(edited, "📤 发布"))

        def body(m: dict[str, Any]) -> str | None:
            """A delivered notice without its number-and-deadline line (which it must carry)."""
            if not m.get("from_bot") or "text" not in m:
                return None
            return strip_footer(m["text"], 1, required=False)

        async def delivered(text: str) -> bool:
            return all(any(body(m) == text for m in world.transcript(u.chat_id)) for u in UNITS)

        await run.wait_for(lambda: delivered(expected), 20, "the replacement in every unit")
        u1, u2, u3 = UNITS
        notice = {
            u.code: next(m for m in world.transcript(u.chat_id) if body(m) == expected)
            for u in UNITS
        }
        await emu.press(u1.chat_id, notice["u1"]["message_id"], u1.liaisons[0].user_id, "ack:1")
        await emu.send(u2.chat_id, u2.liaisons[0].user_id, "/ack")

        # ---- 仅推送原文: a second briefing goes out as its file
        original = docx(RURAL)
        await emu.upload(office, admin, "乡村振兴简报第5期.docx", original)

        async def second_preview() -> dict[str, Any] | None:
            found = await latest_preview()
            return (
                found if found is not None and found["message_id"] != edited["message_id"] else None
            )

        preview2 = await run.wait_for(second_preview, 20, "the second preview")
        await emu.press(office, preview2["message_id"], admin, _button(preview2, "📎 仅推送原文"))

        async def documents() -> dict[str, dict[str, Any]] | None:
            found = {}
            for u in UNITS:
                doc = next((m for m in world.transcript(u.chat_id) if "document" in m), None)
                if doc is None:
                    return None
                found[u.code] = doc
            return found

        docs = await run.wait_for(documents, 20, "the original file in every unit")
        for doc in docs.values():
            assert doc["caption"].startswith(
                "📄 <b>《乡村振兴工作简报》</b> 第5期\n请查阅附件原文。"
            )
            assert world.files[doc["document"]["file_id"]][0] == original
        await emu.press(u1.chat_id, docs["u1"]["message_id"], u1.liaisons[0].user_id, "ack:2")
        await emu.send(
            u3.chat_id, u3.liaisons[0].user_id, "/ack", reply_to=docs["u3"]["message_id"]
        )

        async def acks_shown() -> bool:
            marks = [
                world.chats[u1.chat_id].messages[notice["u1"]["message_id"]],
                world.chats[u1.chat_id].messages[docs["u1"]["message_id"]],
                world.chats[u3.chat_id].messages[docs["u3"]["message_id"]],
            ]
            return all(
                m["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("✔️ 已签收")
                for m in marks
            )

        await run.wait_for(acks_shown, 10, "the acks on the messages")
        assert any(m.get("reactions") for m in world.transcript(u2.chat_id) if not m["from_bot"])
        assert await run.stop_bot() == 0

        first = json.loads((await run.cli("report", "--notice", "1", "--format", "json")).stdout)
        second = json.loads((await run.cli("report", "--notice", "2", "--format", "json")).stdout)
        status1 = {u["unit_code"]: u["status"] for u in first["units"]}
        status2 = {u["unit_code"]: u["status"] for u in second["units"]}
        assert status1 == {"u1": "按时签收", "u2": "按时签收", "u3": "待签收"}
        assert status2 == {"u1": "按时签收", "u2": "待签收", "u3": "按时签收"}
        store = open_store(run.storage_url)
        try:
            edit, pushed = store.notices.change(1), store.notices.change(2)
            assert edit is not None and edit.body is Body.EDITED
            assert (edit.by, edit.by_name) == (admin, "办公室 王主任")
            assert pushed is not None and pushed.body is Body.ORIGINAL and pushed.by == admin
            draft = store.drafts.get(1)
            assert draft.edit.html == expected and draft.notice.parts[-1] == preview["text"]
        finally:
            store.close()
        assert "REHEARSAL-only-token" not in run.bot_log()
