"""Push progress: which notices are being pushed, and the office message that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update

from briefbot.store.schema import notices, outbox, push_progress


@dataclass(frozen=True)
class PushCounts:
    sent: int
    failed: int
    unreachable: int
    remaining: int
    first_sent_at: datetime | None
    last_sent_at: datetime | None = None

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.unreachable + self.remaining


@dataclass(frozen=True)
class Progress:
    notice_id: int
    message_id: int | None
    finished: bool
    last_text: str | None


class ProgressRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def active_notices(self) -> list[int]:
        """Notices whose push is not yet reported as finished (newest pushes first)."""
        with self._engine.connect() as conn:
            finished = select(push_progress.c.notice_id).where(
                push_progress.c.finished_at.is_not(None)
            )
            return list(
                conn.execute(
                    select(notices.c.id)
                    .where(notices.c.id.not_in(finished))
                    .where(
                        select(outbox.c.id)
                        .where(outbox.c.notice_id == notices.c.id, outbox.c.kind == "notice")
                        .exists()
                    )
                    .order_by(notices.c.id)
                ).scalars()
            )

    def board_notices(self, since: datetime) -> list[int]:
        """Pushed notices published since ``since`` whose office message is on the board."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(push_progress.c.notice_id)
                    .join(notices, notices.c.id == push_progress.c.notice_id)
                    .where(
                        push_progress.c.finished_at.is_not(None),
                        push_progress.c.message_id.is_not(None),
                        notices.c.published_at >= since,
                    )
                    .order_by(push_progress.c.notice_id)
                ).scalars()
            )

    def counts(self, notice_id: int) -> PushCounts:
        with self._engine.connect() as conn:
            rows: dict[str, int] = dict(
                conn.execute(
                    select(outbox.c.state, func.count())
                    .where(outbox.c.notice_id == notice_id, outbox.c.kind == "notice")
                    .group_by(outbox.c.state)
                ).all()
            )
            first, last = conn.execute(
                select(func.min(outbox.c.sent_at), func.max(outbox.c.sent_at)).where(
                    outbox.c.notice_id == notice_id, outbox.c.kind == "notice"
                )
            ).one()
        return PushCounts(
            sent=rows.get("sent", 0),
            failed=rows.get("failed", 0),
            unreachable=rows.get("unreachable", 0),
            remaining=rows.get("pending", 0) + rows.get("sending", 0),
            first_sent_at=first,
            last_sent_at=last,
        )

    def get(self, notice_id: int) -> Progress | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(push_progress).where(push_progress.c.notice_id == notice_id)
            ).first()
        if row is None:
            return None
        return Progress(
            row.notice_id,
            row.message_id,
            row.finished_at is not None,
            row.last_text,
        )

    def start(self, notice_id: int, chat_id: int, now: datetime) -> None:
        with self._engine.begin() as conn:
            if (
                conn.execute(
                    select(push_progress.c.notice_id).where(push_progress.c.notice_id == notice_id)
                ).first()
                is None
            ):
                conn.execute(
                    insert(push_progress).values(
                        notice_id=notice_id, chat_id=chat_id, started_at=now
                    )
                )

    def shown(
        self, notice_id: int, message_id: int, text: str, finished_at: datetime | None = None
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(push_progress)
                .where(push_progress.c.notice_id == notice_id)
                .values(message_id=message_id, last_text=text, finished_at=finished_at)
            )
