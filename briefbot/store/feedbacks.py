"""落实反馈: one written report per (notice, unit). A returned one may be submitted again; an
accepted one is final."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, insert, select, update

from briefbot.store.schema import feedbacks


class FeedbackState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


FEEDBACK_WORDS = {
    FeedbackState.SUBMITTED: "已提交待审",
    FeedbackState.ACCEPTED: "已采纳",
    FeedbackState.RETURNED: "已退回",
}


@dataclass(frozen=True)
class Feedback:
    id: int
    notice_id: int
    unit_code: str
    text: str
    submitted_name: str
    submitted_at: datetime
    state: FeedbackState
    return_reason: str | None = None


class FeedbackRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def submit(
        self, notice_id: int, unit_code: str, text: str, user_id: int, user_name: str, now: datetime
    ) -> Feedback | None:
        """Record (or, after a return, replace) the unit's feedback; None if already accepted."""
        with self._engine.begin() as conn:
            row = conn.execute(
                select(feedbacks).where(
                    feedbacks.c.notice_id == notice_id, feedbacks.c.unit_code == unit_code
                )
            ).first()
            values = {
                "text": text,
                "submitted_by": user_id,
                "submitted_name": user_name,
                "submitted_at": now,
                "state": FeedbackState.SUBMITTED.value,
                "reviewed_by": None,
                "reviewed_at": None,
                "return_reason": None,
                "reason_prompt_id": None,
            }
            if row is None:
                conn.execute(
                    insert(feedbacks).values(notice_id=notice_id, unit_code=unit_code, **values)
                )
            elif row.state == FeedbackState.ACCEPTED:
                return None
            else:
                conn.execute(update(feedbacks).where(feedbacks.c.id == row.id).values(**values))
        return self.get_for(notice_id, unit_code)

    def review(self, feedback_id: int, accept: bool, by: int, now: datetime) -> Feedback | None:
        """Accept or return a submitted feedback; None if it is no longer waiting for review."""
        state = FeedbackState.ACCEPTED if accept else FeedbackState.RETURNED
        with self._engine.begin() as conn:
            done = conn.execute(
                update(feedbacks)
                .where(
                    feedbacks.c.id == feedback_id,
                    feedbacks.c.state == FeedbackState.SUBMITTED.value,
                )
                .values(state=state.value, reviewed_by=by, reviewed_at=now)
            ).rowcount
        return self.get(feedback_id) if done else None

    def ask_reason(self, feedback_id: int, prompt_id: int) -> None:
        """Remember the office's prompt for the reason of a return: its reply is the reason."""
        with self._engine.begin() as conn:
            conn.execute(
                update(feedbacks)
                .where(feedbacks.c.id == feedback_id)
                .values(reason_prompt_id=prompt_id)
            )

    def give_reason(self, prompt_id: int, reason: str) -> Feedback | None:
        """The reply to a reason prompt: record it on the returned feedback, once; None if the
        message is no such prompt (or the reason was given, or the unit has resubmitted)."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(feedbacks)
                .where(
                    feedbacks.c.reason_prompt_id == prompt_id,
                    feedbacks.c.state == FeedbackState.RETURNED.value,
                    feedbacks.c.return_reason.is_(None),
                )
                .values(return_reason=reason)
            ).rowcount
            if not done:
                return None
            row = conn.execute(
                select(feedbacks).where(feedbacks.c.reason_prompt_id == prompt_id)
            ).first()
        return None if row is None else _feedback(row)

    def get(self, feedback_id: int) -> Feedback | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(feedbacks).where(feedbacks.c.id == feedback_id)).first()
        return None if row is None else _feedback(row)

    def get_for(self, notice_id: int, unit_code: str) -> Feedback | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(feedbacks).where(
                    feedbacks.c.notice_id == notice_id, feedbacks.c.unit_code == unit_code
                )
            ).first()
        return None if row is None else _feedback(row)

    def states(self, notice_id: int) -> dict[str, FeedbackState]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(feedbacks.c.unit_code, feedbacks.c.state).where(
                    feedbacks.c.notice_id == notice_id
                )
            ).all()
        return {r.unit_code: FeedbackState(r.state) for r in rows}


def _feedback(row: Any) -> Feedback:
    return Feedback(
        row.id,
        row.notice_id,
        row.unit_code,
        row.text,
        row.submitted_name,
        row.submitted_at,
        FeedbackState(row.state),
        row.return_reason,
    )
