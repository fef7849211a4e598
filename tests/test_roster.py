"""Binding a unit's group by invitation, through the real Application."""

from __future__ import annotations

from datetime import timedelta

import pytest

from briefbot.publishing import parse_file, publish_file
from schedules.dispatcher import Dispatcher
from tests.botkit import ADMIN, OFFICE, OTHER, feed, message_json, replies, services_of
from tests.conftest import SHIPPED, running_app

UNBOUND = "  - {code: xishan, name: 西山县, group: 县区, liaisons: [20009]}\n"
XISHAN_CHAT, XISHAN_LIAISON = -1001000000777, 20009


@pytest.fixture
async def roster_app(emulator, tmp_path):
    async with running_app(emulator, tmp_path, UNBOUND) as application:
        emulator.world.add_chat(XISHAN_CHAT, "西山县工作群")
        emulator.world.add_user(XISHAN_LIAISON, "西山联络员")
        yield application


async def invite_code(app, emulator) -> str:
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/invite xishan")})
    text = replies(emulator, OFFICE)[-1]
    assert text.startswith("西山县的绑定邀请码：<code>")
    return text.split("<code>")[1].split("</code>")[0]


async def test_invite_subscribe_then_receive_notices(roster_app, emulator):
    app = roster_app
    svc = services_of(app)
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/units")})
    assert (
        "未绑定 1" in replies(emulator, OFFICE)[-1]
        and "西山县（xishan）" in replies(emulator, OFFICE)[-1]
    )
    code = await invite_code(app, emulator)
    await feed(
        app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, f"/subscribe {code.lower()}")}
    )
    assert (
        replies(emulator, XISHAN_CHAT)[-1]
        == "✅ 本群已绑定为西山县的工作群，今后的简报将推送到这里。"
    )
    assert "西山县已通过邀请码绑定工作群" in replies(emulator, OFFICE)[-1]
    publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    assert replies(emulator, XISHAN_CHAT)[-1].startswith("📄")
    # the code is spent
    await feed(app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, f"/subscribe {code}")})
    assert replies(emulator, XISHAN_CHAT)[-1] == "该邀请码已经使用过，请联系办公室重新获取。"


async def test_codes_are_stored_hashed_and_expire(roster_app, emulator):
    app = roster_app
    svc = services_of(app)
    code = await invite_code(app, emulator)
    from sqlalchemy import select

    from briefbot.store.schema import invites

    with svc.store.engine.connect() as conn:
        stored = conn.execute(select(invites.c.code_hash)).scalar_one()
    assert code.replace("-", "") not in stored and len(stored) == 64
    real = svc.clock
    svc.clock = lambda: real() + timedelta(hours=73)
    await feed(app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, f"/subscribe {code}")})
    assert replies(emulator, XISHAN_CHAT)[-1] == "该邀请码已过期，请联系办公室重新获取。"
    await feed(app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, "/subscribe WXYZ-2345")})
    assert replies(emulator, XISHAN_CHAT)[-1].startswith("邀请码无效")


async def test_unsubscribe_by_a_liaison_only(roster_app, emulator):
    app = roster_app
    code = await invite_code(app, emulator)
    await feed(app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, f"/subscribe {code}")})
    emulator.world.add_user(OTHER, "路人")
    await feed(app, {"message": message_json(XISHAN_CHAT, OTHER, "/unsubscribe")})
    assert replies(emulator, XISHAN_CHAT)[-1] == "抱歉，只有西山县的联络员可以解除绑定。"
    await feed(app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, "/unsubscribe")})
    assert replies(emulator, XISHAN_CHAT)[-1] == "已解除本群与西山县的绑定，不再推送简报。"
    assert services_of(app).store.notices.unit_by_chat(XISHAN_CHAT) is None


async def test_configured_groups_need_no_invitation(roster_app, emulator):
    await feed(roster_app, {"message": message_json(OFFICE, ADMIN, "/invite dongjiang")})
    assert replies(emulator, OFFICE)[-1] == "东江市的工作群已在配置文件中指定，无需邀请绑定。"
    await feed(roster_app, {"message": message_json(OFFICE, OTHER, "/invite xishan")})
    assert replies(emulator, OFFICE)[-1] == "抱歉，此命令仅限办公室管理员在办公室群中使用。"
