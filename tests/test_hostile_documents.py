"""Issue 9, point 6: zip bombs and huge documents are refused by cheap checks, and whatever gets
through is parsed in a child process with a memory and a time limit, off the event loop, from
every path a file arrives by (office upload, inbox, feed, the CLI)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
import zipfile

import pytest

from briefbot.briefing.guard import MB, DocumentLimits, DocumentTooLarge, check_before
from briefbot.documents import parse_document, parse_document_sync
from briefbot.publishing import parse_file
from tests.botkit import ADMIN, OFFICE, feed, services_of
from tests.conftest import BASE_CONFIG, ROOT, SHIPPED, base_config
from tests.fixtures.builders import docx, pdf
from tests.fixtures.synthetic import BUSINESS, RURAL

TOO_LARGE = "文件过大或格式异常"


def bomb(xml_mb: int = 20, extra_entries: int = 0) -> bytes:
    """A valid .docx of ~120 KB whose document.xml inflates to ``xml_mb`` MB."""
    src = zipfile.ZipFile(io.BytesIO(docx(RURAL)))
    document = src.read("word/document.xml").decode()
    at = document.index("<w:body>") + len("<w:body>")
    paragraph = "<w:p><w:r><w:t>" + "重复" * 50 + "</w:t></w:r></w:p>"
    body = paragraph * (xml_mb * MB // len(paragraph.encode()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = (document[:at] + body + document[at:]).encode()
            z.writestr(item.filename, data)
        for n in range(extra_entries):
            z.writestr(f"extra/part{n}.xml", b"")
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    data = bomb(20)
    assert len(data) < 300 * 1024  # small on the wire
    return data


def test_the_zip_is_measured_before_anything_is_inflated(zip_bomb):
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge, match=TOO_LARGE + r"（文档内容解压后 2\d+MB，上限 16MB）"):
        check_before(zip_bomb, DocumentLimits())
    assert time.monotonic() - started < 0.5
    with pytest.raises(DocumentTooLarge, match=r"压缩包内有 \d+ 个文件"):
        check_before(bomb(1, extra_entries=2100), DocumentLimits())
    check_before(docx(RURAL), DocumentLimits())  # an ordinary briefing passes


def test_pages_and_characters_are_capped():
    two_pages = pdf(BUSINESS)
    with pytest.raises(DocumentTooLarge, match="页，上限 1 页"):
        parse_file(two_pages, "a.pdf", DocumentLimits(max_pages=1))
    with pytest.raises(DocumentTooLarge, match="字，上限 500 字"):
        parse_file(SHIPPED.read_bytes(), "a.txt", DocumentLimits(max_chars=500))
    assert parse_file(two_pages, "a.pdf", DocumentLimits()).briefing.title


def test_the_worker_parses_ordinary_briefings_like_the_parser_does():
    for data, name in ((SHIPPED.read_bytes(), "a.txt"), (docx(RURAL), "b.docx")):
        assert parse_document_sync(data, name).briefing == parse_file(data, name).briefing


def test_memory_is_limited_in_the_worker():
    text = ("关于简报工作的通知" * 10 + "\n").encode() * 300_000  # 77 MB of text
    limits = DocumentLimits(max_chars=10**9, memory_bytes=200 * MB)
    with pytest.raises(DocumentTooLarge, match=TOO_LARGE + ".*内存"):
        parse_document_sync(text, "big.txt", limits)


async def test_time_is_limited_and_the_event_loop_stays_free(zip_bomb):
    # limits raised so that the bomb reaches the parser: only the clock stops it
    limits = DocumentLimits(max_xml_bytes=100 * MB, max_chars=10**9, timeout_seconds=1.5)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        with pytest.raises(DocumentTooLarge, match=TOO_LARGE + "（解析超过 1.5 秒）"):
            await parse_document(zip_bomb, "bomb.docx", limits)
    finally:
        ticking.cancel()
    assert time.monotonic() - started < 5
    assert max(gaps) < 0.25, max(gaps)  # the loop went on serving everyone else


async def test_office_upload_of_a_zip_bomb(app, emulator, zip_bomb):
    from tests.test_sources_office import office_texts, upload

    started = time.monotonic()
    await upload(app, emulator, "简报.docx", zip_bomb)
    assert time.monotonic() - started < 5
    [answer] = office_texts(emulator)
    assert answer.startswith(f"无法读取《简报.docx》：{TOO_LARGE}")
    assert services_of(app).store.drafts.get(1) is None


async def test_inbox_zip_bomb_goes_to_failed(app, emulator, tmp_path, zip_bomb):
    from schedules.inbox import take_file
    from tests.test_sources_office import office_texts

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "简报.docx"
    path.write_bytes(zip_bomb)
    assert await take_file(app.bot, services_of(app), path) == "failed"
    assert TOO_LARGE in office_texts(emulator)[-1]


async def test_feed_zip_bomb_is_recorded_as_refused(app, emulator, zip_bomb):
    from briefbot.settings import FeedSettings
    from schedules.feeds import poll_feed
    from tests.test_sources_jobs import FeedServer, allow_local_feeds
    from tests.test_sources_office import office_texts

    svc = services_of(app)
    allow_local_feeds(svc)
    async with FeedServer() as site:
        site.items.append(("bomb.docx", "简报第1期", zip_bomb))
        feed_ = FeedSettings(url=f"{site.base}/rss.xml", backfill=True)
        assert await poll_feed(app.bot, svc, feed_) == 1
        assert await poll_feed(app.bot, svc, feed_) == 0  # refused for good, not retried
    assert office_texts(emulator) == []
    from sqlalchemy import select

    from briefbot.store.schema import feed_items

    with svc.store.engine.connect() as conn:
        [(state, note)] = conn.execute(select(feed_items.c.status, feed_items.c.note)).all()
    assert state == "failed" and TOO_LARGE in note


def test_cli_ingest_and_publish_refuse_a_zip_bomb(tmp_path, zip_bomb):
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb)
    config = tmp_path / "config.yaml"
    config.write_text(base_config(tmp_path), encoding="utf-8")
    for args in (("ingest", str(path)), ("publish", str(path), "--config", str(config))):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=os.environ,
        )
        assert result.returncode == 1, result.stderr
        assert TOO_LARGE in result.stderr and "Traceback" not in result.stderr
        assert time.monotonic() - started < 10


def test_document_limits_come_from_the_config():
    from briefbot.settings import parse_settings

    settings = parse_settings(
        BASE_CONFIG % {"db": "x.db"}
        + "documents: {max_xml_mb: 4, max_pages: 50, parse_timeout: 10s, parse_memory_mb: 512}\n"
    )
    limits = settings.documents.limits()
    assert (limits.max_xml_bytes, limits.max_pages, limits.timeout_seconds) == (4 * MB, 50, 10)
    assert limits.memory_bytes == 512 * MB


async def test_a_bomb_does_not_hold_up_other_chats(app, emulator, zip_bomb):
    """The office's /status is answered while an upload is being refused."""
    from tests.botkit import message_json
    from tests.test_sources_office import office_texts

    message = emulator.world.user_document(
        OFFICE, ADMIN, "b.docx", zip_bomb, "application/octet-stream"
    )
    await asyncio.gather(
        feed(app, {"message": message}),
        feed(app, {"message": message_json(OFFICE, ADMIN, "/status")}),
    )
    texts = office_texts(emulator)
    assert any(t.startswith("无法读取《b.docx》") for t in texts)
    assert "还没有发布过任何通知。" in texts


def test_the_parser_process_does_not_get_the_token(monkeypatch):
    from briefbot.documents import _env

    monkeypatch.setenv("BOT_TOKEN", "7000000009:HANDLER-tests-token-not-real")
    assert "BOT_TOKEN" not in _env() and _env()["PYTHONPATH"]
