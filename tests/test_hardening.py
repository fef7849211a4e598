"""Issue 9 (hardening): input that reaches HTML, spreadsheets, files and the command line."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from briefbot.durations import format_duration
from tests.conftest import BASE_CONFIG, ROOT, SHIPPED, database_url, sqlite_only


def _bot(*args: str, cwd: Path, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """bot.py as an operator runs it, from a shell whose umask is the usual 022."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        preexec_fn=lambda: os.umask(umask),
    )


# ---------------------------------------------------------------- 18: durations shown honestly


def test_durations_under_an_hour_keep_their_seconds():
    assert format_duration(timedelta(seconds=90)) == "1分30秒"
    assert format_duration(timedelta(seconds=600)) == "10分钟"
    assert format_duration(timedelta(seconds=3599)) == "59分59秒"
    assert format_duration(timedelta(hours=1, minutes=30)) == "1小时30分钟"


# ---------------------------------------------------------------- 9: CSV formula injection


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    from briefbot.reports import csv_safe

    for hostile in ('=HYPERLINK("http://x","点此查看")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(hostile) == "'" + hostile
    for fine in ("已转分管领导", "", "1小时", "A-B"):
        assert csv_safe(fine) == fine


async def test_a_hostile_comment_lands_in_the_csv_as_text(app, emulator):
    from briefbot.publishing import parse_file, publish_file
    from briefbot.reports import format_csv, notice_report
    from schedules.dispatcher import Dispatcher
    from tests.botkit import DONGJIANG, LIAISON, feed, message_json, services_of

    svc = services_of(app)
    publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    comment = '=HYPERLINK("http://evil.example","点此查看")'
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack 1 {comment}")})
    notice = svc.store.notices.notice(1)
    assert notice is not None
    report = notice_report(svc.store, notice, svc.now(), svc.settings.working_time())
    rows = list(csv.reader(io.StringIO(format_csv(report))))
    cells = [c for row in rows[1:] for c in row]
    assert "'" + comment in cells
    assert not any(c.startswith("=") for c in cells)


# ---------------------------------------------------------------- 13: umask 027


@sqlite_only("the mode of the SQLite database file")
def test_files_the_bot_writes_are_not_world_readable(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(BASE_CONFIG % {"db": tmp_path / "bot.db"}, encoding="utf-8")
    published = _bot("publish", str(SHIPPED), "--config", str(config), cwd=tmp_path)
    assert published.returncode == 0, published.stderr
    out = tmp_path / "签收单.csv"
    reported = _bot(
        "report", "--config", str(config), "--format", "csv", "--output", str(out), cwd=tmp_path
    )
    assert reported.returncode == 0, reported.stderr
    for path in (tmp_path / "bot.db", out):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, f"{path.name} is {oct(mode)}"


# ---------------------------------------------------------------- 14: check-config hides passwords


def test_check_config_masks_the_database_password(tmp_path):
    config = tmp_path / "config.yaml"
    text = BASE_CONFIG % {"db": tmp_path / "bot.db"}
    text = text.replace(
        f'storage: {{url: "sqlite:///{tmp_path / "bot.db"}"}}',
        'storage: {url: "postgresql+psycopg://briefbot:s3cr3t-Pa55@db.internal:5432/briefbot"}',
    )
    config.write_text(text, encoding="utf-8")
    result = _bot("check-config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "s3cr3t-Pa55" not in result.stdout + result.stderr
    assert "postgresql+psycopg://briefbot:***@db.internal:5432/briefbot" in result.stdout


# ---------------------------------------------------------------- 10: arguments, stale buttons, alerts

BAD_IDS = ("²", "999999999999999999999", "#٣٤")


async def _publish_and_deliver(app) -> int:
    from briefbot.publishing import parse_file, publish_file
    from schedules.dispatcher import Dispatcher
    from tests.botkit import services_of

    svc = services_of(app)
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    assert taken.published is not None
    return taken.published.notice_id


async def test_id_arguments_that_are_no_ids_are_answered_in_chinese(app, emulator):
    from tests.botkit import ADMIN, DONGJIANG, LIAISON, OFFICE, feed, message_json, replies

    await _publish_and_deliver(app)
    for bad in BAD_IDS:
        for chat, uid, command in (
            (DONGJIANG, LIAISON, f"/ack {bad}"),
            (DONGJIANG, LIAISON, f"/undo {bad}"),
            (DONGJIANG, LIAISON, f"/feedback {bad} 已落实"),
            (OFFICE, ADMIN, f"/status {bad}"),
            (OFFICE, ADMIN, f"/remind {bad}"),
            (OFFICE, ADMIN, f"/export {bad}"),
            (OFFICE, ADMIN, f"/ranking {bad}"),
        ):
            before = len(replies(emulator, chat))
            await feed(app, {"message": message_json(chat, uid, command)})
            answer = replies(emulator, chat)[before:]
            assert len(answer) == 1, (command, answer)
            assert "通知编号应为" in answer[0] or "用法" in answer[0], (command, answer)
    # nothing was acknowledged by accident, and no error reached the office
    from tests.botkit import services_of

    assert services_of(app).store.acks.get(1, "dongjiang") is None
    assert not any("出错" in t for t in replies(emulator, OFFICE))


def test_ids_are_ascii_digits_in_range():
    from briefbot.ids import parse_id

    assert parse_id("3") == 3 and parse_id("#12") == 12 and parse_id("999999999999") is not None
    for bad in ("²", "٣", "３", "0", "-1", "1e3", "9999999999999", "", "#", "3.0"):
        assert parse_id(bad) is None, bad


def test_report_refuses_an_oversized_notice_id(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(BASE_CONFIG % {"db": tmp_path / "bot.db"}, encoding="utf-8")
    result = _bot("report", "--config", str(config), "--notice", "999999999999999999999", cwd=tmp_path)
    assert result.returncode == 2 and "通知编号应为" in result.stderr
    assert "Traceback" not in result.stderr
    result = _bot(
        "export", "--config", str(config), "--notices", "1,99999999999999999999", "--output",
        str(tmp_path / "x.xlsx"), cwd=tmp_path,
    )
    assert result.returncode == 1 and "--notices" in result.stderr
    assert "Traceback" not in result.stderr


async def test_a_stale_button_press_is_recorded_and_the_button_still_updated(app, emulator):
    from tests.botkit import DONGJIANG, LIAISON, OFFICE, TOKEN, feed, replies, services_of

    notice_id = await _publish_and_deliver(app)
    [notice] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    query_id = emulator.world.press_button(DONGJIANG, notice["message_id"], LIAISON)
    # the bot was down: by the time the press is handled, Telegram refuses an answer
    del emulator.world.callbacks[query_id]
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    ack = services_of(app).store.acks.get(notice_id, "dongjiang")
    assert ack is not None and ack.via == "button"
    [edited] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    assert edited["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("✔️ 已签收 · 赵联络员")
    assert not any("出错" in t for t in replies(emulator, OFFICE))


async def test_identical_error_alerts_are_grouped(app, emulator, monkeypatch):
    import handlers.ack
    from tests.botkit import DONGJIANG, LIAISON, OFFICE, feed, message_json, replies, services_of

    def broken(*args, **kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(handlers.ack, "acknowledge_pending", broken)
    svc = services_of(app)
    for _ in range(30):  # an outsider could send these as fast as Telegram lets them
        await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    alerts = [t for t in replies(emulator, OFFICE) if "出错" in t]
    assert len(alerts) == 1 and "OSError" in alerts[0]
    real = svc.clock
    svc.clock = lambda: real() + timedelta(minutes=11)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    alerts = [t for t in replies(emulator, OFFICE) if "出错" in t]
    assert len(alerts) == 2 and "另有 29 次相同错误" in alerts[1]


def test_alert_grouper_reports_the_held_back_count_when_the_window_closes():
    from briefbot.throttle import AlertGrouper
    from tests.conftest import at

    grouper = AlertGrouper(timedelta(minutes=10))
    t0 = at("2026-12-01 10:00")
    assert grouper.note("OSError", t0) == 0
    assert grouper.note("OSError", t0 + timedelta(minutes=1)) is None
    assert grouper.note("KeyError", t0 + timedelta(minutes=2)) == 0  # another kind: its own window
    assert grouper.note("OSError", t0 + timedelta(minutes=9)) is None
    assert grouper.due(t0 + timedelta(minutes=9)) == []
    assert grouper.due(t0 + timedelta(minutes=12)) == [("OSError", 2)]
    assert grouper.note("OSError", t0 + timedelta(minutes=13)) == 0


# ---------------------------------------------------------------- 12: /subscribe attempts


async def test_subscribe_allows_five_wrong_codes_per_chat_per_hour(emulator, tmp_path, caplog):
    import logging

    from tests.botkit import ADMIN, OFFICE, feed, message_json, replies, services_of
    from tests.conftest import running_app

    unbound = "  - {code: xishan, name: 西山县, group: 县区, liaisons: [20009]}\n"
    chat, liaison = -1001000000777, 20009
    async with running_app(emulator, tmp_path, unbound) as app:
        emulator.world.add_chat(chat, "西山县工作群")
        emulator.world.add_user(liaison, "西山联络员")
        await feed(app, {"message": message_json(OFFICE, ADMIN, "/invite xishan")})
        code = replies(emulator, OFFICE)[-1].split("<code>")[1].split("</code>")[0]
        caplog.set_level(logging.WARNING, logger="handlers.roster")
        for i in range(5):
            await feed(app, {"message": message_json(chat, liaison, f"/subscribe WXYZ-23{i}5")})
            assert replies(emulator, chat)[-1].startswith("邀请码无效")
        assert len([r for r in caplog.records if "/subscribe failed" in r.getMessage()]) == 5
        # the sixth attempt is refused without being tried, even with the right code
        await feed(app, {"message": message_json(chat, liaison, f"/subscribe {code}")})
        assert replies(emulator, chat)[-1].startswith("邀请码错误次数过多")
        assert any("too many failed codes" in r.getMessage() for r in caplog.records)
        svc = services_of(app)
        real = svc.clock
        svc.clock = lambda: real() + timedelta(hours=1, minutes=1)
        await feed(app, {"message": message_json(chat, liaison, f"/subscribe {code}")})
        assert replies(emulator, chat)[-1].startswith("✅ 本群已绑定为西山县的工作群")


# ---------------------------------------------------------------- 17: a 502 HTML page in the log

BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


async def test_a_502_html_page_is_logged_as_one_warning_line():
    import logging
    from types import SimpleNamespace

    from aiohttp import web
    from telegram import Bot
    from telegram.error import NetworkError
    from telegram.request import HTTPXRequest

    from briefbot.logs import OneLineNetworkErrors
    from handlers.errors import on_error

    async def bad_gateway(request: web.Request) -> web.Response:
        return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")

    site_app = web.Application()
    site_app.router.add_route("*", "/{tail:.*}", bad_gateway)
    runner = web.AppRunner(site_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(OneLineNetworkErrors())  # as bot.setup_logging installs it
    root = logging.getLogger()
    root.addHandler(handler)
    requests = (HTTPXRequest(), HTTPXRequest())
    try:
        bot = Bot(
            "7000000009:HANDLER-tests-token-not-real",
            base_url=f"http://127.0.0.1:{port}/bot",
            request=requests[0],
            get_updates_request=requests[1],
        )
        try:
            await bot.get_updates(timeout=0)
        except NetworkError as exc:
            error = exc
        else:
            raise AssertionError("a 502 must raise")
        # what the polling loop does with it: hand it to the application's error handler
        await on_error(None, SimpleNamespace(error=error))
    finally:
        root.removeHandler(handler)
        for request in requests:
            await request.shutdown()
        await runner.cleanup()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert all(line.startswith("WARNING ") for line in lines), lines
    assert "Traceback" not in out.getvalue() and "<center>" not in out.getvalue()
    assert "502 Bad Gateway" in lines[0] and "NetworkError" in lines[1]


def test_setup_logging_installs_the_one_line_filter():
    import logging

    import bot
    from briefbot.logs import OneLineNetworkErrors

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        bot.setup_logging("INFO")
        assert any(
            isinstance(f, OneLineNetworkErrors) for h in root.handlers for f in h.filters
        )
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


# ---------------------------------------------------------------- 11, 15: starting the bot


def _run_env() -> dict[str, str]:
    from rehearsal.harness import BOT_TOKEN

    return {**os.environ, "BOT_TOKEN": BOT_TOKEN, "PYTHONUNBUFFERED": "1"}


@sqlite_only("the run lock (flock) next to a SQLite file; replicas on PostgreSQL are issue 11.2")
async def test_a_second_bot_on_the_same_database_refuses_to_start(tmp_path):
    import asyncio

    from rehearsal.harness import Person, Rehearsal, Scenario, UnitSpec

    unit = UnitSpec("u001", "第1单位", "设区市", -1001000100001, (Person(30001, "联络员1"),))
    async with Rehearsal(Scenario(units=[unit]), tmp_path) as run:
        run.start_bot()
        await run.wait_ready()
        second = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, str(ROOT / "bot.py"), "run", "--config", str(run.config_path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=_run_env(),
            timeout=60,
        )
        assert second.returncode != 0
        assert "另一个机器人进程" in second.stderr and "already running" in second.stderr
        assert str(run.bot_process.pid) in second.stderr
        assert "Traceback" not in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        assert run.bot_process.poll() is None  # the first one carries on
        assert await run.stop_bot() == 0
        # once the first has stopped, the lock is free again
        run.start_bot()
        await run.wait_ready()


async def test_start_up_waits_for_telegram_instead_of_exiting(tmp_path):
    import asyncio
    import socket

    from rehearsal.harness import Person, Rehearsal, Scenario, UnitSpec

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unit = UnitSpec("u001", "第1单位", "设区市", -1001000100001, (Person(30001, "联络员1"),))
    run = Rehearsal(
        Scenario(units=[unit], storage_url=database_url(tmp_path / "data")), tmp_path
    )
    run.server.port = port  # nothing listens there yet: Telegram is unreachable
    run.write_config()
    try:
        run.start_bot()
        for _ in range(100):
            if "retrying" in run.bot_log():
                break
            await asyncio.sleep(0.1)
        assert "Telegram unreachable at start" in run.bot_log()
        await asyncio.sleep(1.5)
        assert run.bot_process is not None and run.bot_process.poll() is None, run.bot_log()
        await run.start()  # Telegram is back, on the same address
        await run.wait_ready(within=40)
        assert "Traceback" not in run.bot_log()
    finally:
        await run.stop()
    assert run.bot_process.returncode == 0


@sqlite_only("the SQLite database's directory")
def test_an_unusable_database_directory_is_one_line_not_a_traceback(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    config = tmp_path / "config.yaml"
    config.write_text(BASE_CONFIG % {"db": blocker / "data" / "bot.db"}, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_run_env(),
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "无法创建数据库目录" in line and "Cannot create the database directory" in line


@sqlite_only("a read-only SQLite database directory")
def test_a_read_only_database_directory_is_one_line(tmp_path, monkeypatch, capsys):
    """Tests run as root, which writes through any mode bits: a read-only mount (EROFS) is
    simulated where the bot first writes, the lock file next to the database."""
    import errno

    import bot

    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(BASE_CONFIG % {"db": data / "bot.db"}, encoding="utf-8")
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).startswith(str(data)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    monkeypatch.setenv("BOT_TOKEN", "7000000009:HANDLER-tests-token-not-real")
    assert bot.run(str(config)) == 1
    err = capsys.readouterr().err
    [line] = err.strip().splitlines()
    assert "不可写" in line and "not writable" in line and "Read-only file system" in line


# ---------------------------------------------------------------- 16: feeds cannot reach inside


async def test_feed_addresses_must_be_public_http():
    import pytest

    from briefbot.feeds import UnsafeUrl, check_url

    for url in ("file:///etc/passwd", "ftp://gov.example/a.pdf", "gopher://x/", "//x/a", "a.pdf"):
        with pytest.raises(UnsafeUrl):
            await check_url(url, allow_private=True)  # the scheme is refused whatever is allowed
    for url in (
        "http://127.0.0.1:8081/bot",
        "http://localhost/",
        "https://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ):
        with pytest.raises(UnsafeUrl, match="private"):
            await check_url(url, allow_private=False)
        await check_url(url, allow_private=True)
    await check_url("https://93.184.216.34/rss.xml", allow_private=False)  # a public address


async def test_a_feed_on_a_private_address_is_not_fetched(app, emulator, caplog):
    import logging

    from briefbot.settings import FeedSettings
    from schedules.feeds import poll_feed
    from tests.botkit import services_of
    from tests.test_sources_jobs import FeedServer

    svc = services_of(app)
    assert not svc.settings.sources.allow_private_feeds  # the default
    caplog.set_level(logging.WARNING, logger="schedules.feeds")
    async with FeedServer() as site:
        site.items.append(("a.txt", "简报", SHIPPED.read_bytes()))
        feed = FeedSettings(url=f"{site.base}/rss.xml", backfill=True)
        assert await poll_feed(app.bot, svc, feed) == 0
        assert site.requests == 0
    assert any("loopback or private" in r.getMessage() for r in caplog.records)


async def test_every_redirect_hop_is_checked(app, emulator, caplog):
    import logging

    from aiohttp import web

    from briefbot.settings import FeedSettings
    from schedules.feeds import poll_feed
    from tests.botkit import services_of
    from tests.test_sources_jobs import FeedServer, allow_local_feeds

    svc = services_of(app)
    allow_local_feeds(svc)
    caplog.set_level(logging.WARNING, logger="schedules.feeds")
    class Redirecting(FeedServer):
        async def file(self, request: web.Request) -> web.Response:
            raise web.HTTPFound("file:///etc/passwd")

    async with Redirecting() as site:
        site.items.append(("moved.txt", "简报", b""))
        feed = FeedSettings(url=f"{site.base}/rss.xml", backfill=True)
        assert await poll_feed(app.bot, svc, feed) == 1
    assert any("scheme 'file' refused" in r.getMessage() for r in caplog.records)
    assert svc.store.outbox.counts() == {} and svc.store.drafts.get(1) is None


async def test_an_oversized_feed_listing_is_refused(app, emulator, caplog):
    import logging

    from briefbot.settings import FeedSettings
    from schedules.feeds import poll_feed
    from tests.botkit import services_of
    from tests.test_sources_jobs import FeedServer, allow_local_feeds

    svc = services_of(app)
    allow_local_feeds(svc, max_listing_bytes=4096)
    caplog.set_level(logging.WARNING, logger="schedules.feeds")
    async with FeedServer() as site:
        for i in range(200):
            site.items.append((f"{i}.txt", f"简报第{i}期", b"x"))
        feed = FeedSettings(url=f"{site.base}/rss.xml")
        assert await poll_feed(app.bot, svc, feed) == 0
    assert any("max_listing_bytes" in r.getMessage() for r in caplog.records)
    assert svc.store.feeds.state(feed.url).baseline_done is False


async def test_an_invitation_valid_for_90s_says_so(emulator, tmp_path):
    from tests.botkit import ADMIN, OFFICE, feed, message_json, replies, services_of
    from tests.conftest import running_app

    unbound = "  - {code: xishan, name: 西山县, group: 县区, liaisons: [20009]}\n"
    async with running_app(emulator, tmp_path, unbound) as app:
        svc = services_of(app)
        office = svc.settings.office.model_copy(update={"invite_valid_for": timedelta(seconds=90)})
        svc.settings = svc.settings.model_copy(update={"office": office})
        await feed(app, {"message": message_json(OFFICE, ADMIN, "/invite xishan")})
        assert "1分30秒内有效" in replies(emulator, OFFICE)[-1]
