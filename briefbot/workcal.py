"""Working time on China's official calendar: statutory holidays, 调休 make-up working days,
working hours. Everything takes the moment as an argument; nothing reads a clock.

The schedule for each year is announced in November, so the calendar package may not know the
coming year yet: then statutory holidays come from the ``holidays`` package (which has no
make-up days), a warning is logged once per year, and the config can add what is missing.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

import chinese_calendar
import holidays

log = logging.getLogger(__name__)


class Calendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


class EveryDay:
    """The calendar switched off: every day is a working day (the rehearsal, end-to-end tests)."""

    def is_workday(self, day: date) -> bool:
        return True


@dataclass
class ChineseCalendar:
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    _fallback_years: dict[int, holidays.HolidayBase] = field(default_factory=dict)
    _known: dict[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._look_up(day)
        return known

    def _look_up(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return self._fallback(day)

    def _fallback(self, day: date) -> bool:
        statutory = self._fallback_years.get(day.year)
        if statutory is None:
            log.warning(
                "chinese-calendar has no schedule for %d; using statutory holidays from the "
                "'holidays' package, without 调休 make-up working days: add them to "
                "calendar.extra_workdays once the State Council announces them",
                day.year,
            )
            statutory = holidays.country_holidays("CN", years=day.year)
            self._fallback_years[day.year] = statutory
        return day.weekday() < 5 and day not in statutory


@dataclass(frozen=True)
class WorkingTime:
    """Working periods of working days, in the office's time zone.

    ``periods`` empty means the whole day counts. Periods are computed once per day and held in
    UTC: comparing datetimes that share one fixed tzinfo is cheap, which matters when a report
    works out the due time of 2 000 units.
    """

    calendar: Calendar
    tz: tzinfo
    periods: tuple[tuple[time, time], ...] = ()
    _days: dict[date, list[tuple[datetime, datetime]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # working time from the first day asked about to the start of each later day (between())
    _totals: dict[date, timedelta] = field(default_factory=dict, compare=False, repr=False)

    def _periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        cached = self._days.get(day)
        if cached is not None:
            return cached
        out = []
        if self.calendar.is_workday(day):
            for start, end in self.periods or ((time(0), time(0)),):
                begin = datetime.combine(day, start, self.tz)
                next_day = day + timedelta(days=1) if end == time(0) else day
                finish = datetime.combine(next_day, end, self.tz)
                out.append((begin.astimezone(UTC), finish.astimezone(UTC)))
        self._days[day] = out
        return out

    def is_working(self, moment: datetime) -> bool:
        day = moment.astimezone(self.tz).date()
        instant = moment.astimezone(UTC)
        return any(a <= instant < b for a, b in self._periods_of(day))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of working time has passed since ``start``."""
        moment = start if start.tzinfo is UTC else start.astimezone(UTC)  # as the store gives it
        remaining = duration
        day = start.astimezone(self.tz).date()
        for _ in range(3700):  # ten years of days; a calendar with no working day ends here
            for begin, end in self._periods_of(day):
                if moment >= end:
                    continue
                segment_start = begin if begin > moment else moment
                available = end - segment_start
                if remaining <= available:
                    return (segment_start + remaining).astimezone(self.tz)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time in the next ten years: check the calendar settings")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from ``start`` to ``end``.

        Whole days in between come from running totals kept per day, so the lateness of 2 000
        units overdue for weeks (a report, /status) costs a few lookups each, not a walk over
        every day."""
        if end <= start:
            return timedelta()
        a, b = start.astimezone(UTC), end.astimezone(UTC)
        day, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        if (last - day).days > 3:
            after_first = self._before(day + timedelta(days=1))  # first: it may move the anchor
            middle = self._before(last) - after_first
            return self._overlap(day, a, b) + middle + self._overlap(last, a, b)
        total = timedelta()
        while day <= last:
            total += self._overlap(day, a, b)
            day += timedelta(days=1)
        return total

    def _overlap(self, day: date, a: datetime, b: datetime) -> timedelta:
        """Working time of ``day`` between the UTC instants ``a`` and ``b``."""
        total = timedelta()
        for begin, finish in self._periods_of(day):
            lo = begin if begin > a else a
            hi = finish if finish < b else b
            if hi > lo:
                total += hi - lo
        return total

    def _before(self, day: date) -> timedelta:
        """Working time from the anchor (the earliest day asked about) to the start of ``day``.

        Totals are kept for every day from the anchor to the latest day asked about; a day
        before the anchor becomes the new anchor and the totals are rebuilt once."""
        totals = self._totals
        known = totals.get(day)
        if known is not None:
            return known
        if not totals or day < next(iter(totals)):
            latest = next(reversed(totals)) if totals else day
            totals.clear()
            totals[day] = timedelta()
            self._extend(latest)
            return timedelta()
        return self._extend(day)

    def _extend(self, day: date) -> timedelta:
        totals = self._totals
        cursor = next(reversed(totals))
        running = totals[cursor]
        while cursor < day:
            running += self._overlap(cursor, *_WHOLE_DAY)
            cursor += timedelta(days=1)
            totals[cursor] = running
        return running


_WHOLE_DAY = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def parse_periods(texts: Sequence[str]) -> tuple[tuple[time, time], ...]:
    """``["08:30-12:00", "14:30-18:00"]`` → periods; raises ValueError in Chinese."""
    periods = []
    for text in texts:
        try:
            left, right = (part.strip() for part in text.split("-"))
            start, end = time.fromisoformat(left), time.fromisoformat(right)
        except ValueError:
            raise ValueError(f"工作时段格式错误：“{text}”，应写成 08:30-12:00") from None
        if end <= start:
            raise ValueError(f"工作时段结束时间应晚于开始时间：“{text}”")
        periods.append((start, end))
    periods.sort()
    for (_, end), (start, _) in itertools.pairwise(periods):
        if start < end:
            raise ValueError("工作时段不能重叠")
    return tuple(periods)


def dates(values: Iterable[date]) -> frozenset[date]:
    return frozenset(values)
