"""落实反馈 through the real Application: submit, review, return and resubmit, in the 签收单."""

from __future__ import annotations

from tests.botkit import (
    ADMIN,
    DONGJIANG,
    LIAISON,
    OFFICE,
    OTHER,
    TOKEN,
    feed,
    message_json,
    replies,
    services_of,
    xlsx_rows,
)
from tests.test_office_views import published


async def press(app, emulator, message_id: int, user: int, data: str):
    query_id = emulator.world.press_button(OFFICE, message_id, user, data)
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    return emulator.world.callbacks[query_id]


def office_messages(emulator):
    return [m for m in emulator.world.transcript(OFFICE) if m["from_bot"]]


async def test_feedback_is_reviewed_returned_and_resubmitted(app, emulator):
    notice_id = await published(app)  # the shipped briefing asks units to report by 12月5日
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/feedback")})
    assert replies(emulator, DONGJIANG)[-1].startswith("用法：/feedback")
    await feed(
        app, {"message": message_json(DONGJIANG, LIAISON, "/feedback 已建立台账，办结率 95%")}
    )
    assert replies(emulator, DONGJIANG)[-1].startswith(f"已提交对#{notice_id}《")
    review = office_messages(emulator)[-1]
    assert (
        review["text"].startswith("📝 <b>落实反馈</b>：东江市 对#1《")
        and "办结率 95%" in review["text"]
    )
    # only admins review
    answer = await press(app, emulator, review["message_id"], OTHER, "fb:ret:1")
    assert "仅限办公室管理员" in answer["text"]
    await press(app, emulator, review["message_id"], ADMIN, "fb:ret:1")
    assert replies(emulator, DONGJIANG)[-1].startswith("↩️ 办公室退回了本单位对《")
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/feedback 已补充整改清单")})
    second = office_messages(emulator)[-1]
    await press(app, emulator, second["message_id"], ADMIN, "fb:ok:1")
    assert replies(emulator, DONGJIANG)[-1].startswith("✅ 办公室已采纳")
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/feedback 再补一句")})
    assert "已被采纳，无需再次提交" in replies(emulator, DONGJIANG)[-1]
    # the 签收单 shows it
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/status")})
    assert "落实反馈：已采纳 1，未提交 2" in replies(emulator, OFFICE)[-1]
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/export")})
    document = next(
        m
        for m in reversed(office_messages(emulator))
        if "document" in m and m["document"]["file_name"].endswith(".xlsx")
    )
    data, _, _ = emulator.world.files[document["document"]["file_id"]]
    rows = xlsx_rows(data)
    assert rows["东江市"]["落实反馈"] == "已采纳" and rows["青岭市"]["落实反馈"] == "未提交"
    assert services_of(app).store.feedbacks.get_for(notice_id, "dongjiang").text == "已补充整改清单"


async def test_feedback_is_for_the_units_liaisons(app, emulator):
    await published(app)
    emulator.world.add_user(OTHER, "路人")
    await feed(app, {"message": message_json(DONGJIANG, OTHER, "/feedback 我来说两句")})
    assert replies(emulator, DONGJIANG)[-1] == "抱歉，只有东江市的联络员可以提交落实反馈。"
