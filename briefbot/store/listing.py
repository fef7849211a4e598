"""Recent notices as a list (/notices): newest first, filtered by a keyword or by a unit, with
their acknowledgement counts, one page at a time, in three queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select

from briefbot.store.schema import acks, notices, outbox


@dataclass(frozen=True)
class NoticeLine:
    id: int
    title: str
    issue: str | None
    published_at: datetime
    received: int  # units the notice was delivered to
    acked: int
    superseded_by: int | None  # the correction that replaced it
    correction_of: int | None
    unit_acked_at: datetime | None = None  # for one unit's list: when it acknowledged

    @property
    def label(self) -> str:
        return f"{self.title}{(' ' + self.issue) if self.issue else ''}"


@dataclass(frozen=True)
class NoticePage:
    lines: list[NoticeLine]
    page: int  # 0-based
    pages: int
    total: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ListingRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def page(
        self, *, keyword: str = "", unit_code: str | None = None, page: int = 0, size: int = 8
    ) -> NoticePage:
        """Notices newest first. ``keyword`` matches the title or issue; ``unit_code`` keeps the
        notices delivered to that unit."""
        where = []
        if keyword:
            pattern = f"%{_escape_like(keyword)}%"
            where.append(
                or_(
                    notices.c.title.like(pattern, escape="\\"),
                    notices.c.issue.like(pattern, escape="\\"),
                )
            )
        if unit_code is not None:
            where.append(
                notices.c.id.in_(
                    select(outbox.c.notice_id).where(
                        outbox.c.kind == "notice",
                        outbox.c.unit_code == unit_code,
                        outbox.c.state == "sent",
                    )
                )
            )
        with self._engine.connect() as conn:
            total = int(
                conn.execute(select(func.count()).select_from(notices).where(*where)).scalar() or 0
            )
            pages = max(1, -(-total // size))
            page = min(max(page, 0), pages - 1)
            rows = conn.execute(
                select(
                    notices.c.id,
                    notices.c.title,
                    notices.c.issue,
                    notices.c.published_at,
                    notices.c.correction_of,
                )
                .where(*where)
                .order_by(notices.c.id.desc())
                .limit(size)
                .offset(page * size)
            ).all()
            ids = [r.id for r in rows]
            received: dict[int, int] = dict(
                conn.execute(
                    select(outbox.c.notice_id, func.count())
                    .where(
                        outbox.c.notice_id.in_(ids),
                        outbox.c.kind == "notice",
                        outbox.c.state == "sent",
                    )
                    .group_by(outbox.c.notice_id)
                ).all()
            )
            acked: dict[int, int] = dict(
                conn.execute(
                    select(acks.c.notice_id, func.count())
                    .where(acks.c.notice_id.in_(ids))
                    .group_by(acks.c.notice_id)
                ).all()
            )
            newer = dict(
                conn.execute(
                    select(notices.c.correction_of, func.max(notices.c.id))
                    .where(notices.c.correction_of.in_(ids))
                    .group_by(notices.c.correction_of)
                ).all()
            )
            mine: dict[int, datetime] = {}
            if unit_code is not None:
                mine = dict(
                    conn.execute(
                        select(acks.c.notice_id, acks.c.acked_at).where(
                            and_(acks.c.notice_id.in_(ids), acks.c.unit_code == unit_code)
                        )
                    ).all()
                )
        lines = [
            NoticeLine(
                r.id,
                r.title,
                r.issue,
                r.published_at,
                int(received.get(r.id, 0)),
                int(acked.get(r.id, 0)),
                newer.get(r.id),
                r.correction_of,
                mine.get(r.id),
            )
            for r in rows
        ]
        return NoticePage(lines, page, pages, total)
