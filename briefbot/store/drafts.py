"""Drafts: parsed briefings waiting for the office to press 发布 or 取消."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from briefbot.ledger import NoticeKind
from briefbot.store.notices import NewNotice
from briefbot.store.schema import drafts


@dataclass(frozen=True)
class DraftEdit:
    """The office's replacement for the parsed message: Telegram HTML, validated."""

    html: str
    by: int  # Telegram user id
    by_name: str
    at: datetime


@dataclass(frozen=True)
class Draft:
    id: int
    notice: NewNotice  # as parsed: the parsed version is kept even after an edit
    source: str
    state: str
    notice_id: int | None
    edit: DraftEdit | None = None
    edit_prompt_id: int | None = None  # the open 编辑 prompt (a message in the office chat)
    edit_preview_id: int | None = None  # the preview message 编辑 was pressed on

    @property
    def parts(self) -> tuple[str, ...]:
        """What units would receive now: the edited text if there is one, else the parse."""
        return (self.edit.html,) if self.edit is not None else self.notice.parts


def _encode(notice: NewNotice) -> str:
    data = asdict(notice)
    data["kind"] = notice.kind.value
    data["ack_within"] = notice.ack_within.total_seconds()
    return json.dumps(data, ensure_ascii=False)


def _decode(text: str) -> NewNotice:
    data = json.loads(text)
    data["kind"] = NoticeKind(data["kind"])
    data["ack_within"] = timedelta(seconds=data["ack_within"])
    data["parts"] = tuple(data["parts"])
    return NewNotice(**data)


class DraftRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open_for(self, content_hash: str) -> Draft | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(drafts).where(
                    drafts.c.content_hash == content_hash, drafts.c.state == "open"
                )
            ).first()
        return None if row is None else self._draft(row)

    def create(self, notice: NewNotice, source: str, now: datetime) -> Draft:
        """A new open draft, or the open one that already holds the same content."""
        existing = self.open_for(notice.content_hash)
        if existing is not None:
            return existing
        with self._engine.begin() as conn:
            inserted = conn.execute(
                insert(drafts).values(
                    content_hash=notice.content_hash,
                    source=source,
                    original_hash=notice.original_hash,
                    briefing_json=notice.briefing_json,
                    notice_json=_encode(notice),
                    correction_of=notice.correction_of,
                    state="open",
                    created_at=now,
                )
            ).inserted_primary_key
        assert inserted is not None
        return Draft(int(inserted[0]), notice, source, "open", None)

    def get(self, draft_id: int) -> Draft | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
        return None if row is None else self._draft(row)

    def decide(self, draft_id: int, state: str, by: int, notice_id: int | None = None) -> bool:
        """Close an open draft; False if it was already decided (a second press)."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(drafts)
                .where(drafts.c.id == draft_id, drafts.c.state == "open")
                .values(state=state, decided_by=by, notice_id=notice_id)
            )
        return result.rowcount == 1

    def ask_edit(self, draft_id: int, prompt_id: int, preview_id: int) -> bool:
        """Remember the 编辑 prompt just sent for an open draft (replacing an older one)."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(drafts)
                .where(drafts.c.id == draft_id, drafts.c.state == "open")
                .values(edit_prompt_id=prompt_id, edit_preview_id=preview_id)
            )
        return result.rowcount == 1

    def by_prompt(self, prompt_id: int) -> Draft | None:
        """The draft whose current 编辑 prompt is this office-chat message (any state)."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(drafts)
                .where(drafts.c.edit_prompt_id == prompt_id)
                .order_by(drafts.c.id.desc())
            ).first()
        return None if row is None else self._draft(row)

    def record_edit(self, draft_id: int, html: str, by: int, by_name: str, now: datetime) -> bool:
        """Store the replacement of an open draft and close its prompt; False if the draft was
        decided meanwhile. The parsed version stays in ``notice_json``."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(drafts)
                .where(drafts.c.id == draft_id, drafts.c.state == "open")
                .values(
                    edited_html=html,
                    edited_by=by,
                    edited_by_name=by_name,
                    edited_at=now,
                    edit_prompt_id=None,
                    edit_preview_id=None,
                )
            )
        return result.rowcount == 1

    @staticmethod
    def _draft(row: Any) -> Draft:
        edit = None
        if row.edited_html is not None:
            edit = DraftEdit(
                row.edited_html, row.edited_by, row.edited_by_name or "", row.edited_at
            )
        return Draft(
            row.id,
            _decode(row.notice_json),
            row.source,
            row.state,
            row.notice_id,
            edit,
            row.edit_prompt_id,
            row.edit_preview_id,
        )
