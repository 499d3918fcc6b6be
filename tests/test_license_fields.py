"""A license's fields are declared once (licensing.license_fields); these fail when a list drifts from it."""

import pytest

from licensing import license_fields, lifecycle
from licensing.admin.forms import FORM_FIELDS
from licensing.api.representations import (
    VALUES,
    license_representation,
    license_values,
    with_domains,
    with_flags,
)
from licensing.api.serializers import LicenseFieldsSerializer, LicenseSerializer
from licensing.models import License
from tests import factories

# How the API's writes name an editable field that is a relation (by id; an operator also by its USCC).
WRITTEN_AS = {
    "grantor": {"grantor_id"},
    "co_grantors": {"co_grantor_ids"},
    "implementing_body": {"implementing_body_id"},
    "operator": {"operator_uscc", "operator_id"},
}
# Editable through the services and the admin, not through the API (the registry records it).
NOT_WRITTEN_BY_THE_API = {"origin"}


def _model_fields():
    return {field.name for field in License._meta.get_fields() if field.concrete or field.many_to_many}


def test_every_field_of_the_model_is_declared_or_kept_out_on_purpose():
    declared = set(license_fields.SHOWN) | license_fields.NOT_SHOWN
    assert _model_fields() - declared == set(), "declare it in licensing/license_fields.py"
    assert set(license_fields.COLUMNS) <= {field.name for field in License._meta.concrete_fields}
    assert set(license_fields.EDITABLE) <= _model_fields()
    assert len(set(license_fields.SHOWN)) == len(license_fields.SHOWN)


def test_the_serializer_the_lean_read_and_the_services_follow_the_declaration():
    assert list(LicenseSerializer().fields) == list(license_fields.SHOWN)
    assert tuple(lifecycle.EDITABLE_FIELDS) == license_fields.EDITABLE
    assert [name for name in license_fields.EDITABLE if name != "origin"] == FORM_FIELDS
    assert [name for name in VALUES if name in license_fields.COLUMNS] == list(license_fields.COLUMNS)


@pytest.mark.django_db
def test_the_lean_representation_shows_every_declared_field_in_order():
    license = factories.license_in("active")
    (row,) = with_flags(with_domains(license_values(License.objects.filter(pk=license.pk))))
    assert list(license_representation(row)) == list(license_fields.SHOWN)


def test_the_api_write_takes_every_editable_field():
    taken = set(LicenseFieldsSerializer().fields)
    for name in license_fields.EDITABLE:
        if name not in NOT_WRITTEN_BY_THE_API:
            assert WRITTEN_AS.get(name, {name}) <= taken, name
