"""People the bot has seen: names for @mentions, and who has a private chat with the bot."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from briefbot.store.schema import acks, people


class PeopleRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def seen(self, user_id: int, name: str, now: datetime, private: bool = False) -> None:
        """Remember a person's current Telegram name (and that they opened a private chat)."""
        name = name.strip()[:128] or str(user_id)
        changes: dict[str, object] = {"name": name, "seen_at": now}
        if private:
            changes["private_since"] = now
        with self._engine.begin() as conn:
            done = conn.execute(
                update(people).where(people.c.user_id == user_id).values(**changes)
            ).rowcount
            if not done:
                conn.execute(insert(people).values(user_id=user_id, **changes))

    def names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """Known names of these people: as last seen, else as they signed an acknowledgement."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        with self._engine.connect() as conn:
            found = {
                r.user_id: r.name
                for r in conn.execute(
                    select(people.c.user_id, people.c.name).where(people.c.user_id.in_(wanted))
                )
            }
            missing = [u for u in wanted if u not in found]
            if missing:
                rows = conn.execute(
                    select(acks.c.user_id, acks.c.user_name)
                    .where(acks.c.user_id.in_(missing), acks.c.user_name != "")
                    .order_by(acks.c.acked_at)
                )
                for r in rows:
                    found[r.user_id] = r.user_name  # the latest wins
        return found

    def has_private_chat(self, user_id: int) -> bool:
        with self._engine.connect() as conn:
            return (
                conn.execute(
                    select(people.c.private_since).where(people.c.user_id == user_id)
                ).scalar()
                is not None
            )
