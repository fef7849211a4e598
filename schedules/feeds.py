"""HTTP feeds: each configured feed is polled on its own schedule with a conditional GET.

On the first successful poll the items already listed are recorded, not pushed (unless the feed
says ``backfill: true``): a new feed must not flood the units with last year's briefings.
The feed's state is read and written in a worker thread (``offloop``), never on the loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
from telegram import Bot
from telegram.ext import Application, ContextTypes

from briefbot.briefing import UnreadableDocument
from briefbot.documents import parse_document
from briefbot.feeds import FeedItem, UnsafeUrl, check_url, parse_listing
from briefbot.offloop import offloop
from briefbot.render import MessageTooLong
from briefbot.runtime import Services
from briefbot.settings import FeedSettings, Settings
from handlers.context import services
from handlers.previews import offer

log = logging.getLogger(__name__)


MAX_REDIRECTS = 5


class TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Fetched:
    status: int
    url: str
    headers: httpx.Headers
    content: bytes


async def fetch(
    http: httpx.AsyncClient,
    url: str,
    *,
    limit: int,
    seconds: float,
    allow_private: bool,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """GET with a size cap, following redirects by hand so that every hop's address is checked
    (``check_url``: http(s) only, no loopback or private addresses unless allowed).

    Raises ``UnsafeUrl``, ``TooLarge`` or ``httpx.HTTPError``; a 4xx/5xx is returned."""
    for _ in range(MAX_REDIRECTS + 1):
        await check_url(url, allow_private=allow_private)
        async with http.stream(
            "GET", url, headers=headers, timeout=seconds, follow_redirects=False
        ) as response:
            if response.is_redirect and "location" in response.headers:
                url = urljoin(str(response.url), response.headers["location"])
                continue
            declared = response.headers.get("content-length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise TooLarge(url)
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(url)
                chunks.append(chunk)
            return Fetched(
                response.status_code, str(response.url), response.headers, b"".join(chunks)
            )
    raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects from {url}")


async def _take_item(bot: Bot, svc: Services, feed: FeedSettings, item: FeedItem) -> None:
    assert svc.http is not None
    sources = svc.settings.sources
    repo = svc.store.feeds
    try:
        fetched = await fetch(
            svc.http,
            item.link,
            limit=sources.max_bytes,
            seconds=sources.fetch_timeout.total_seconds(),
            allow_private=sources.allow_private_feeds,
        )
        if fetched.status >= 400:
            log.warning("feed item %s answered %s", item.link, fetched.status)
            return  # not marked: tried again on the next poll
        name = item.link.rsplit("/", 1)[-1] or item.title or "feed"
        parsed = await parse_document(fetched.content, name, svc.settings.documents.limits())
        await offer(
            bot, svc, parsed, f"订阅：{item.title or name}", auto_publish=sources.auto_publish
        )
    except (httpx.HTTPError, TooLarge) as exc:
        log.warning("feed item %s could not be fetched: %r", item.link, exc)
        return  # not marked: tried again on the next poll
    except UnsafeUrl as exc:
        await offloop(repo.mark, feed.url, item, "failed", svc.now(), str(exc))
        log.warning("feed item %s refused: %s", item.link, exc)
        return
    except (UnreadableDocument, MessageTooLong) as exc:
        await offloop(repo.mark, feed.url, item, "failed", svc.now(), str(exc))
        log.warning("feed item %s refused: %s", item.link, exc)
        return
    await offloop(repo.mark, feed.url, item, "fetched", svc.now())


async def poll_feed(bot: Bot, svc: Services, feed: FeedSettings) -> int:
    """One poll. Returns how many new items were taken."""
    assert svc.http is not None
    sources = svc.settings.sources
    repo = svc.store.feeds
    state = await offloop(repo.state, feed.url)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        response = await fetch(
            svc.http,
            feed.url,
            limit=sources.max_listing_bytes,
            seconds=sources.fetch_timeout.total_seconds(),
            allow_private=sources.allow_private_feeds,
            headers=headers,
        )
    except UnsafeUrl as exc:
        log.warning("feed %s refused: %s", feed.url, exc)
        return 0
    except TooLarge:
        log.warning(
            "feed %s refused: its listing exceeds sources.max_listing_bytes (%d bytes)",
            feed.url,
            sources.max_listing_bytes,
        )
        return 0
    except httpx.HTTPError as exc:
        log.warning("feed %s unreachable: %r", feed.url, exc)
        return 0
    if response.status == 304:
        await offloop(repo.touched, feed.url, svc.now())
        return 0
    if response.status >= 400:
        log.warning("feed %s answered %s", feed.url, response.status)
        return 0
    items = await offloop(
        parse_listing, response.content, response.url, response.headers.get("content-type", "")
    )
    new = await offloop(repo.unseen, feed.url, items)
    etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
    if not state.baseline_done and not feed.backfill:
        await offloop(_baseline, svc, feed.url, new)
        await offloop(repo.save_state, feed.url, etag, modified, svc.now(), baseline_done=True)
        log.info("feed %s: %d existing items recorded as baseline", feed.url, len(new))
        return 0
    for item in new:
        await _take_item(bot, svc, feed, item)
    await offloop(repo.save_state, feed.url, etag, modified, svc.now(), baseline_done=True)
    return len(new)


def _baseline(svc: Services, url: str, items: list[FeedItem]) -> None:
    for item in items:
        svc.store.feeds.mark(url, item, "baseline", svc.now())


async def feed_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, FeedSettings)
    await poll_feed(context.bot, services(context), job.data)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    for feed in settings.sources.feeds:
        app.job_queue.run_repeating(
            feed_job, interval=feed.every, first=5, name=f"feed:{feed.url}", data=feed
        )
