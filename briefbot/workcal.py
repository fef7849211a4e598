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
from datetime import date, datetime, time, timedelta, tzinfo
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

    def is_workday(self, day: date) -> bool:
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

    ``periods`` empty means the whole day counts.
    """

    calendar: Calendar
    tz: tzinfo
    periods: tuple[tuple[time, time], ...] = ()

    def _periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.calendar.is_workday(day):
            return []
        spans = self.periods or ((time(0), time(0)),)
        out = []
        for start, end in spans:
            begin = datetime.combine(day, start, self.tz)
            finish = datetime.combine(
                day + timedelta(days=1) if end == time(0) else day, end, self.tz
            )
            out.append((begin, finish))
        return out

    def is_working(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(a <= local < b for a, b in self._periods_of(local.date()))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of working time has passed since ``start``."""
        local = start.astimezone(self.tz)
        remaining = duration
        day = local.date()
        for _ in range(3700):  # ten years of days; a calendar with no working day ends here
            for begin, end in self._periods_of(day):
                if local >= end:
                    continue
                segment_start = max(local, begin)
                available = end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time in the next ten years: check the calendar settings")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from ``start`` to ``end``."""
        if end <= start:
            return timedelta()
        total = timedelta()
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        day = a.date()
        while day <= b.date():
            for begin, finish in self._periods_of(day):
                lo, hi = max(a, begin), min(b, finish)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


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
