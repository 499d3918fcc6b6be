"""Chinese working days, for the deadlines of the registration procedure (登记管理暂行办法 Art. 10-12).

The official calendar (holidays, and the weekend days made working days to make up for them, 调休) is
read from the `chinese-calendar` package, which knows the years the State Council has published. For a
year it does not know, a day counts as a working day when it is Monday to Friday, and every day computed
from such a year is marked `estimated`: the pages and the API say so wherever they show it.
"""

import dataclasses
import datetime
import functools

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Day:
    """A day computed from the calendar; `estimated` where a year on the way was not published."""

    day: datetime.date
    estimated: bool = False

    def isoformat(self) -> str:
        return self.day.isoformat()


@functools.cache
def known_years() -> range:
    """The years the package has the official calendar of."""
    years = {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    return range(min(years), max(years) + 1)


def is_known(day: datetime.date) -> bool:
    return day.year in known_years()


def is_working_day(day: datetime.date) -> bool:
    """A working day by the official calendar, or by the weekend rule in a year it does not know."""
    if is_known(day):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def nth_working_day_from(first: datetime.date, count: int) -> Day:
    """The `count`-th working day counting `first` itself where it is one: the last day of a period of
    `count` working days that starts on `first` (a public notice of 10 working days)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day, seen, estimated = first, 0, False
    while True:
        estimated = estimated or not is_known(day)
        if is_working_day(day):
            seen += 1
            if seen == count:
                return Day(day, estimated)
        day += ONE_DAY


def add_working_days(start: datetime.date, count: int) -> Day:
    """The `count`-th working day after `start` (not counting it): "within 3 working days of receipt"."""
    return nth_working_day_from(start + ONE_DAY, count)


def latest_overdue_start(today: datetime.date, count: int) -> datetime.date:
    """The latest start day whose deadline of `count` working days (add_working_days) is before `today`:
    every start on or before it is overdue. Lets the sweep select overdue rows by a date condition."""
    day, seen = today - ONE_DAY, 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == count:
                return day - ONE_DAY
        day -= ONE_DAY
