"""Replicas that cooperate: several ``bot.py run`` processes on one PostgreSQL store.

Every replica dispatches the outbox (claims never overlap, see ``briefbot.store.outbox``) and
handles the updates it is given, once each (``first_taker``). Two roles are held by one replica
at a time, each a session advisory lock on a PostgreSQL session of the replica's own
(``RoleSession``):

- the **leader** runs the scheduled jobs (follow-up, digest, feeds, inbox, the live boards,
  feedback reminders), recovers the deliveries of dead replicas and prunes;
- the **poller** long-polls Telegram (only one may: Telegram answers a second getUpdates with 409
  Conflict). Taken only by a replica that asks for it (``want``): in webhook mode every replica
  receives and none needs it.

Every ``check_every`` each replica renews its lease on that session and tries for the roles it
lacks. A role is lost with the session: when the leader dies its session ends, the server frees
its locks, and another replica takes the role at its next try (within ``check_every``). A replica
whose session fails, or does not answer within seconds, gives up its roles (the flags first, then
the session), before the server would free its locks for another. The one overlap left: a live
leader whose session the server ended (a network cut, a terminated backend) learns of it at its
next check, so for at most ``check_every`` two replicas may start a job; the jobs' writes are
keyed in the ledger (one reminder per step, one digest per day), so even that repeats nothing.

On SQLite there is one process (``briefbot.runlock`` refuses a second): it holds every role, and
at start puts back every delivery left in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from briefbot.settings import ReplicaSettings
from briefbot.store import Store
from briefbot.store.replicas import RoleSession

log = logging.getLogger(__name__)
Role = Literal["leader", "poller"]
ANSWER_WITHIN = 5.0  # seconds: a role session slower than this is given up (see tick)
PRUNE_EVERY = timedelta(minutes=10)
KEEP_FOR = timedelta(days=2)  # handled updates and dead replicas (Telegram restarts ids after 7)


@dataclass
class Roles:
    """What this process does now. ``shared``: other replicas may run on its store."""

    shared: bool = False
    leader: bool = True
    poller: bool = True
    live: int = 1  # replicas with a lease, this one included: each takes 1/live of the budget


class Coordinator:
    def __init__(
        self,
        store: Store,
        settings: ReplicaSettings,
        clock: Callable[[], datetime],
        session: Callable[[], RoleSession] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._clock = clock
        self.roles = Roles(shared=store.shared)
        self._wanted: set[Role] = {"leader"}
        self._session_factory = session or (lambda: RoleSession(store.engine.url, store.owner))
        self._session: RoleSession | None = None
        self._changed = asyncio.Condition()
        self._ticking = asyncio.Lock()  # one check at a time (the loop's, or a role asked for)
        self._task: asyncio.Task[None] | None = None
        self._pruned_at: datetime | None = None
        self._renewed = False
        self._on_live: list[Callable[[int], None]] = []
        if self.roles.shared:
            self.roles.leader = self.roles.poller = False
            # a replica that missed this many checks and whose session is gone is dead
            store.replicas.grace = settings.check_every * 3

    @property
    def owner(self) -> str:
        return self.store.owner

    # ------------------------------------------------------------------ life
    async def start(self) -> None:
        """Solo: put back what was in flight. Shared: the first lease and tries for the roles,
        before any job or the dispatcher runs; then the renewal loop."""
        if not self.roles.shared:
            recovered = await asyncio.to_thread(self.store.outbox.recover_inflight)
            if recovered:
                log.warning(
                    "resuming %d deliveries that were in flight when the bot stopped", recovered
                )
            return
        log.info(
            "replica %s: sharing the store with other replicas (lease %s, checks every %s)",
            self.owner,
            self.settings.lease,
            self.settings.check_every,
        )
        await self.tick()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="replica-roles")

    async def stop(self) -> None:
        """A clean stop: the roles are freed and the lease ended at once, so that another
        replica takes over within ``check_every`` instead of a lease."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if not self.roles.shared:
            return
        await self._step_down("stopping", wait=True)
        try:
            await asyncio.to_thread(self.store.replicas.leave)
        except SQLAlchemyError as exc:
            log.warning("replica %s: could not end its lease: %s", self.owner, _short(exc))

    async def _run(self) -> None:
        every = self.settings.check_every.total_seconds()
        while True:
            await asyncio.sleep(every)
            try:
                await self.tick()
            except Exception:  # the loop must outlive any surprise
                log.exception("replica %s: role check failed", self.owner)

    def on_live(self, listener: Callable[[int], None]) -> None:
        """Call ``listener`` with the number of live replicas whenever it changes (the sending
        pace is shared: Telegram's limits are the bot's, however many processes send)."""
        self._on_live.append(listener)

    # ------------------------------------------------------------------ roles
    def want(self, role: Role) -> None:
        """Ask for a role (the poller asks only when polling): tried for at the next check."""
        self._wanted.add(role)

    async def wait_for(self, role: Role, held: bool = True) -> None:
        """Until this replica holds (or no longer holds) ``role``."""
        async with self._changed:
            await self._changed.wait_for(lambda: getattr(self.roles, role) == held)

    async def _set(self, role: Role, held: bool) -> None:
        if getattr(self.roles, role) == held:
            return
        setattr(self.roles, role, held)
        async with self._changed:
            self._changed.notify_all()

    async def tick(self) -> None:
        """Renew the lease and try for the wanted roles on the role session, in a thread; then,
        as leader, recover dead replicas' deliveries.

        The session must answer within ``ANSWER_WITHIN`` (or a third of the lease, if less): the
        server notices a silent client after about 11 s (the session's TCP keepalives) and frees
        its locks, so a replica cut off from the database steps down before another can lead."""
        async with self._ticking:
            await self._tick()

    async def _tick(self) -> None:
        now = self._clock()
        wanted = sorted(self._wanted)
        timeout = min(ANSWER_WITHIN, self.settings.lease.total_seconds() / 3)
        session = self._session
        if session is None:
            session = self._session = self._session_factory()
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for returns a result that came in
            # with a cancellation and swallows the cancellation (a stopped replica would go on)
            async with asyncio.timeout(timeout):
                held, live = await asyncio.to_thread(self._renew, session, now, wanted)
        except (TimeoutError, SQLAlchemyError) as exc:
            why = "the database did not answer" if isinstance(exc, TimeoutError) else _short(exc)
            await self._step_down(why)
            return
        if live != self.roles.live:
            log.info(
                "replica %s: %d replicas share the store and the sending pace", self.owner, live
            )
            self.roles.live = live
            for listener in self._on_live:
                listener(live)
        for role in wanted:
            if role in held and not getattr(self.roles, role):
                log.warning("replica %s took the %s role", self.owner, role)
            await self._set(role, role in held)
        if self.roles.leader:
            await self._lead(now)

    def _renew(
        self, session: RoleSession, now: datetime, wanted: list[Role]
    ) -> tuple[set[str], int]:
        """Blocking. The lease, then each role: kept if held (the session is alive, so its locks
        are), taken if free. Returns the roles held and how many replicas are live."""
        with session.lock:
            conn = session.connection()
            fresh = not self.store.replicas.beat(now, conn)
            if fresh and self._renewed:
                log.warning("replica %s: its lease had lapsed and is renewed", self.owner)
            self._renewed = True
            for role in wanted:
                session.try_take(role)
            live = len(self.store.replicas.live(now, self.settings.lease, conn))
            return set(session.held), max(live, 1)

    async def _step_down(self, why: str, wait: bool = False) -> None:
        """Roles off first, then the session ended (which frees the locks): a role given up
        this way is never held by two replicas at once."""
        lost = [role for role in ("leader", "poller") if getattr(self.roles, role)]
        for role in lost:
            await self._set(role, False)  # type: ignore[arg-type]
        if lost:  # a clean stop is no news; a lost session is
            level = logging.INFO if why == "stopping" else logging.WARNING
            log.log(
                level, "replica %s gave up the %s role: %s", self.owner, " and ".join(lost), why
            )
        session, self._session = self._session, None
        if session is None:
            return
        # the session's lock waits for a query still running on it; one that hangs must not
        # hold up this loop (its thread ends when the socket times out), so not awaited there
        closing = asyncio.get_running_loop().run_in_executor(None, session.close)
        if wait:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(closing), ANSWER_WITHIN)

    async def _lead(self, now: datetime) -> None:
        lease = self.settings.lease
        try:
            recovered = await asyncio.to_thread(
                self.store.outbox.recover_orphans, now, lease, self.store.replicas.grace
            )
            if recovered:
                log.warning("resuming %d deliveries left in flight by dead replicas", recovered)
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                self._pruned_at = now
                await asyncio.to_thread(self.store.replicas.prune, now - KEEP_FOR)
        except SQLAlchemyError as exc:
            log.warning("replica %s: could not recover deliveries: %s", self.owner, _short(exc))

    # ------------------------------------------------------------------ updates
    async def first_taker(self, bot_id: int, update_id: int) -> bool:
        """Whether this replica handles the update (always, solo). A store that fails here does
        not cost the update: it is handled (its writes are keyed on their own)."""
        if not self.roles.shared:
            return True
        try:
            return await asyncio.to_thread(
                self.store.replicas.take_update,
                bot_id,
                update_id,
                self._clock(),
                self.settings.lease,
            )
        except SQLAlchemyError as exc:
            log.warning("update %s handled without the replicas' check: %s", update_id, _short(exc))
            return True

    async def handled(self, bot_id: int, update_id: int) -> None:
        if not self.roles.shared:
            return
        try:
            await asyncio.to_thread(
                self.store.replicas.update_done, bot_id, update_id, self._clock()
            )
        except SQLAlchemyError as exc:
            log.warning("update %s: could not record it handled: %s", update_id, _short(exc))


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0][:200]
