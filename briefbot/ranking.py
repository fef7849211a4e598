"""Timeliness ranking across briefings, for the office's assessment (考核).

For each unit over the notices of a period: how many it received, acknowledged on time, late, or
not at all, its on-time rate and the median time it took to acknowledge (the lower middle value),
counted in working time as the follow-up policy counts it: a notice received on Friday at 17:00
and signed on Monday at 09:03 took half an hour of working time, not 2 days and 16 hours. Units
that were unreachable for a notice are not charged for it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from briefbot.ledger import NoticeInfo, UnitLedger
from briefbot.reports import AckStatus, status_of
from briefbot.workcal import WorkingTime


@dataclass(frozen=True)
class UnitScore:
    unit_code: str
    unit_name: str
    group: str
    received: int
    on_time: int
    late: int
    missing: int  # overdue, never acknowledged
    median_to_ack: timedelta | None

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.received if self.received else 0.0


@dataclass
class _Tally:
    name: str
    group: str
    received: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    durations: list[timedelta] = field(default_factory=list)


def rank_units(
    notices: Sequence[NoticeInfo],
    ledgers: Mapping[int, Sequence[UnitLedger]],
    now: datetime,
    clock: WorkingTime,
) -> list[UnitScore]:
    tallies: dict[str, _Tally] = {}
    for notice in notices:
        for unit in ledgers.get(notice.id, ()):
            status = status_of(unit, notice, now, clock)
            if status in (AckStatus.UNREACHABLE, AckStatus.QUEUED, AckStatus.PENDING):
                continue  # not received, or not yet due: nothing to count
            t = tallies.setdefault(unit.unit_code, _Tally(unit.unit_name, unit.group))
            t.received += 1
            if status is AckStatus.ON_TIME:
                t.on_time += 1
            elif status is AckStatus.LATE:
                t.late += 1
            else:
                t.missing += 1
            if unit.ack is not None and unit.sent_at is not None:
                t.durations.append(clock.between(unit.sent_at, unit.ack.acked_at))
    scores = [
        UnitScore(
            code,
            t.name,
            t.group,
            t.received,
            t.on_time,
            t.late,
            t.missing,
            statistics.median_low(t.durations) if t.durations else None,
        )
        for code, t in tallies.items()
    ]
    never = timedelta.max  # no acknowledgement to time: after every unit that has one
    scores.sort(
        key=lambda s: (
            -s.on_time_rate,
            never if s.median_to_ack is None else s.median_to_ack,  # zero is the best, not none
            s.unit_code,
        )
    )
    return scores
