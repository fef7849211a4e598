"""The emulator delivers updates by webhook as Telegram does: setWebhook, deleteWebhook,
getWebhookInfo, 409 on getUpdates, one POST per update in order with the secret header, retried
with backoff while the webhook fails. Driven through PTB's own Bot over real HTTP."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from tests.botkit import until
from tgemu.webhook import SECRET_HEADER

TOKEN = "123456:TEST-token-for-the-emulator-only"
OTHER = "654321:TEST-token-of-another-bot-only"
SECRET = "s3cret_-token-0123456789"
GROUP = -100


@dataclass
class Receiver:
    """A webhook endpoint that records every request and answers the statuses it is given in
    turn (then 200)."""

    answers: list[int] = field(default_factory=list)
    requests: list[tuple[float, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append((time.monotonic(), dict(request.headers), body))
        status = self.answers.pop(0) if self.answers else 200
        return web.json_response({}, status=status)

    @property
    def update_ids(self) -> list[int]:
        return [body["update_id"] for _, _, body in self.requests]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


@pytest.fixture
async def bot(emulator) -> AsyncIterator[Bot]:
    world = emulator.world
    world.set_limits(webhook_retry_first=0.05, webhook_retry_max=1.0, webhook_timeout=2.0)
    world.add_bot(TOKEN)
    world.add_chat(GROUP, "测试群")
    world.add_user(1, "张三")
    b = Bot(TOKEN, base_url=f"{emulator.base_url}/bot")
    async with b:
        yield b


async def test_updates_are_posted_in_order_with_the_secret_header(bot, emulator, receiver):
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)
    for i in range(5):
        emulator.world.user_message(GROUP, 1, f"第{i}条")
    await until(lambda: len(receiver.requests) == 5)
    assert receiver.update_ids == [1, 2, 3, 4, 5]
    assert [body["message"]["text"] for *_, body in receiver.requests] == [
        f"第{i}条" for i in range(5)
    ]
    for _, headers, _ in receiver.requests:
        assert headers[SECRET_HEADER] == SECRET
        assert headers["Content-Type"] == "application/json"  # what PTB's server insists on
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.last_error_date is None
    assert emulator.world.stats["webhook:delivered"] == 5


async def test_get_updates_is_409_while_a_webhook_is_set(bot, emulator, receiver):
    receiver.answers = [500] * 1000  # nothing is taken: the updates stay at "Telegram"
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    emulator.world.user_message(GROUP, 1, "收到")
    with pytest.raises(Conflict) as caught:
        await bot.get_updates(timeout=0)
    assert caught.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    # deleteWebhook: what was never delivered is there for getUpdates
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    [update] = await bot.get_updates(timeout=0)
    assert update.message.text == "收到"
    # a long poll in progress ends when a webhook is set
    poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=5))
    await asyncio.sleep(0.1)
    await bot.set_webhook(receiver.url)
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await poll


async def test_a_failed_delivery_is_retried_with_backoff_and_stays_pending(bot, emulator, receiver):
    receiver.answers = [500, 502, 503]
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    emulator.world.user_message(GROUP, 1, "一")
    emulator.world.user_message(GROUP, 1, "二")
    await until(lambda: len(receiver.requests) >= 2)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 2  # the one being retried and the one behind it
    assert info.last_error_message.startswith("Wrong response from the webhook: 50")
    assert info.last_error_date is not None
    await until(lambda: len(receiver.requests) == 5)
    # the first update until it is taken, then the second: never out of order
    assert receiver.update_ids == [1, 1, 1, 1, 2]
    stamps = [at for at, _, _ in receiver.requests[:4]]
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2  # doubling
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert emulator.world.stats["webhook:failed"] == 3


async def test_an_unreachable_webhook_keeps_the_updates(bot, emulator, receiver):
    closed = receiver.url.replace("/hook", "/nowhere").rsplit(":", 1)[0] + ":9/hook"
    await bot.set_webhook(closed)
    emulator.world.user_message(GROUP, 1, "一")
    await until(lambda: emulator.world.stats["webhook:failed"] >= 2)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1 and info.last_error_message == "Connection refused"
    # pointing the webhook somewhere that answers delivers at once, the failures forgotten
    await bot.set_webhook(receiver.url)
    await until(lambda: receiver.update_ids == [1], within=0.5)
    assert (await bot.get_webhook_info()).last_error_date is None


async def test_set_webhook_checks_url_port_and_secret_like_telegram(bot, emulator):
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://bot.example.org/hook")
    with pytest.raises(BadRequest, match=r"(?i)ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://bot.example.org:8080/hook")
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook("https://bot.example.org/hook", secret_token="no spaces!")
    assert emulator.world.bots[TOKEN].webhook is None
    # drop_pending_updates; an empty url deletes the webhook
    emulator.world.user_message(GROUP, 1, "旧消息")
    await bot.set_webhook("https://bot.example.org:8443/hook", drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org:8443/hook" and info.pending_update_count == 0
    await bot.set_webhook("")
    assert (await bot.get_webhook_info()).url == ""


async def test_allowed_updates_and_delivery_per_bot(bot, emulator, receiver):
    emulator.world.add_bot(OTHER, username="other_bot")
    other = Bot(OTHER, base_url=f"{emulator.base_url}/bot")
    async with other:
        # ours takes only button presses; the other bot polls and sees the message too
        await bot.set_webhook(receiver.url, allowed_updates=["callback_query"])
        sent = await bot.send_message(
            GROUP,
            "通知",
            reply_markup={"inline_keyboard": [[{"text": "收到", "callback_data": "a"}]]},
        )
        emulator.world.user_message(GROUP, 1, "一条消息")
        emulator.world.press_button(GROUP, sent.message_id, 1)
        await until(lambda: len(receiver.requests) == 1)
        [(_, headers, body)] = receiver.requests
        assert "callback_query" in body and SECRET_HEADER not in headers
        polled = await other.get_updates(timeout=0)
        assert [u.message.text for u in polled if u.message] == ["一条消息"]
        info = await bot.get_webhook_info()
        assert info.allowed_updates == ("callback_query",) and info.pending_update_count == 0
