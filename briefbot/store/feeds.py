"""Feed state: conditional-request validators and the items already seen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from briefbot.feeds import FeedItem
from briefbot.store.schema import feed_items, feed_state


@dataclass(frozen=True)
class FeedState:
    etag: str | None
    last_modified: str | None
    baseline_done: bool


class FeedRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def state(self, url: str) -> FeedState:
        with self._engine.connect() as conn:
            row = conn.execute(select(feed_state).where(feed_state.c.url == url)).first()
        if row is None:
            return FeedState(None, None, False)
        return FeedState(row.etag, row.last_modified, bool(row.baseline_done))

    def save_state(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        now: datetime,
        baseline_done: bool,
    ) -> None:
        values = {
            "etag": etag,
            "last_modified": last_modified,
            "checked_at": now,
            "baseline_done": baseline_done,
        }
        with self._engine.begin() as conn:
            if conn.execute(select(feed_state.c.url).where(feed_state.c.url == url)).first():
                conn.execute(update(feed_state).where(feed_state.c.url == url).values(**values))
            else:
                conn.execute(insert(feed_state).values(url=url, **values))

    def touched(self, url: str, now: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(feed_state).where(feed_state.c.url == url).values(checked_at=now))

    def unseen(self, url: str, items: Iterable[FeedItem]) -> list[FeedItem]:
        with self._engine.connect() as conn:
            seen = set(
                conn.execute(
                    select(feed_items.c.item_key).where(feed_items.c.feed_url == url)
                ).scalars()
            )
        return [i for i in items if i.key not in seen]

    def mark(
        self, url: str, item: FeedItem, status: str, now: datetime, note: str | None = None
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(feed_items).values(
                    feed_url=url,
                    item_key=item.key,
                    link=item.link,
                    status=status,
                    note=note,
                    seen_at=now,
                )
            )
