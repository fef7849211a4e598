"""The inbox folder job and the HTTP feed job, against the emulator and a real local HTTP server."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from aiohttp import web

from briefbot.feeds import parse_listing
from briefbot.settings import FeedSettings
from schedules.feeds import poll_feed
from schedules.inbox import take_file
from tests.botkit import OFFICE, services_of
from tests.conftest import SHIPPED
from tests.fixtures.builders import docx, pdf
from tests.fixtures.synthetic import BUSINESS, RURAL, SAFETY


def office_texts(emulator) -> list[str]:
    return [m.get("text", "") for m in emulator.world.transcript(OFFICE) if m["from_bot"]]


def allow_local_feeds(svc, **sources) -> None:
    """These feeds are served from 127.0.0.1, which the SSRF guard refuses unless configured."""
    svc.settings = svc.settings.model_copy(
        update={
            "sources": svc.settings.sources.model_copy(
                update={"allow_private_feeds": True, **sources}
            )
        }
    )


def _old(path: Path) -> Path:
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


async def test_inbox_file_is_previewed_and_moved(app, emulator, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = inbox / "营商简报.pdf"
    good.write_bytes(pdf(BUSINESS))
    _old(good)
    bad = inbox / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    svc = services_of(app)
    assert await take_file(app.bot, svc, good) == "done"
    assert await take_file(app.bot, svc, bad) == "failed"
    texts = office_texts(emulator)
    assert texts[0].startswith("📝 <b>预览</b>（来源：收件箱：营商简报.pdf）")
    assert "⚠️ 收件箱文件《scan.pdf》无法处理：PDF 文件已损坏" in texts[-1]
    assert [p.name[16:] for p in (inbox / "done").iterdir()] == ["营商简报.pdf"]
    assert [p.name[16:] for p in (inbox / "failed").iterdir()] == ["scan.pdf"]
    assert not good.exists() and not bad.exists()
    assert svc.store.outbox.counts() == {}  # previewed, not pushed


async def test_inbox_job_skips_partial_and_fresh_files(app, emulator, tmp_path):
    from schedules.inbox import _waiting

    (tmp_path / "a.txt.part").write_bytes(b"x")
    (tmp_path / "~$temp.docx").write_bytes(b"x")
    fresh = tmp_path / "fresh.txt"
    fresh.write_bytes(SHIPPED.read_bytes())
    settled = tmp_path / "settled.txt"
    settled.write_bytes(SHIPPED.read_bytes())
    _old(settled)
    assert [p.name for p in _waiting(tmp_path)] == ["settled.txt"]


class FeedServer:
    """A small web site that publishes briefings: an RSS feed with ETag, and the files."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, bytes]] = []  # (name, title, bytes)
        self.conditional_hits = 0
        self.requests = 0
        self.app = web.Application()
        self.app.router.add_get("/rss.xml", self.rss)
        self.app.router.add_get("/files/{name}", self.file)
        self.runner = web.AppRunner(self.app)
        self.base = ""

    def etag(self) -> str:
        return f'"v{len(self.items)}"'

    async def rss(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.headers.get("If-None-Match") == self.etag():
            self.conditional_hits += 1
            return web.Response(status=304)
        entries = "".join(
            f"<item><title>{title}</title><link>{self.base}/files/{name}</link><guid>{name}</guid></item>"
            for name, title, _ in self.items
        )
        body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>简报</title>{entries}</channel></rss>'
        return web.Response(
            body=body.encode(), content_type="application/rss+xml", headers={"ETag": self.etag()}
        )

    async def file(self, request: web.Request) -> web.Response:
        for name, _, data in self.items:
            if name == request.match_info["name"]:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404)

    async def __aenter__(self) -> FeedServer:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


async def test_feed_baseline_then_new_items_with_conditional_requests(app, emulator):
    svc = services_of(app)
    allow_local_feeds(svc)
    async with FeedServer() as site:
        site.items.append(("old.docx", "去年的简报", docx(SAFETY)))
        feed = FeedSettings(url=f"{site.base}/rss.xml")
        assert await poll_feed(app.bot, svc, feed) == 0  # baseline: old items are not pushed
        assert office_texts(emulator) == []
        assert await poll_feed(app.bot, svc, feed) == 0
        assert site.conditional_hits == 1  # answered 304 thanks to the stored ETag
        site.items.append(("rural-5.docx", "乡村振兴工作简报第5期", docx(RURAL)))
        assert await poll_feed(app.bot, svc, feed) == 1
        texts = office_texts(emulator)
        assert texts[0].startswith("📝 <b>预览</b>（来源：订阅：乡村振兴工作简报第5期）")
        assert await poll_feed(app.bot, svc, feed) == 0 and site.conditional_hits == 2
        # the same content published under another address is recognised
        site.items.append(("copy.docx", "转载", docx(RURAL)))
        assert await poll_feed(app.bot, svc, feed) == 1
        assert svc.store.drafts.get(2) is None  # no second draft for the same content
        assert len([t for t in office_texts(emulator) if t.startswith("📝")]) == 1
        assert "仍在等待确认" in office_texts(emulator)[-1]


async def test_feed_item_that_cannot_be_read_is_recorded_and_not_retried(app, emulator):
    svc = services_of(app)
    allow_local_feeds(svc)
    async with FeedServer() as site:
        feed = FeedSettings(url=f"{site.base}/rss.xml", backfill=True)
        site.items.append(("broken.pdf", "损坏的文件", b"%PDF-1.4 broken"))
        assert await poll_feed(app.bot, svc, feed) == 1
        assert (
            svc.store.feeds.unseen(
                feed.url,
                parse_listing(
                    (await svc.http.get(feed.url)).content, feed.url, "application/rss+xml"
                ),
            )
            == []
        )
        assert office_texts(emulator) == []


async def test_feed_server_down_is_quiet(app, emulator):
    svc = services_of(app)
    allow_local_feeds(svc)
    assert await poll_feed(app.bot, svc, FeedSettings(url="http://127.0.0.1:9/rss.xml")) == 0
    assert office_texts(emulator) == []


@pytest.mark.parametrize(
    ("page", "links"),
    [
        (
            b'<html><body><a href="/jb/2026-3.pdf">\xe8\x90\xa5\xe5\x95\x86\xe7\x8e\xaf\xe5\xa2\x83\xe7\xae\x80\xe6\x8a\xa5\xe7\xac\xac3\xe6\x9c\x9f</a>'
            b'<a href="/about.html">\xe5\x85\xb3\xe4\xba\x8e</a><a href="javascript:;">x</a></body></html>',
            ["http://gov.example/jb/2026-3.pdf"],
        ),
    ],
)
def test_listing_pages_yield_briefing_links(page, links):
    items = parse_listing(page, "http://gov.example/list/index.html", "text/html")
    assert [i.link for i in items] == links
