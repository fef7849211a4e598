"""Tables of the ledger. The database is the single source of truth for every job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    PostgreSQL stores ``timestamp with time zone`` (an instant: it compares and sorts the same
    whatever the session's TimeZone); SQLite keeps no zone, so the value is stored as naive UTC
    and its text sorts in time order. Either way a naive datetime is refused.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware datetime")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:  # SQLite, or a column not yet migrated to timestamptz
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On SQLite, the stored text straight to an aware datetime (``fromisoformat`` in C):
        a report over 100 000 deliveries reads 200 000 of them, and SQLAlchemy's own parsing
        followed by ``process_result_value`` cost as much as the rest of the read."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return general

        def parse(value: Any) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, str):
                try:  # naive UTC text: read as UTC in one step
                    return datetime.fromisoformat(value + "+00:00")
                except ValueError:
                    pass
            parsed = general(value) if general is not None else value
            return self.process_result_value(parsed, dialect)

        return parse


metadata = MetaData()

units = Table(
    "units",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("grp", String(100), nullable=False, server_default=""),
    Column("chat_id", BigInteger, nullable=True, index=True),  # None: not bound to a group yet
    Column("liaisons", Text, nullable=False, server_default="[]"),
    Column("active", Boolean, nullable=False, server_default="1"),
)

notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("issue", String(100), nullable=True),
    Column("briefing_date", String(10), nullable=True),
    Column("issuer", Text, nullable=True),
    Column("kind", String(20), nullable=False),  # directive | routine
    Column("html", Text, nullable=False),
    Column("source", Text, nullable=False, server_default=""),
    Column("briefing_json", Text, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("ack_within_s", Integer, nullable=False),
    Column("original_hash", String(64), ForeignKey("originals.sha256"), nullable=True),
    Column("correction_of", Integer, ForeignKey("notices.id"), nullable=True),
    # what units received: the parsed summary, the office's edited text, or the original file
    # under a generic header (parsed | edited | original); who changed it from the parse, and when
    Column("body", String(12), nullable=False, server_default="parsed"),
    Column("changed_by", BigInteger, nullable=True),
    Column("changed_by_name", Text, nullable=True),
    Column("changed_at", UTCDateTime, nullable=True),
)
Index("ix_notices_title_issue", notices.c.title, notices.c.issue)

# The outbox: every message the bot owes Telegram. A row moves
# pending -> sending -> sent | failed | unreachable; the "sending" mark is committed before the
# request goes out, so after a crash the only rows that may be sent twice are those in flight.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # notice | notice_part | reminder | escalation | original | alert
    Column("kind", String(20), nullable=False),
    Column("notice_id", Integer, ForeignKey("notices.id"), nullable=False),
    Column("unit_code", String(40), nullable=False),  # "" for messages to the office
    Column("step", Integer, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("text", Text, nullable=True),  # None: the notice's own html
    Column("with_button", Boolean, nullable=False, server_default="0"),
    Column("priority", Integer, nullable=False, server_default="10"),
    Column("state", String(12), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("first_try_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("message_id", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    # a continuation part waits until the part before it is sent, so parts arrive in order
    Column("after_id", Integer, ForeignKey("outbox.id"), nullable=True),
    # the replica (see ``replicas``) that marked the row "sending", so that only the rows of a
    # replica whose lease has expired are put back to pending by another (0011)
    Column("claimed_by", String(80), nullable=True),
    UniqueConstraint("kind", "notice_id", "unit_code", "step", name="uq_outbox_step"),
)
Index("ix_outbox_due", outbox.c.state, outbox.c.priority, outbox.c.id)
Index("ix_outbox_message", outbox.c.chat_id, outbox.c.message_id)
# what an acknowledgement reads: a unit's pending notices, its latest, its reminders (0012)
Index("ix_outbox_unit", outbox.c.unit_code, outbox.c.kind, outbox.c.state, outbox.c.notice_id)

acks = Table(
    "acks",
    metadata,
    Column("notice_id", Integer, ForeignKey("notices.id"), primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("user_name", Text, nullable=False, server_default=""),
    Column("via", String(12), nullable=False),  # command | reply | button | typed (a "收到")
    Column("acked_at", UTCDateTime, nullable=False),
    Column("comment", Text, nullable=True),  # "/ack 已转分管领导阅处"
)

# which units were escalated to the office for a notice, and by which office message
escalations = Table(
    "escalations",
    metadata,
    Column("notice_id", Integer, ForeignKey("notices.id"), primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id"), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
)

# the files briefings arrived as, to send on request ("原文")
originals = Table(
    "originals",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("mime_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
)

# a parsed briefing waiting for the office's 发布/取消
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False),
    Column("source", Text, nullable=False),  # upload | inbox | feed, and the name
    Column("original_hash", String(64), ForeignKey("originals.sha256"), nullable=True),
    Column("briefing_json", Text, nullable=False),
    Column("notice_json", Text, nullable=False),  # the NewNotice to publish, as JSON
    Column("correction_of", Integer, ForeignKey("notices.id"), nullable=True),
    Column("state", String(12), nullable=False, server_default="open"),  # open|published|cancelled
    Column("notice_id", Integer, ForeignKey("notices.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_by", BigInteger, nullable=True),
    # the office's replacement for the parsed message (编辑); the parsed one stays in notice_json
    Column("edited_html", Text, nullable=True),
    Column("edited_by", BigInteger, nullable=True),
    Column("edited_by_name", Text, nullable=True),
    Column("edited_at", UTCDateTime, nullable=True),
    # the open 编辑 prompt in the office chat and the preview it was asked from
    Column("edit_prompt_id", BigInteger, nullable=True),
    Column("edit_preview_id", BigInteger, nullable=True),
)

# HTTP feeds: conditional-request validators and the items already seen
feed_state = Table(
    "feed_state",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("checked_at", UTCDateTime, nullable=True),
    Column("baseline_done", Boolean, nullable=False, server_default="0"),
)

feed_items = Table(
    "feed_items",
    metadata,
    Column("feed_url", Text, primary_key=True),
    Column("item_key", Text, primary_key=True),
    Column("link", Text, nullable=False),
    Column("status", String(20), nullable=False),  # baseline | fetched | failed
    Column("note", Text, nullable=True),
    Column("seen_at", UTCDateTime, nullable=False),
)

# one office message per push, edited in place while the push runs (derived from the outbox)
push_progress = Table(
    "push_progress",
    metadata,
    Column("notice_id", Integer, ForeignKey("notices.id"), primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("last_text", Text, nullable=True),
)

# one-time codes that bind a unit's group: /invite CODE in the office, /subscribe CODE in the group
invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(40), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("used_chat_id", BigInteger, nullable=True),
)

# 落实反馈: a unit's written report on how it carried out a notice; the office accepts or returns it
feedbacks = Table(
    "feedbacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notice_id", Integer, ForeignKey("notices.id"), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("submitted_by", BigInteger, nullable=False),
    Column("submitted_name", Text, nullable=False, server_default=""),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("state", String(12), nullable=False),  # submitted | accepted | returned
    Column("reviewed_by", BigInteger, nullable=True),
    Column("reviewed_at", UTCDateTime, nullable=True),
    # 退回: the office's reason, and its prompt message whose reply is the reason (0008)
    Column("return_reason", Text, nullable=True),
    Column("reason_prompt_id", BigInteger, nullable=True),
    UniqueConstraint("notice_id", "unit_code", name="uq_feedback_unit"),
)

# people the bot has seen, by Telegram user id: their name as Telegram shows it (for @mentions of
# liaisons and the office's lists), and whether they have opened a private chat with the bot
# (only then can it write to them: a leader who never pressed /start cannot be told anything)
people = Table(
    "people",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("name", Text, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("private_since", UTCDateTime, nullable=True),
)

# bot processes running on this store (PostgreSQL; SQLite has one): each renews ``seen_at`` every
# few seconds; one silent for longer than its lease is dead, and the outbox rows it left
# "sending" go back to pending (0011)
replicas = Table(
    "replicas",
    metadata,
    Column("id", String(80), primary_key=True),  # host:pid:random, new for every start
    Column("started_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

# Telegram updates taken by a replica, by the bot's and the update's id: the same update given
# twice (a webhook delivery retried to another replica, a poller's handover) is handled once;
# one taken by a replica that died before finishing it may be taken again (0011)
handled_updates = Table(
    "handled_updates",
    metadata,
    Column("bot_id", BigInteger, primary_key=True, autoincrement=False),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("owner", String(80), nullable=False),
    Column("taken_at", UTCDateTime, nullable=False, index=True),
    Column("done_at", UTCDateTime, nullable=True),
)
