"""Calendar rules of the registry: the local day, and the longest term a license may have."""

import datetime

from django.conf import settings
from django.utils import timezone


def local_today() -> datetime.date:
    """Today in the registry's time zone (Asia/Shanghai): terms start and end on local days."""
    return timezone.localdate()


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February maps to 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def max_term_end(term_start: datetime.date, years: int | None = None) -> datetime.date:
    """The last day (inclusive) of the longest regular term starting on term_start."""
    if years is None:
        years = settings.LICENSING_MAX_TERM_YEARS
    if term_start.year + years > datetime.MAXYEAR:
        # The calendar ends before the longest term would: every end it has is within the limit.
        return datetime.date.max
    return add_years(term_start, years) - datetime.timedelta(days=1)
