"""The tests' one clock. A test that reads the calendar runs at NOW (ask for the `frozen_clock` fixture of
tests/conftest.py, or travel with `at`); days are Asia/Shanghai days, as the registry's are."""

import datetime

import time_machine

# 10:00 on Sunday 29 November 2026 in Asia/Shanghai (UTC+8, no daylight saving).
NOW = datetime.datetime(2026, 11, 29, 2, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 29)
D = datetime.timedelta


def shanghai(day: datetime.date, hour: int = 10, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A moment of `day` in Asia/Shanghai, as an aware UTC datetime."""
    local = datetime.datetime(day.year, day.month, day.day, hour, minute, second)
    return (local - D(hours=8)).replace(tzinfo=datetime.UTC)


def at(day: datetime.date, hour: int = 10):
    """Travel to `hour` o'clock of `day` in Asia/Shanghai, the clock standing still (a context manager)."""
    return time_machine.travel(shanghai(day, hour), tick=False)
