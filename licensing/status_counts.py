"""Summaries of a set of licenses: counts by status, and what expires soon (dashboard and home page)."""

import datetime

from django.db.models import Count, QuerySet

from .choices import LicenseStatus
from .dates import local_today


def status_counts(licenses: QuerySet) -> list[tuple[LicenseStatus, int]]:
    """Every status with its count (zero included), in lifecycle order; one query."""
    counts = dict(licenses.order_by().values_list("status").annotate(count=Count("id")))
    return [(status, counts.get(status.value, 0)) for status in LicenseStatus]


def expiring_within(licenses: QuerySet, days: int, today: datetime.date | None = None) -> QuerySet:
    """Licenses in force whose term ends within `days` days, soonest first."""
    today = today or local_today()
    return (
        licenses.expiring_within(days, today)
        .select_related("grantor", "operator")
        .order_by("term_end", "number")
    )


def term_end_unpublished(licenses: QuerySet) -> QuerySet:
    """Data to complete: licenses granted and not ended (granted, active, suspended) whose term end is not
    published. They stay in force with no last day, get no expiry reminders and cannot be renewed until an
    amendment records the end. Oldest term start first."""
    return (
        licenses.filter(status__in=LicenseStatus.amendable(), term_end__isnull=True)
        .select_related("grantor", "operator")
        .order_by("term_start", "number")
    )
