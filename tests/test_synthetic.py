"""The synthetic data generator behind the benchmarks."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from licensing.choices import RecordOrigin
from licensing.models import License, LicenseEvent, Operator
from licensing.sweep import run_sweep

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def test_generate_licenses_makes_marked_varied_data_with_history_and_one_percent_due():
    out = io.StringIO()
    with time_machine.travel(datetime.datetime(2026, 11, 29, 2, tzinfo=datetime.UTC), tick=False):
        call_command("generate_licenses", "--count", "2000", stdout=out)
        assert "Created 2,000 licenses" in out.getvalue()
        assert set(License.objects.values_list("origin", flat=True)) == {RecordOrigin.SYNTHETIC}
        assert Operator.objects.filter(origin=RecordOrigin.SYNTHETIC).count() == 400
        statuses = set(License.objects.values_list("status", flat=True))
        assert statuses >= {"granted", "active", "suspended", "expired", "revoked"}
        assert License.objects.values("data_domains").distinct().count() >= 10
        assert LicenseEvent.objects.count() > 2 * License.objects.count()
        license = License.objects.filter(status="suspended").first()
        assert license.version == license.events.count()
        result = run_sweep()
    assert (result.activated, result.expired) == (6, 6)
    assert len(set(License.objects.values_list("number", flat=True))) == 2000


def test_count_must_be_positive():
    with pytest.raises(CommandError):
        call_command("generate_licenses", "--count", "0")
