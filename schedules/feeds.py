"""HTTP feeds: each configured feed is polled on its own schedule with a conditional GET.

On the first successful poll the items already listed are recorded, not pushed (unless the feed
says ``backfill: true``): a new feed must not flood the units with last year's briefings.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from telegram import Bot
from telegram.ext import Application, ContextTypes

from briefbot.briefing import UnreadableDocument
from briefbot.feeds import FeedItem, parse_listing
from briefbot.publishing import parse_file
from briefbot.render import MessageTooLong
from briefbot.runtime import Services
from briefbot.settings import FeedSettings, Settings
from handlers.context import services
from handlers.previews import offer

log = logging.getLogger(__name__)


class TooLarge(Exception):
    pass


async def _fetch(http: httpx.AsyncClient, url: str, limit: int, seconds: float) -> bytes:
    async with http.stream("GET", url, timeout=seconds, follow_redirects=True) as response:
        response.raise_for_status()
        chunks = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise TooLarge(url)
            chunks.append(chunk)
    return b"".join(chunks)


async def _take_item(bot: Bot, svc: Services, feed: FeedSettings, item: FeedItem) -> None:
    assert svc.http is not None
    sources = svc.settings.sources
    repo = svc.store.feeds
    try:
        data = await _fetch(
            svc.http, item.link, sources.max_bytes, sources.fetch_timeout.total_seconds()
        )
        name = item.link.rsplit("/", 1)[-1] or item.title or "feed"
        parsed = parse_file(data, name)
        await offer(
            bot, svc, parsed, f"订阅：{item.title or name}", auto_publish=sources.auto_publish
        )
    except (httpx.HTTPError, TooLarge) as exc:
        log.warning("feed item %s could not be fetched: %r", item.link, exc)
        return  # not marked: tried again on the next poll
    except (UnreadableDocument, MessageTooLong) as exc:
        repo.mark(feed.url, item, "failed", svc.now(), str(exc))
        log.warning("feed item %s refused: %s", item.link, exc)
        return
    repo.mark(feed.url, item, "fetched", svc.now())


async def poll_feed(bot: Bot, svc: Services, feed: FeedSettings) -> int:
    """One poll. Returns how many new items were taken."""
    assert svc.http is not None
    repo = svc.store.feeds
    state = repo.state(feed.url)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        response = await svc.http.get(
            feed.url,
            headers=headers,
            timeout=svc.settings.sources.fetch_timeout.total_seconds(),
            follow_redirects=True,
        )
    except httpx.HTTPError as exc:
        log.warning("feed %s unreachable: %r", feed.url, exc)
        return 0
    if response.status_code == 304:
        repo.touched(feed.url, svc.now())
        return 0
    if response.status_code >= 400:
        log.warning("feed %s answered %s", feed.url, response.status_code)
        return 0
    items = parse_listing(
        response.content, str(response.url), response.headers.get("content-type", "")
    )
    new = repo.unseen(feed.url, items)
    etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
    if not state.baseline_done and not feed.backfill:
        for item in new:
            repo.mark(feed.url, item, "baseline", svc.now())
        repo.save_state(feed.url, etag, modified, svc.now(), baseline_done=True)
        log.info("feed %s: %d existing items recorded as baseline", feed.url, len(new))
        return 0
    for item in new:
        await _take_item(bot, svc, feed, item)
    repo.save_state(feed.url, etag, modified, svc.now(), baseline_done=True)
    return len(new)


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
