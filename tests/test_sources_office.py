"""Briefings arriving in the office chat: preview, 发布 / 取消, duplicates, corrections, 原文,
and long directives delivered as ordered parts. The real Application, raw updates, the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from briefbot.briefing.model import Directive
from briefbot.store import open_store
from briefbot.store.database import MIGRATIONS, make_engine
from schedules.dispatcher import Dispatcher
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    LIAISON,
    OFFICE,
    OTHER,
    TOKEN,
    feed,
    services_of,
    strip_footer,
)
from tests.conftest import SHIPPED
from tests.fixtures.builders import docx, pdf
from tests.fixtures.synthetic import BUSINESS, RURAL


def office_texts(emulator) -> list[str]:
    return [m.get("text", "") for m in emulator.world.transcript(OFFICE) if m["from_bot"]]


async def upload(app, emulator, name: str, data: bytes, user: int = ADMIN):
    message = emulator.world.user_document(OFFICE, user, name, data, "application/octet-stream")
    await feed(app, {"message": message})
    return message


async def press(app, emulator, chat_id: int, message_id: int, user: int, data: str | None = None):
    query_id = emulator.world.press_button(chat_id, message_id, user, data)
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    return emulator.world.callbacks[query_id]


def last_bot_message(emulator, chat_id: int):
    return [m for m in emulator.world.transcript(chat_id) if m["from_bot"]][-1]


async def test_upload_preview_then_publish(app, emulator):
    await upload(app, emulator, "简报.docx", docx(RURAL))
    texts = office_texts(emulator)
    assert texts[0].startswith("📝 <b>预览</b>（来源：办公室上传：简报.docx）")
    preview = last_bot_message(emulator, OFFICE)
    svc = services_of(app)
    draft = svc.store.drafts.get(1)
    assert preview["text"] == draft.notice.parts[-1]  # exactly what units will get
    assert svc.store.outbox.counts() == {}  # nothing queued before 发布
    buttons = preview["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["📤 发布", "✖️ 取消"]
    # a non-admin cannot publish
    answer = await press(
        app, emulator, OFFICE, preview["message_id"], OTHER, buttons[0]["callback_data"]
    )
    assert "仅限办公室管理员" in answer["text"] and svc.store.outbox.counts() == {}
    answer = await press(
        app, emulator, OFFICE, preview["message_id"], ADMIN, buttons[0]["callback_data"]
    )
    assert answer["text"] == "已发布，正在推送至 3 个单位。"
    assert svc.store.outbox.counts() == {"pending": 3}
    label = emulator.world.chats[OFFICE].messages[preview["message_id"]]["reply_markup"][
        "inline_keyboard"
    ][0][0]["text"]
    assert label.startswith("✅ 已发布 · 通知 #1 · 王主任")
    # pressing again changes nothing
    answer = await press(
        app, emulator, OFFICE, preview["message_id"], ADMIN, buttons[0]["callback_data"]
    )
    assert "已经处理过" in answer["text"] and svc.store.outbox.counts() == {"pending": 3}


async def test_cancel_publishes_nothing(app, emulator):
    await upload(app, emulator, "b.pdf", pdf(BUSINESS))
    preview = last_bot_message(emulator, OFFICE)
    cancel = preview["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    answer = await press(app, emulator, OFFICE, preview["message_id"], ADMIN, cancel)
    assert answer["text"] == "已取消，不会推送。"
    assert services_of(app).store.outbox.counts() == {}
    assert services_of(app).store.drafts.get(1).state == "cancelled"


async def test_duplicate_and_correction(app, emulator):
    svc = services_of(app)
    await upload(app, emulator, "a.txt", SHIPPED.read_bytes())
    preview = last_bot_message(emulator, OFFICE)
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, "draft:pub:1")
    # the same file again: recognised, not offered
    await upload(app, emulator, "again.txt", SHIPPED.read_bytes())
    assert "与已发布的通知 #1 内容相同，不会重复推送" in office_texts(emulator)[-1]
    # a changed version of the same issue: a correction, offered, not pushed by itself
    changed = SHIPPED.read_text(encoding="utf-8").replace("已办结 2 847 件", "已办结 2 851 件")
    await upload(app, emulator, "fixed.txt", changed.encode())
    texts = office_texts(emulator)
    assert any("这是已发布的通知 #1" in t and "更正版本" in t for t in texts[-3:])
    assert svc.store.outbox.counts() == {"pending": 3}
    preview = last_bot_message(emulator, OFFICE)
    assert preview["text"].startswith("🔁 <b>【更正】")
    assert preview["reply_markup"]["inline_keyboard"][0][0]["text"] == "🔁 发布更正"
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, "draft:pub:2")
    second = svc.store.notices.notice(2)
    assert second is not None and svc.store.outbox.counts(2) == {"pending": 3}


async def test_files_from_others_in_the_office_chat_are_left_alone(app, emulator):
    await upload(app, emulator, "照片.txt", SHIPPED.read_bytes(), user=OTHER)
    assert office_texts(emulator) == []


async def test_unreadable_upload_is_explained(app, emulator):
    await upload(app, emulator, "scan.pdf", b"%PDF-1.4 not really")
    assert office_texts(emulator) == ["无法读取《scan.pdf》：PDF 文件已损坏，无法打开。"]


async def test_original_is_sent_once_on_request(app, emulator):
    svc = services_of(app)
    uploaded = docx(RURAL)
    await upload(app, emulator, "乡村振兴简报第5期.docx", uploaded)
    await press(
        app,
        emulator,
        OFFICE,
        last_bot_message(emulator, OFFICE)["message_id"],
        ADMIN,
        "draft:pub:1",
    )
    await Dispatcher().run(app.bot, svc)
    notice = last_bot_message(emulator, DONGJIANG)
    assert [b["text"] for b in notice["reply_markup"]["inline_keyboard"][0]] == [
        "✅ 已收到",
        "📎 原文",
    ]
    answer = await press(app, emulator, DONGJIANG, notice["message_id"], LIAISON, "doc:1")
    assert answer["text"] == "原文马上发送到本群。"
    answer = await press(app, emulator, DONGJIANG, notice["message_id"], LIAISON, "doc:1")
    assert "已发送" in answer["text"]
    await Dispatcher().run(app.bot, svc)
    sent = last_bot_message(emulator, DONGJIANG)
    assert sent["document"]["file_name"] == "乡村振兴简报第5期.docx"
    assert sent["caption"] == "《乡村振兴工作简报 第5期》原文"
    data, _, _ = emulator.world.files[sent["document"]["file_id"]]
    assert data == uploaded
    assert len([m for m in emulator.world.transcript(DONGJIANG) if "document" in m]) == 1
    # the ack keeps the 原文 button next to the acknowledgement
    await press(app, emulator, DONGJIANG, notice["message_id"], LIAISON, "ack:1")
    row = emulator.world.chats[DONGJIANG].messages[notice["message_id"]]["reply_markup"][
        "inline_keyboard"
    ][0]
    assert row[0]["text"].startswith("✔️ 已签收") and row[1]["text"] == "📎 原文"
    # a forged request for a notice this unit never got
    answer = await press(app, emulator, DONGJIANG, notice["message_id"], LIAISON, "doc:77")
    assert answer["show_alert"] and "不是发给本单位" in answer["text"]


async def test_long_directive_arrives_as_ordered_parts(app, emulator):
    from briefbot.publishing import Classified, Novelty, Parsed, new_notice
    from briefbot.store.originals import OriginalFile
    from tests.test_render import _briefing

    svc = services_of(app)
    text = "".join(f"第{i}句要求各地各部门认真贯彻落实，确保各项任务按期完成。" for i in range(300))
    briefing = _briefing(
        directives=(Directive("张三", "省长", None, "", text),), content_hash="long"
    )
    notice = new_notice(
        Parsed(briefing, OriginalFile("x.txt", "text/plain", b"x")),
        Classified(Novelty.NEW, None),
        "测试",
        timedelta(hours=4),
        None,
    )
    assert len(notice.parts) >= 2
    svc.store.notices.publish(notice, svc.now())
    for _ in range(len(notice.parts) + 1):
        await Dispatcher().run(app.bot, svc)
    received = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    texts = [m["text"] for m in received]
    texts[-1] = strip_footer(texts[-1], 1)  # the last part carries the number and deadline
    assert texts == list(notice.parts)  # in order, each once
    assert "reply_markup" in received[-1] and all("reply_markup" not in m for m in received[:-1])
    ledger = {u.unit_code: u for u in svc.store.ledger.for_notice(1)}
    assert ledger["dongjiang"].delivery.value == "sent"


@pytest.mark.sqlite_only("an old SQLite file; both backends: test_backends.py")
def test_upgrading_a_0001_database_keeps_its_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO notices (content_hash, title, kind, html, source, briefing_json, "
                "published_at, ack_within_s) VALUES ('h', '旧简报', 'routine', '<b>x</b>', '', '{}', "
                "'2026-01-01 00:00:00', 3600)"
            )
        )
    engine.dispose()
    store = open_store(url)  # migrates to head
    notice = store.notices.notice(1)
    assert notice is not None and notice.title == "旧简报"
    assert store.notices.original_hash(1) is None
    store.close()
