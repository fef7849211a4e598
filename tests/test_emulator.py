"""The emulator answers like Telegram: driven through PTB's own Bot over real HTTP."""

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter

from tgemu.client import EmulatorClient

TOKEN = "123456:TEST-token-for-the-emulator-only"


@pytest.fixture
async def bot(emulator):
    emulator.world.add_bot(TOKEN)
    emulator.world.add_chat(-100, "测试群")
    emulator.world.add_chat(-200, "另一个群")
    emulator.world.add_user(1, "张三")
    b = Bot(
        TOKEN, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot"
    )
    async with b:
        yield b


async def test_get_me_and_send(bot, emulator):
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot
    sent = await bot.send_message(-100, "<b>你好</b> &amp; 再见", parse_mode="HTML")
    assert sent.message_id == 1 and sent.chat.id == -100
    [stored] = emulator.world.transcript(-100)
    assert stored["text"] == "<b>你好</b> &amp; 再见" and stored["from_bot"]


@pytest.mark.parametrize("text", ["<b>未闭合", "<script>x</script>", "a < b", "A & B", "<i>x</b>"])
async def test_invalid_html_is_400_cant_parse_entities(bot, text):
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(-100, text, parse_mode="HTML")


async def test_length_counts_after_entities(bot):
    await bot.send_message(-100, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(-100, "字" * 4097)


async def test_unknown_kicked_and_migrated_chats(bot, emulator):
    with pytest.raises(BadRequest, match="not found"):
        await bot.send_message(-999, "x")
    emulator.world.chats[-100].kicked = True
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_message(-100, "x")
    client = EmulatorClient(emulator.base_url)
    await client.migrate(-200, -1002000000200)
    await client.aclose()
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-200, "x")
    assert caught.value.new_chat_id == -1002000000200
    assert (await bot.send_message(-1002000000200, "x")).chat.id == -1002000000200


async def test_overall_flood_limit_answers_429_with_retry_after(bot, emulator):
    emulator.world.set_limits(overall_per_second=5.0)
    for i in range(5):
        await bot.send_message(-100 if i % 2 else -200, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-100, "too many")
    assert caught.value.retry_after.total_seconds() >= 1
    assert emulator.world.stats["rate_limited"] == 1


async def test_group_limit_is_per_group(bot, emulator):
    emulator.world.set_limits(group_per_minute=3.0)
    for _ in range(3):
        await bot.send_message(-100, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-100, "x")
    assert caught.value.retry_after.total_seconds() >= 15  # one slot per 20 s
    await bot.send_message(-200, "another group is fine")


async def test_long_polling_delivers_user_messages_and_button_presses(bot, emulator):
    client = EmulatorClient(emulator.base_url)
    sent = await bot.send_message(
        -100,
        "通知",
        reply_markup={"inline_keyboard": [[{"text": "已收到", "callback_data": "ack:1"}]]},
    )
    await client.send(-100, 1, "/ack", reply_to=sent.message_id)
    query_id = await client.press(-100, sent.message_id, 1)
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text == "/ack"
    assert updates[0].message.reply_to_message.message_id == sent.message_id
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[1].callback_query.data == "ack:1"
    await bot.answer_callback_query(query_id, "好")
    assert (await client.callback(query_id))["text"] == "好"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    await client.aclose()


async def test_edits_and_not_modified(bot):
    sent = await bot.send_message(-100, "a")
    await bot.edit_message_text("b", chat_id=-100, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("b", chat_id=-100, message_id=sent.message_id)


async def test_documents_round_trip(bot, emulator):
    client = EmulatorClient(emulator.base_url)
    message = await client.upload(-100, 1, "简报.txt", "简报内容".encode())
    file = await bot.get_file(message["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == "简报内容".encode()
    await client.aclose()


async def test_wrong_token_is_unauthorized(emulator):
    stranger = Bot("999:not-registered-token-xxxxxxxxx", base_url=f"{emulator.base_url}/bot")
    try:
        with pytest.raises(InvalidToken):
            await stranger.initialize()
    finally:
        await stranger.shutdown()


async def test_paid_broadcast_has_its_own_budget(bot, emulator):
    emulator.world.set_limits(overall_per_second=2.0, paid_per_second=50.0)
    for i in range(10):  # far past the ordinary 2/s, within the paid budget
        await bot.send_message(-100 if i % 2 else -200, f"m{i}", allow_paid_broadcast=True)
    assert emulator.world.stats["paid_messages"] == 10
    assert emulator.world.stats["rate_limited"] == 0
