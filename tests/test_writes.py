"""licensing.writes, the toolkit of every service that changes a license: the caller's instance is brought
up to date by each change (writes.refresh), so it can be passed to the next call as it is."""

import pytest

from licensing import lifecycle, products
from licensing.choices import DataDomain
from licensing.choices import LicenseStatus as S

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def test_a_transition_updates_the_instance_the_caller_passed():
    license = factories.draft()
    version = license.version
    lifecycle.transition(license, "list", actor=None, expected_version=license.version)
    assert (license.status, license.version) == (S.LISTED, version + 1)
    assert license.number  # allocated by the listing, seen without reading the row again
    # The instance is good for the next call as it is: its version is the current one.
    lifecycle.transition(
        license, "withdraw", actor=None, reason="Not pursued.", expected_version=license.version
    )
    assert (license.status, license.version) == (S.WITHDRAWN, version + 2)


def test_an_edit_updates_the_instance_and_forgets_what_was_prefetched():
    license = factories.draft(data_domains=[DataDomain.HEALTH])
    license = type(license).objects.prefetch_related("data_domains").get(pk=license.pk)
    assert [domain.code for domain in license.data_domains.all()] == [DataDomain.HEALTH]
    lifecycle.edit(
        license,
        {"title": "Renamed", "data_domains": [DataDomain.TRANSPORT]},
        actor=None,
        expected_version=license.version,
    )
    assert license.title == "Renamed"
    assert [domain.code for domain in license.data_domains.all()] == [DataDomain.TRANSPORT]
    lifecycle.edit(license, {"title": "Renamed again"}, actor=None, expected_version=license.version)


def test_a_product_change_updates_the_license_instance():
    license = factories.license_in(S.ACTIVE)
    version = license.version
    products.create_product(
        license,
        actor=None,
        expected_version=license.version,
        name="Bus arrivals API",
        product_class="public_welfare",
    )
    assert license.version == version + 1
    lifecycle.transition(license, "suspend", actor=None, reason="Audit.", expected_version=license.version)
    assert license.status == S.SUSPENDED
