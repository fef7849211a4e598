"""The ledger store: one engine, one repository per concern."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from briefbot.store.acks import AckRepo
from briefbot.store.database import make_engine, migrate
from briefbot.store.drafts import DraftRepo
from briefbot.store.feedbacks import FeedbackRepo, FeedbackState
from briefbot.store.feeds import FeedRepo
from briefbot.store.ledger import LedgerRepo
from briefbot.store.listing import ListingRepo
from briefbot.store.notices import NoticeRepo
from briefbot.store.originals import OriginalRepo
from briefbot.store.outbox import OutboxRepo
from briefbot.store.people import PeopleRepo
from briefbot.store.progress import ProgressRepo
from briefbot.store.replicas import ReplicaRepo, new_replica_id
from briefbot.store.roster import RosterRepo


@dataclass(frozen=True)
class Store:
    engine: Engine
    notices: NoticeRepo
    outbox: OutboxRepo
    acks: AckRepo
    ledger: LedgerRepo
    originals: OriginalRepo
    drafts: DraftRepo
    feeds: FeedRepo
    progress: ProgressRepo
    roster: RosterRepo
    feedbacks: FeedbackRepo
    listing: ListingRepo
    people: PeopleRepo
    replicas: ReplicaRepo

    @property
    def owner(self) -> str:
        """This process's replica id (new for every ``open_store``)."""
        return self.replicas.owner

    @property
    def shared(self) -> bool:
        """Whether other bot processes may run on this store: PostgreSQL (SQLite has one)."""
        return self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    def probe_write(self) -> None:
        """A real write that touches no data, to learn whether writes work again after an
        outage (locked, disk full). SQLite: bump the header's user_version (unused by the schema,
        which alembic tracks), which needs the write lock and a page in the WAL."""
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                version = int(conn.execute(text("PRAGMA user_version")).scalar() or 0)
                conn.execute(text(f"PRAGMA user_version = {(version + 1) % 1_000_000}"))
            else:  # PostgreSQL: a new version of the one alembic_version row (a real write)
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))

    def feedback_view(self, notice_id: int) -> dict[str, FeedbackState] | None:
        """The units' 落实反馈 states when the notice asks for feedback (its briefing sets units a
        deadline, or a unit has sent some), else None."""
        states = self.feedbacks.states(notice_id)
        if states or self.notices.feedback_due(notice_id) is not None:
            return states
        return None


def open_store(url: str, *, run_migrations: bool = True) -> Store:
    engine = make_engine(url)
    if run_migrations:
        migrate(engine)
    owner = new_replica_id()
    return Store(
        engine=engine,
        notices=NoticeRepo(engine),
        outbox=OutboxRepo(engine, owner),
        acks=AckRepo(engine),
        ledger=LedgerRepo(engine),
        originals=OriginalRepo(engine),
        drafts=DraftRepo(engine),
        feeds=FeedRepo(engine),
        progress=ProgressRepo(engine),
        roster=RosterRepo(engine),
        feedbacks=FeedbackRepo(engine),
        listing=ListingRepo(engine),
        people=PeopleRepo(engine),
        replicas=ReplicaRepo(engine, owner),
    )


__all__ = ["Store", "open_store"]
