"""Model-level guarantees: identifiers stored normalised, constraints, numbers, and a history that stays."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from licensing import lifecycle
from licensing.choices import DivisionLevel
from licensing.dates import local_today
from licensing.models import EventImmutableError, License, LicenseEvent, Operator
from licensing.models.licenses import LicenseDeletionError

from . import factories

pytestmark = pytest.mark.django_db


def test_operator_uscc_is_normalised_before_validation_and_storage():
    operator = Operator(name="Example", uscc="９１１１-0000 6000 3734 1l")
    operator.full_clean()
    operator.save()
    operator.refresh_from_db()
    assert operator.uscc == "91110000600037341L"


def test_invalid_uscc_names_the_field():
    operator = Operator(name="Example", uscc="91110000600037341X")
    with pytest.raises(ValidationError) as refused:
        operator.full_clean()
    assert list(refused.value.message_dict) == ["uscc"]
    assert "'L'" in refused.value.message_dict["uscc"][0]


def test_operator_needs_a_uscc_or_a_note_saying_why_not():
    with pytest.raises(ValidationError) as refused:
        Operator(name="Unknown Co").full_clean()
    assert "uscc_note" in refused.value.message_dict
    Operator(name="Unknown Co", uscc_note="Not published.").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Operator.objects.create(name="Unknown Co")


def test_uscc_is_unique_when_present():
    code = factories.valid_uscc()
    factories.operator(uscc=code)
    factories.operator(uscc="", uscc_note="Not published.")
    factories.operator(uscc="", uscc_note="Not published either.")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.operator(uscc=code.lower())


def test_authority_level_and_jurisdiction_come_from_the_division_code():
    national = factories.authority("100000")
    zhejiang = factories.authority("330000")
    hangzhou = factories.authority("330100")
    xihu = factories.authority("330106")
    assert [a.level for a in (national, zhejiang, hangzhou, xihu)] == [
        DivisionLevel.NATIONAL,
        DivisionLevel.PROVINCIAL,
        DivisionLevel.PREFECTURE,
        DivisionLevel.COUNTY,
    ]
    assert national.covers("430400") and zhejiang.covers("330106") and hangzhou.covers("330106")
    assert not hangzhou.covers("330200") and not zhejiang.covers("430400")


def test_bad_division_code_names_the_field():
    from licensing.models import Authority

    with pytest.raises(ValidationError) as refused:
        Authority(name="Nowhere", division_code="990000").full_clean()
    assert list(refused.value.message_dict) == ["division_code"]


def test_license_numbers_count_per_division_and_year():
    hangzhou, hengyang = factories.authority("330100"), factories.authority("430400")
    year = local_today().year
    numbers = [factories.license_in("listed", grantor=g).number for g in (hangzhou, hangzhou, hengyang)]
    assert numbers == [f"330100-{year}-0001", f"330100-{year}-0002", f"430400-{year}-0001"]
    historical = factories.draft(grantor=hangzhou)
    lifecycle.transition(
        historical, "list", actor=None, expected_version=1, occurred_on=datetime.date(2023, 9, 28)
    )
    assert historical.number == "330100-2023-0001"


def test_unknown_status_is_refused_by_validation_and_by_the_database():
    license = factories.draft()
    license.status = "bogus"
    with pytest.raises(ValidationError) as refused:
        license.full_clean()
    assert "status" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        License.objects.filter(pk=license.pk).update(status="bogus")


def test_term_end_before_start_is_refused_by_the_database():
    license = factories.draft()
    today = local_today()
    with pytest.raises(IntegrityError), transaction.atomic():
        License.objects.filter(pk=license.pk).update(
            term_start=today, term_end=today - datetime.timedelta(days=1)
        )


def test_licenses_are_never_deleted():
    license = factories.draft()
    with pytest.raises(LicenseDeletionError, match="withdraw"):
        license.delete()
    with pytest.raises(LicenseDeletionError):
        License.objects.filter(pk=license.pk).delete()
    assert License.objects.filter(pk=license.pk).exists()


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    license = factories.draft()
    event = license.events.get()
    event.reason = "rewritten"
    with pytest.raises(EventImmutableError, match="append-only"):
        event.save()
    with pytest.raises(EventImmutableError):
        event.delete()
    with pytest.raises(EventImmutableError):
        LicenseEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(EventImmutableError):
        LicenseEvent.objects.bulk_update([event], ["reason"])
    with pytest.raises(EventImmutableError):
        LicenseEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.reason == ""


def test_an_actor_with_events_cannot_be_deleted():
    from django.db.models import ProtectedError

    regulator = factories.user()
    factories.draft().events.get()
    license = factories.license_in("active")
    lifecycle.transition(license, "suspend", actor=regulator, reason="r", expected_version=license.version)
    with pytest.raises(ProtectedError):
        regulator.delete()


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete_of_events_even_in_raw_sql():
    event = factories.draft().events.get()
    for sql in (
        "UPDATE licensing_licenseevent SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM licensing_licenseevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.reason == ""


def _run_at_once(count, work):
    """Run `work(i)` in `count` threads released together; return (results, errors)."""
    from django.db import connections

    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as error:
            errors[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transitions_at_once_exactly_one_succeeds_and_one_event_is_written():
    license = factories.license_in("active")
    version = license.version
    events_before = license.events.count()

    def suspend(i):
        copy = License.objects.get(pk=license.pk)
        return lifecycle.transition(
            copy, "suspend", actor=None, reason=f"thread {i}", expected_version=version
        )

    results, errors = _run_at_once(2, suspend)
    assert sum(result is not None for result in results) == 1, errors
    assert [type(error).__name__ for error in errors if error] == ["StaleVersion"]
    license.refresh_from_db()
    assert (license.status, license.version) == ("suspended", version + 1)
    assert license.events.count() == events_before + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_licenses_created_at_once_get_distinct_numbers():
    grantor = factories.authority("330100")
    results, errors = _run_at_once(
        4, lambda i: factories.license_in("listed", grantor=grantor, title=f"Concurrent {i}").number
    )
    assert errors == [None] * 4
    year = local_today().year
    assert sorted(results) == [f"330100-{year}-{seq:04d}" for seq in range(1, 5)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_creating_and_renewing_for_one_grantor_at_once_do_not_deadlock():
    grantor = factories.authority("330100")
    actives = [factories.license_in("active", grantor=grantor) for _ in range(3)]

    def work(i):
        if i % 2:
            license = actives[i // 2]
            return lifecycle.renew(
                license,
                term_end=license.term_end + datetime.timedelta(days=100),
                actor=None,
                expected_version=license.version,
            ).number
        return factories.license_in("listed", grantor=grantor, title=f"New {i}").number

    results, errors = _run_at_once(6, work)
    assert errors == [None] * 6
    assert len(set(results)) == 6
