"""Webhook mode's settings, start-up checks and the watch job (the end-to-end run is in
test_e2e.py, the emulator's delivery in test_emulator_webhook.py)."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from telegram import Bot

from briefbot.settings import ConfigError, load_settings, parse_settings
from briefbot.webhook import SECRET_ENV, WebhookPlan, WebhookRefused, check_listen, webhook_plan
from handlers.webhook import register_webhook
from schedules.webhook_watch import WebhookWatch, same_url
from tests.botkit import until
from tests.conftest import base_config

SECRET = "a-secret-of-32-characters_012345"
TOKEN = "123456:TEST-token-for-the-emulator-only"


def _settings(tmp_path: Path, telegram: str = ""):
    return parse_settings(base_config(tmp_path) + telegram)


def test_webhook_settings_and_the_path_from_the_url(tmp_path):
    s = _settings(
        tmp_path,
        "telegram:\n  webhook: {url: 'https://bot.example.org/tg/hook', port: 8081}\n",
    )
    hook = s.telegram.webhook
    assert (hook.listen, hook.port, hook.local_path) == ("127.0.0.1", 8081, "/tg/hook")
    plan = webhook_plan(s, {SECRET_ENV: SECRET})
    assert plan.url == "https://bot.example.org/tg/hook" and plan.secret_token == SECRET
    assert SECRET not in repr(plan) and plan.address == "127.0.0.1:8081/tg/hook"
    # an explicit path: the proxy rewrites it
    s = _settings(tmp_path, "telegram:\n  webhook: {url: 'https://bot.example.org/', path: /in}\n")
    assert s.telegram.webhook.local_path == "/in"


@pytest.mark.parametrize(
    ("webhook", "complaint"),
    [
        ("{url: 'http://bot.example.org/hook'}", "必须是 https://"),
        ("{url: 'https://bot.example.org:8080/hook'}", "443、80、88 或 8443"),
        ("{url: 'bot.example.org/hook'}", "应为完整的网址"),
        ("{url: 'https://bot.example.org/h', secret_token: 'short'}", "16–256 个字符"),
        ("{url: 'https://bot.example.org/h', secret_token: 'has spaces in it, sixteen+'}", "密钥"),
        ("{url: 'https://bot.example.org/h', path: 'no-slash'}", "应以 / 开头"),
    ],
)
def test_webhook_settings_refused_in_chinese(tmp_path, webhook, complaint):
    with pytest.raises(ConfigError) as caught:
        _settings(tmp_path, f"telegram:\n  webhook: {webhook}\n")
    assert complaint in str(caught.value) and "telegram" in str(caught.value)


def test_a_local_bot_api_server_may_post_plain_http_to_any_port(tmp_path):
    s = _settings(
        tmp_path,
        "telegram:\n  base_url: http://127.0.0.1:8081/bot\n"
        "  webhook: {url: 'http://127.0.0.1:9000/hook'}\n",
    )
    assert s.telegram.webhook.url == "http://127.0.0.1:9000/hook"


def test_the_plan_needs_a_url_and_a_secret_and_the_environment_wins(tmp_path):
    with pytest.raises(WebhookRefused, match=r"telegram\.webhook\.url") as caught:
        webhook_plan(_settings(tmp_path), {SECRET_ENV: SECRET})
    assert "公网地址" in str(caught.value) and "\n" not in str(caught.value)
    s = _settings(tmp_path, "telegram:\n  webhook: {url: 'https://bot.example.org/hook'}\n")
    with pytest.raises(WebhookRefused, match=SECRET_ENV) as caught:
        webhook_plan(s, {})
    assert "需要密钥" in str(caught.value) and "needs a secret token" in str(caught.value)
    with pytest.raises(WebhookRefused, match="格式不对"):
        webhook_plan(s, {SECRET_ENV: "too short"})
    s = _settings(
        tmp_path,
        f"telegram:\n  webhook: {{url: 'https://bot.example.org/hook', secret_token: {SECRET}}}\n",
    )
    assert webhook_plan(s, {}).secret_token == SECRET
    assert webhook_plan(s, {SECRET_ENV: "x" * 20}).secret_token == "x" * 20


def test_run_webhook_without_url_or_secret_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    import bot

    config = tmp_path / "config.yaml"
    config.write_text(base_config(tmp_path), encoding="utf-8")
    monkeypatch.setenv("BOT_TOKEN", "7000000009:WEBHOOK-tests-token-not-real")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    assert bot.run(str(config), webhook=True) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "telegram.webhook.url" in line and "Webhook mode needs" in line
    config.write_text(
        base_config(tmp_path) + "telegram:\n  webhook: {url: 'https://bot.example.org/hook'}\n",
        encoding="utf-8",
    )
    assert bot.run(str(config), webhook=True) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert SECRET_ENV in line and "secret token" in line


def _plan(url: str, port: int = 8080) -> WebhookPlan:
    return WebhookPlan("127.0.0.1", port, "/hook", url, 40, 30.0, SECRET)


def test_a_taken_port_is_found_before_the_webhook_is_set():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(WebhookRefused, match="Address already in use") as caught:
            check_listen(_plan("https://bot.example.org/hook", port))
    assert f"127.0.0.1:{port}/hook" in str(caught.value)
    check_listen(_plan("https://bot.example.org/hook", port))  # free again


@pytest.fixture
async def bot(emulator):
    emulator.world.add_bot(TOKEN)
    b = Bot(TOKEN, base_url=f"{emulator.base_url}/bot")
    async with b:
        yield b


async def test_register_webhook_refuses_an_address_telegram_refuses(bot, emulator):
    with pytest.raises(WebhookRefused, match="Telegram 拒绝了 Webhook 地址"):
        await register_webhook(bot, _plan("http://bot.example.org/hook"))
    await register_webhook(bot, _plan("http://127.0.0.1:9/hook"))
    hook = emulator.world.bots[TOKEN].webhook
    assert hook is not None and hook.secret_token == SECRET and hook.max_connections == 40
    assert emulator.world.bots[TOKEN].allowed_updates == [
        "message",
        "callback_query",
        "my_chat_member",
    ]


async def test_the_watch_sets_a_lost_webhook_again_and_logs_delivery_errors_once(
    bot, emulator, caplog
):
    world = emulator.world
    world.set_limits(webhook_retry_first=60.0)  # one failure, then a long wait
    plan = _plan("http://127.0.0.1:9/hook")  # nothing listens on port 9
    watch = WebhookWatch(plan)
    caplog.set_level(logging.WARNING, logger="schedules.webhook_watch")
    await watch.run(bot)  # no webhook yet: set
    assert world.bots[TOKEN].webhook.url == plan.url
    assert "was removed" in caplog.text
    world.add_chat(-100, "群")
    world.add_user(1, "张三")
    world.user_message(-100, 1, "你好")
    await until(lambda: world.stats["webhook:failed"] > 0)
    caplog.clear()
    await watch.run(bot)
    await watch.run(bot)
    [record] = caplog.records
    assert "Connection refused" in record.getMessage() and "1 updates waiting" in record.message
    await bot.set_webhook("http://127.0.0.1:10/elsewhere")  # another process took it
    caplog.clear()
    await watch.run(bot)
    assert "points elsewhere (http://127.0.0.1:10/elsewhere)" in caplog.text
    assert world.bots[TOKEN].webhook.url == plan.url
    world.refuse_tokens(60)  # a refused token is the request watcher's business: no error here
    await watch.run(bot)


async def test_the_watch_is_how_an_idle_webhook_bot_notices_a_refused_token(app, emulator):
    """Through the application's own requests (``WatchedRequest``): the 401 outage starts and
    ends as in polling mode, where getUpdates would have seen it."""
    from handlers.context import services

    health = services(app).health
    watch = WebhookWatch(_plan("http://127.0.0.1:9/hook"))
    emulator.world.refuse_tokens(60)
    await watch.run(app.bot)
    assert health.token.active
    emulator.world.token_refused_until = 0.0
    await watch.run(app.bot)
    assert not health.token.active


def test_build_application_registers_the_watch_in_webhook_mode_only(tmp_path):
    from bot import build_application

    settings = _settings(tmp_path)
    plan = _plan("https://bot.example.org/hook")
    polling = build_application(settings, TOKEN)
    webhook = build_application(settings, TOKEN, plan)
    assert not polling.job_queue.get_jobs_by_name("webhook-watch")
    [job] = webhook.job_queue.get_jobs_by_name("webhook-watch")
    assert job.data.plan is plan


def test_the_example_config_documents_webhook_mode():
    from tests.conftest import ROOT

    hook = load_settings(ROOT / "config.example.yaml").telegram.webhook
    assert hook.url == "https://bot.example.org/telegram/webhook" and hook.secret_token is None
    assert (hook.listen, hook.port, hook.local_path) == ("127.0.0.1", 8080, "/telegram/webhook")


def test_the_watch_compares_addresses_not_spellings():
    assert same_url("https://Bot.Example.org:443/hook", "https://bot.example.org/hook")
    assert not same_url("https://bot.example.org/hook", "https://bot.example.org/other")
    assert not same_url("https://bot.example.org:8443/hook", "https://bot.example.org/hook")
    assert not same_url("", "https://bot.example.org/hook")
