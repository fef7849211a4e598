"""The office corrects a preview before 发布 (issue 8 §5): 编辑 with a replacement sent as a reply,
and 仅推送原文. The real Application, raw updates, the emulator; plus the replacement check and
the migration on their own."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from briefbot.corrections import InvalidReplacement, clean_replacement
from briefbot.store import open_store
from briefbot.store.database import MIGRATIONS, make_engine
from briefbot.store.notices import Body
from schedules.dispatcher import Dispatcher
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    EDU,
    LIAISON,
    OFFICE,
    OTHER,
    QINGLING,
    feed,
    services_of,
    strip_footer,
)
from tests.fixtures.builders import docx
from tests.fixtures.synthetic import RURAL
from tests.test_sources_office import last_bot_message, office_texts, press, upload

QINGLING_LIAISON = 20002


# ---------------------------------------------------------------- the replacement check


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("<b>重要</b>：请于<i>12月5日</i>前报送", "<b>重要</b>：请于<i>12月5日</i>前报送"),
        # plain text with < and & that is not markup: shown as typed, not refused
        ("经费<50万元 & 研发&创新，1 < 2", "经费&lt;50万元 &amp; 研发&amp;创新，1 &lt; 2"),
        ("A&amp;B &lt;x&gt;", "A&amp;B &lt;x&gt;"),
        (
            '<a href="https://x.gov.cn/?a=1&b=2">链接</a>',
            '<a href="https://x.gov.cn/?a=1&amp;b=2">链接</a>',
        ),
        ('<span class="tg-spoiler">密</span><tg-spoiler>密</tg-spoiler>', None),
        ("<strong>s</strong><em>e</em><ins>i</ins><strike>s</strike><del>d</del>", None),
        (
            '<pre><code class="language-python">x<1</code></pre>',
            '<pre><code class="language-python">x&lt;1</code></pre>',
        ),
        ("<blockquote>批示原文</blockquote>\n落实要求", None),
        ("<B>大写</B>\r\n第二行", "<b>大写</b>\n第二行"),
    ],
)
def test_valid_replacements_are_kept_and_stray_characters_escaped(given, sent):
    assert clean_replacement(given) == (given if sent is None else sent)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("<b>没有结束", "<b>（粗体）没有结束标签 </b>"),
        ("<b><i>交叉</b></i>", "</b> 与尚未结束的 <i> 交叉了"),
        ("多余</i>", "</i> 没有对应的开始标签"),
        ("<div>网页</div>", "<div> 不是 Telegram 支持的格式标签"),
        ("第一行<br>第二行", "<br> 不是 Telegram 支持的格式标签"),
        ("<br/>", "<br/> 不是 Telegram 支持的写法"),
        ('<a href="javascript:alert(1)">x</a>', "链接缺少有效地址"),
        ("<a>x</a>", "链接缺少有效地址"),
        ("<span>x</span>", '只能写作 <span class="tg-spoiler">'),
        ('<b class="x">x</b>', "带有不支持的属性：class"),
        ("<pre><b>x</b></pre>", "代码块里不能再使用其他格式"),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "引用不能嵌套"),
        ("<!-- 注释 -->正文", "HTML 注释"),
        ("<b> </b>\n", "内容为空"),
        ("", "内容为空"),
    ],
)
def test_malformed_replacements_are_refused_in_chinese(given, reason):
    with pytest.raises(InvalidReplacement) as refused:
        clean_replacement(given)
    assert reason in str(refused.value)


def test_length_is_counted_as_telegram_does():
    assert clean_replacement("<b>" + "字" * 4096 + "</b>")  # tags are not counted
    assert clean_replacement("经费&lt;" + "字" * 4093)  # an entity is one character
    with pytest.raises(InvalidReplacement, match=r"内容共 4097 个字符.*至少 1 个字符"):
        clean_replacement("字" * 4097)
    with pytest.raises(InvalidReplacement, match="内容共 4098 个字符"):
        clean_replacement("😀" * 2049)  # UTF-16: two units each
    with pytest.raises(InvalidReplacement, match="内容共 4097 个字符"):
        clean_replacement("a<b" + "字" * 4094)  # "<" escaped is still one visible character


def test_original_header_fits_a_caption_and_escapes():
    from datetime import timedelta

    from briefbot.corrections import CAPTION_LIMIT, original_header
    from briefbot.ledger import NoticeKind
    from briefbot.render import visible_length
    from briefbot.store.notices import NewNotice

    notice = NewNotice(
        "h",
        "<经费>&简报" * 300,
        "第3期",
        None,
        None,
        NoticeKind.ROUTINE,
        ("x",),
        "s",
        "{}",
        timedelta(hours=1),
        "digest",
        correction_of=7,
    )
    header = original_header(notice)
    assert visible_length(header) <= CAPTION_LIMIT
    assert header.startswith("🔁 <b>【更正】") and "&lt;经费&gt;&amp;简报" in header
    assert "…》</b> 第3期\n请查阅附件原文。" in header and "/ack" in header


# ---------------------------------------------------------------- through the bot


def _keyboard(message) -> list[list[str]]:
    return [[b["text"] for b in row] for row in message["reply_markup"]["inline_keyboard"]]


def _data(message, label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == label:
                return button["callback_data"]
    raise KeyError(label)


async def _reply(app, emulator, user: int, text_: str, reply_to: int, **extra):
    message = emulator.world.user_message(OFFICE, user, text_, reply_to=reply_to)
    await feed(app, {"message": {**message, **extra}})
    return message


async def _preview(app, emulator):
    await upload(app, emulator, "乡村振兴简报第5期.docx", docx(RURAL))
    return last_bot_message(emulator, OFFICE)


async def _ask_edit(app, emulator, preview) -> dict:
    answer = await press(
        app, emulator, OFFICE, preview["message_id"], ADMIN, _data(preview, "✏️ 编辑")
    )
    assert answer["text"] == "请回复提示消息，发送修改后的内容。"
    return last_bot_message(emulator, OFFICE)


def _units_texts(emulator, chat_id: int) -> list[dict]:
    return [m for m in emulator.world.transcript(chat_id) if m["from_bot"]]


async def test_edit_reply_new_preview_publish_and_ack(app, emulator):
    svc = services_of(app)
    preview = await _preview(app, emulator)
    assert _keyboard(preview) == [["📤 发布", "✖️ 取消"], ["✏️ 编辑", "📎 仅推送原文"]]
    edit = _data(preview, "✏️ 编辑")
    # a non-admin cannot start an edit
    answer = await press(app, emulator, OFFICE, preview["message_id"], OTHER, edit)
    assert answer["show_alert"] and "仅限办公室管理员" in answer["text"]
    assert len(office_texts(emulator)) == 2  # the note and the preview: no prompt
    prompt = await _ask_edit(app, emulator, preview)
    assert prompt["text"].startswith("✏️ 修改预览《乡村振兴工作简报》")
    assert "请<b>回复本消息</b>发送修改后的通知全文" in prompt["text"]
    markup = emulator.world.chats[OFFICE].messages[prompt["message_id"]]["_markup"]
    assert markup["force_reply"] is True and markup["selective"] is True
    assert 'href="tg://user?id=10001"' in prompt["text"]  # selective: the admin who pressed
    assert prompt["reply_to_message"]["message_id"] == preview["message_id"]
    # a second press points at the prompt already sent
    answer = await press(app, emulator, OFFICE, preview["message_id"], ADMIN, edit)
    assert answer["text"] == "已经发出修改提示，请直接回复那条提示消息。"
    assert len(office_texts(emulator)) == 3
    # a non-admin's reply is refused and changes nothing
    await _reply(app, emulator, OTHER, "乱改", prompt["message_id"])
    assert office_texts(emulator)[-1] == "抱歉，只有办公室管理员可以修改预览。"
    assert svc.store.drafts.get(1).edit is None

    replacement = (
        "📄 <b>乡村振兴工作简报（第5期）</b>\n"
        "县委书记沈明远批示：\n<blockquote>冬春水利建设事关明年粮食丰收。</blockquote>\n"
        "资金缺口<50万元的乡镇 & 街道请于12月5日前报县水利局。"
    )
    expected = (
        "📄 <b>乡村振兴工作简报（第5期）</b>\n"
        "县委书记沈明远批示：\n<blockquote>冬春水利建设事关明年粮食丰收。</blockquote>\n"
        "资金缺口&lt;50万元的乡镇 &amp; 街道请于12月5日前报县水利局。"
    )
    await _reply(app, emulator, ADMIN, replacement, prompt["message_id"])
    texts = office_texts(emulator)
    assert texts[-2].startswith("📝 <b>修改后的预览</b>（王主任 修改）：以下是各单位将收到的内容")
    new_preview = last_bot_message(emulator, OFFICE)
    assert new_preview["text"] == expected  # exactly what units will receive
    assert _keyboard(new_preview) == [["📤 发布", "✖️ 取消"], ["✏️ 编辑", "📎 仅推送原文"]]
    # the old preview's buttons are retired
    old = emulator.world.chats[OFFICE].messages[preview["message_id"]]
    assert _keyboard(old) == [["✏️ 已修改 · 请使用下方新预览"]]
    # the draft keeps both versions, and who edited it
    draft = svc.store.drafts.get(1)
    assert draft.edit is not None and draft.edit.html == expected
    assert draft.edit.by == ADMIN and draft.edit.by_name == "王主任"
    assert draft.notice.parts[-1] == preview["text"] != expected  # the parse, untouched
    assert svc.store.outbox.counts() == {}  # nothing queued before 发布
    # the used prompt is closed
    await _reply(app, emulator, ADMIN, "再改一次", prompt["message_id"])
    assert office_texts(emulator)[-1].startswith("这条修改提示已经用过或已失效")

    answer = await press(
        app, emulator, OFFICE, new_preview["message_id"], ADMIN, _data(new_preview, "📤 发布")
    )
    assert answer["text"] == "已发布修改后的内容，正在推送至 3 个单位。"
    await Dispatcher().run(app.bot, svc)
    for chat_id in (DONGJIANG, QINGLING, EDU):
        received = _units_texts(emulator, chat_id)
        # the replacement, once, under the notice's number and deadline
        assert [strip_footer(m["text"], 1) for m in received] == [expected]
        assert _keyboard(received[0]) == [["✅ 已收到", "📎 原文"]]
    # acknowledged by button and by /ack, exactly as a parsed notice
    notice = _units_texts(emulator, DONGJIANG)[0]
    answer = await press(app, emulator, DONGJIANG, notice["message_id"], LIAISON, "ack:1")
    assert answer["text"] == "已签收，谢谢！"
    marked = emulator.world.chats[DONGJIANG].messages[notice["message_id"]]
    assert _keyboard(marked)[0][0].startswith("✔️ 已签收 · 赵联络员")
    await feed(app, {"message": emulator.world.user_message(QINGLING, QINGLING_LIAISON, "/ack")})
    acks = {u.unit_code: u.ack for u in svc.store.ledger.for_notice(1)}
    assert acks["dongjiang"].user_id == LIAISON and acks["dongjiang"].via == "button"
    assert acks["qingling"].user_id == QINGLING_LIAISON and acks["qingling"].via == "command"
    assert acks["edu"] is None
    # the notice records who changed it, and when
    change = svc.store.notices.change(1)
    assert change is not None and change.body is Body.EDITED
    assert (change.by, change.by_name, change.at) == (ADMIN, "王主任", draft.edit.at)
    assert change.at.tzinfo is not None


async def test_refused_replacements_leave_the_old_preview_valid(app, emulator):
    svc = services_of(app)
    preview = await _preview(app, emulator)
    prompt = await _ask_edit(app, emulator, preview)
    await _reply(app, emulator, ADMIN, "字" * 4097, prompt["message_id"])
    too_long = office_texts(emulator)[-1]
    assert too_long.startswith("❌ 修改未采用：内容共 4097 个字符")
    assert "原预览仍然有效" in too_long
    await _reply(app, emulator, ADMIN, "<b>加粗没有结束\n<div>网页</div>", prompt["message_id"])
    malformed = office_texts(emulator)[-1]
    # the reason quotes the tags, escaped for the HTML reply
    assert malformed.startswith("❌ 修改未采用：第 2 行第 1 个字符处的 &lt;div&gt; 不是")
    assert svc.store.drafts.get(1).edit is None
    # the old preview's buttons are untouched
    assert _keyboard(emulator.world.chats[OFFICE].messages[preview["message_id"]])[0] == [
        "📤 发布",
        "✖️ 取消",
    ]
    # the old preview still publishes the parse
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, _data(preview, "📤 发布"))
    await Dispatcher().run(app.bot, svc)
    assert [strip_footer(m["text"], 1) for m in _units_texts(emulator, DONGJIANG)] == [
        preview["text"]
    ]
    assert svc.store.notices.change(1) is None
    # a reply to the prompt after 发布 changes nothing
    await _reply(app, emulator, ADMIN, "晚了的修改", prompt["message_id"])
    assert office_texts(emulator)[-1] == "这份预览已经发布或取消，修改未采用。"


async def test_a_refused_reply_can_be_sent_again_to_the_same_prompt(app, emulator):
    svc = services_of(app)
    preview = await _preview(app, emulator)
    prompt = await _ask_edit(app, emulator, preview)
    await _reply(app, emulator, ADMIN, "<i>未闭合", prompt["message_id"])
    assert "没有结束标签" in office_texts(emulator)[-1]
    await _reply(app, emulator, ADMIN, "<i>已闭合</i>", prompt["message_id"])
    assert last_bot_message(emulator, OFFICE)["text"] == "<i>已闭合</i>"
    assert svc.store.drafts.get(1).edit.html == "<i>已闭合</i>"


async def test_telegram_formatting_in_the_reply_is_kept(app, emulator):
    """Bold set in the client arrives as an entity, not a tag; the tag-like text stays text."""
    svc = services_of(app)
    preview = await _preview(app, emulator)
    prompt = await _ask_edit(app, emulator, preview)
    body = "重要通知 a<b>c"
    entities = [{"type": "bold", "offset": 0, "length": 4}]
    await _reply(app, emulator, ADMIN, body, prompt["message_id"], entities=entities)
    assert svc.store.drafts.get(1).edit.html == "<b>重要通知</b> a&lt;b&gt;c"


async def test_edit_twice_then_original_only(app, emulator):
    """A second edit round from the new preview; 仅推送原文 afterwards still sends the file."""
    svc = services_of(app)
    preview = await _preview(app, emulator)
    prompt = await _ask_edit(app, emulator, preview)
    await _reply(app, emulator, ADMIN, "第一版", prompt["message_id"])
    first = last_bot_message(emulator, OFFICE)
    prompt = await _ask_edit(app, emulator, first)
    await _reply(app, emulator, ADMIN, "第二版", prompt["message_id"])
    second = last_bot_message(emulator, OFFICE)
    assert second["text"] == "第二版" and svc.store.drafts.get(1).edit.html == "第二版"
    assert _keyboard(emulator.world.chats[OFFICE].messages[first["message_id"]]) == [
        ["✏️ 已修改 · 请使用下方新预览"]
    ]
    answer = await press(app, emulator, OFFICE, first["message_id"], ADMIN, "draft:done:1")
    assert answer["text"] == "这份预览已被修改，请使用下方的新预览。"
    await press(app, emulator, OFFICE, second["message_id"], ADMIN, _data(second, "📎 仅推送原文"))
    await Dispatcher().run(app.bot, svc)
    assert "document" in _units_texts(emulator, DONGJIANG)[0]
    assert svc.store.notices.change(1).body is Body.ORIGINAL


async def test_original_only_sends_the_file_under_a_header_and_acks_work(app, emulator):
    svc = services_of(app)
    uploaded = docx(RURAL)
    await upload(app, emulator, "乡村振兴简报第5期.docx", uploaded)
    preview = last_bot_message(emulator, OFFICE)
    original_only = _data(preview, "📎 仅推送原文")
    answer = await press(app, emulator, OFFICE, preview["message_id"], OTHER, original_only)
    assert "仅限办公室管理员" in answer["text"] and svc.store.outbox.counts() == {}
    answer = await press(app, emulator, OFFICE, preview["message_id"], ADMIN, original_only)
    assert answer["text"] == "已发布原文，正在推送至 3 个单位。"
    label = _keyboard(emulator.world.chats[OFFICE].messages[preview["message_id"]])[0][0]
    assert label.startswith("✅ 已发布原文 · 通知 #1 · 王主任")
    # a second press (or 发布 after it) publishes nothing more
    answer = await press(app, emulator, OFFICE, preview["message_id"], ADMIN, original_only)
    assert "已经处理过" in answer["text"]
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, "draft:pub:1")
    assert svc.store.outbox.counts() == {"pending": 3}

    await Dispatcher().run(app.bot, svc)
    header = (
        "📄 <b>《乡村振兴工作简报》</b> 第5期\n请查阅附件原文。\n\n"
        "<i>请本单位联络员点击下方“已收到”按钮，或回复 /ack 签收。</i>"
    )
    for chat_id in (DONGJIANG, QINGLING, EDU):
        received = _units_texts(emulator, chat_id)
        assert len(received) == 1  # one message per unit: the file with its header
        sent = received[0]
        assert strip_footer(sent["caption"], 1) == header and "text" not in sent
        assert sent["document"]["file_name"] == "乡村振兴简报第5期.docx"
        assert emulator.world.files[sent["document"]["file_id"]][0] == uploaded
        assert _keyboard(sent) == [["✅ 已收到"]]  # no 原文 button: this is the original
    # button, /ack and /ack as a reply to the file all acknowledge it
    doc = _units_texts(emulator, DONGJIANG)[0]
    answer = await press(app, emulator, DONGJIANG, doc["message_id"], LIAISON, "ack:1")
    assert answer["text"] == "已签收，谢谢！"
    row = _keyboard(emulator.world.chats[DONGJIANG].messages[doc["message_id"]])[0]
    assert len(row) == 1 and row[0].startswith("✔️ 已签收 · 赵联络员")
    await feed(app, {"message": emulator.world.user_message(QINGLING, QINGLING_LIAISON, "/ack")})
    edu_doc = _units_texts(emulator, EDU)[0]
    await feed(
        app,
        {
            "message": emulator.world.user_message(
                EDU, OTHER, "/ack", reply_to=edu_doc["message_id"]
            )
        },
    )
    acks = {u.unit_code: u.ack for u in svc.store.ledger.for_notice(1)}
    assert {code: a.via for code, a in acks.items()} == {
        "dongjiang": "button",
        "qingling": "command",
        "edu": "reply",
    }
    # acknowledging again is harmless
    answer = await press(app, emulator, DONGJIANG, doc["message_id"], LIAISON, "ack:1")
    assert "无需重复签收" in answer["text"]
    change = svc.store.notices.change(1)
    assert change is not None and change.body is Body.ORIGINAL
    assert (change.by, change.by_name) == (ADMIN, "王主任") and change.at.tzinfo is not None


async def test_reminders_of_an_original_only_notice_carry_the_ack_button(app, emulator):
    svc = services_of(app)
    preview = await _preview(app, emulator)
    await press(
        app, emulator, OFFICE, preview["message_id"], ADMIN, _data(preview, "📎 仅推送原文")
    )
    await Dispatcher().run(app.bot, svc)
    await feed(app, {"message": emulator.world.user_message(OFFICE, ADMIN, "/remind")})
    await Dispatcher().run(app.bot, svc)
    nudge = _units_texts(emulator, DONGJIANG)[-1]
    assert "document" not in nudge and _keyboard(nudge) == [["✅ 已收到"]]


async def test_edit_is_for_open_drafts_only(app, emulator):
    preview = await _preview(app, emulator)
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, _data(preview, "✖️ 取消"))
    answer = await press(
        app, emulator, OFFICE, preview["message_id"], ADMIN, "draft:edit:1"
    )  # a stale button
    assert answer["text"] == "这份预览已经处理过了。"
    answer = await press(app, emulator, OFFICE, preview["message_id"], ADMIN, "draft:edit:99")
    assert answer["text"] == "找不到这份预览。"
    assert not any(t.startswith("✏️ 修改预览") for t in office_texts(emulator))


async def test_replies_to_other_messages_are_ordinary_chat(app, emulator):
    preview = await _preview(app, emulator)
    before = len(office_texts(emulator))
    await _reply(app, emulator, ADMIN, "<b>好的", preview["message_id"])  # not a prompt
    upload_message = next(m for m in emulator.world.transcript(OFFICE) if not m["from_bot"])
    await _reply(app, emulator, OTHER, "<b>收到", upload_message["message_id"])  # not the bot's
    assert len(office_texts(emulator)) == before
    assert services_of(app).store.drafts.get(1).edit is None


async def test_a_non_text_reply_to_the_prompt_is_explained(app, emulator):
    preview = await _preview(app, emulator)
    prompt = await _ask_edit(app, emulator, preview)
    sticker = {
        "file_id": "s1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    raw = emulator.world.user_message(OFFICE, ADMIN, "x", reply_to=prompt["message_id"])
    del raw["text"]
    await feed(app, {"message": {**raw, "sticker": sticker}})
    assert office_texts(emulator)[-1] == "修改内容须是文字消息，请回复提示消息发送通知全文。"
    assert services_of(app).store.drafts.get(1).edit is None


# ---------------------------------------------------------------- the migration


@pytest.mark.sqlite_only("an old SQLite file, read with PRAGMA; both backends: test_backends.py")
def test_migration_0007_upgrades_and_downgrades_with_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)

    def to(revision: str, down: bool = False) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

    to("0006")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO notices (content_hash, title, kind, html, source, briefing_json, "
                "published_at, ack_within_s) VALUES ('h', '旧简报', 'routine', '<b>x</b>', '', '{}', "
                "'2026-01-01 00:00:00', 3600)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drafts (content_hash, source, briefing_json, notice_json, state, "
                "created_at) VALUES ('d', '上传', '{}', '{}', 'open', '2026-01-01 00:00:00')"
            )
        )
    to("0007")
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT title, body, changed_by, changed_at FROM notices")
        ).one()
        assert tuple(row) == ("旧简报", "parsed", None, None)
        draft = connection.execute(text("SELECT state, edited_html FROM drafts")).one()
        assert tuple(draft) == ("open", None)
    to("0006", down=True)
    with engine.connect() as connection:
        columns = {r[1] for r in connection.execute(text("PRAGMA table_info(notices)"))}
        assert "body" not in columns and "changed_by" not in columns
        assert connection.execute(text("SELECT title FROM notices")).scalar() == "旧简报"
        draft_columns = {r[1] for r in connection.execute(text("PRAGMA table_info(drafts)"))}
        assert "edited_html" not in draft_columns
    engine.dispose()
    store = open_store(url)  # and up to head again
    assert store.notices.notice(1).title == "旧简报" and store.notices.change(1) is None
    store.close()
