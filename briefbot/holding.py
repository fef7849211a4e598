"""What the bot holds in memory while the store refuses writes, until it can write it.

Two kinds of record, both facts that must not be lost:
- a send's outcome: Telegram took the message (its id is kept) or the row must go back to
  ``pending``; until written, the row stays ``sending`` in the store and nothing else touches it;
- an acknowledgement a liaison gave: the ack's arguments, replayed with the moment it was given.

Bounded: beyond ``max_acks`` a new ack is refused (the liaison is asked to try again) rather than
an old one silently dropped. Sends need no bound: at most ``delivery.concurrency`` rows are in
flight, and the dispatcher stops claiming while the store fails.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HeldSend:
    row_id: int
    kind: str
    notice_id: int
    unit_code: str
    chat_id: int
    message_id: int | None  # None: the row goes back to pending (the send did not happen)
    at: datetime
    error: str = ""


@dataclass(frozen=True)
class HeldAck:
    chat_id: int
    user_id: int
    user_name: str
    notice_id: int | None  # None: "the unit's pending notices" (a bare /ack)
    via: str
    at: datetime
    comment: str | None = None
    message_id: int | None = None  # the /ack command, to confirm on once written


class Holding:
    def __init__(self, max_acks: int = 2000, max_recent: int = 5000) -> None:
        self.sends: dict[int, HeldSend] = {}
        self.acks: deque[HeldAck] = deque()
        self.max_acks = max_acks
        # (chat id, message id) -> notice id of what Telegram took just now, before the store has
        # it: a liaison who replies /ack to a message that quickly still signs that notice
        self.recent: OrderedDict[tuple[int, int], tuple[int, str]] = OrderedDict()
        self.max_recent = max_recent
        # the same entries of kind "notice", by chat: chat id -> {message id: notice id}, so an
        # ack reads its own chat's, not all of them (an ack burst right after a push)
        self._notices_by_chat: dict[int, dict[int, int]] = {}

    def sent(self, chat_id: int, message_id: int, notice_id: int, kind: str = "notice") -> None:
        self.recent[(chat_id, message_id)] = (notice_id, kind)
        if kind == "notice":
            self._notices_by_chat.setdefault(chat_id, {})[message_id] = notice_id
        if len(self.recent) > self.max_recent:
            (chat, message), _ = self.recent.popitem(last=False)
            in_chat = self._notices_by_chat.get(chat, {})
            in_chat.pop(message, None)
            if not in_chat:
                self._notices_by_chat.pop(chat, None)

    def notice_for_message(self, chat_id: int, message_id: int) -> int | None:
        taken = self.recent.get((chat_id, message_id))
        return None if taken is None else taken[0]

    def hold_send(self, send: HeldSend) -> None:
        self.sends[send.row_id] = send

    def hold_ack(self, ack: HeldAck) -> bool:
        """Keep an ack for later; False when the queue is full (the caller must say so)."""
        if len(self.acks) >= self.max_acks:
            return False
        self.acks.append(ack)
        return True

    def __len__(self) -> int:
        return len(self.sends) + len(self.acks)

    def received(self, unit_code: str, chat_id: int | None = None) -> set[int]:
        """Notices Telegram took for this unit whose "sent" may not be written yet: held sends,
        and (given the unit's chat) what was taken just now, while the store write is under way
        (a liaison who presses the button that fast must not be told there is nothing to sign)."""
        held = {
            s.notice_id
            for s in self.sends.values()
            if s.kind == "notice" and s.unit_code == unit_code and s.message_id is not None
        }
        if chat_id is not None:
            held |= set(self._notices_by_chat.get(chat_id, {}).values())
        return held

    def message_of(
        self, notice_id: int, unit_code: str, chat_id: int | None = None
    ) -> tuple[int, int] | None:
        """(chat id, message id) of a notice held as sent, or (given the unit's chat) taken just
        now, as ``outbox.delivered_message``."""
        for s in self.sends.values():
            if (
                s.kind == "notice"
                and s.notice_id == notice_id
                and s.unit_code == unit_code
                and s.message_id is not None
            ):
                return s.chat_id, s.message_id
        if chat_id is not None:
            in_chat = self._notices_by_chat.get(chat_id, {})
            for message_id, notice in reversed(in_chat.items()):
                if notice == notice_id:
                    return chat_id, message_id
        return None
