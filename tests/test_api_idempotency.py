"""Idempotency-Key: a client that sent a write and lost the answer sends it again with the same key and
gets the first answer; nothing is written twice. On license creates, renewals and operator creates."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from licensing.models import IdempotencyKey, License, Operator, Regulator

from . import factories
from .clock import NOW

pytestmark = pytest.mark.usefixtures("frozen_clock")
D = datetime.timedelta


@pytest.fixture
def world(frozen_clock):
    hangzhou = factories.authority("330100")
    user = factories.user("inside")
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="inside@example.test")
    client = APIClient()
    client.force_authenticate(user)
    return {"hangzhou": hangzhou, "user": user, "client": client}


def _create(client, grantor, key, title="Bus data"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        "/api/v1/licenses/", {"title": title, "grantor_id": grantor.pk}, format="json", headers=headers
    )


@pytest.mark.django_db
def test_a_repeated_create_gets_the_first_answer_and_writes_nothing(world):
    first = _create(world["client"], world["hangzhou"], "3f1c-create-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = _create(world["client"], world["hangzhou"], "3f1c-create-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert License.objects.count() == 1
    # Without a key, or with another one, a write is a new write.
    assert _create(world["client"], world["hangzhou"], None).status_code == 201
    assert _create(world["client"], world["hangzhou"], "3f1c-create-2").status_code == 201
    assert License.objects.count() == 3


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_refused_naming_the_header(world):
    assert _create(world["client"], world["hangzhou"], "k1").status_code == 201
    other = _create(world["client"], world["hangzhou"], "k1", title="Another title")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["detail"]
    assert License.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user_and_expire_after_a_day(world, frozen_clock):
    assert _create(world["client"], world["hangzhou"], "k1").status_code == 201
    colleague = factories.user("colleague")
    Regulator.objects.create(user=colleague, authority=world["hangzhou"], contact_email="c@example.test")
    theirs = APIClient()
    theirs.force_authenticate(colleague)
    assert "Idempotent-Replayed" not in _create(theirs, world["hangzhou"], "k1")
    assert License.objects.count() == 2
    frozen_clock.move_to(NOW + D(hours=23, minutes=59))
    assert _create(world["client"], world["hangzhou"], "k1")["Idempotent-Replayed"] == "true"
    frozen_clock.move_to(NOW + D(hours=24, seconds=1))
    fresh = _create(world["client"], world["hangzhou"], "k1", title="A new write")
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh
    assert License.objects.count() == 3
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_write_is_not_remembered_and_bad_keys_are_400s(world):
    bad = world["client"].post(
        "/api/v1/licenses/", {"title": "No grantor"}, format="json", headers={"Idempotency-Key": "k1"}
    )
    assert bad.status_code == 400
    assert _create(world["client"], world["hangzhou"], "k1").status_code == 201
    for key in ("", "x" * 256, "two words", "ключ"):
        response = _create(world["client"], world["hangzhou"], key)
        assert response.status_code == 400, key
        assert "Idempotency-Key" in response.json()["errors"], key
    assert License.objects.count() == 1


@pytest.mark.django_db
def test_renewals_and_operator_registrations_honour_the_key(world):
    with time_machine.travel(NOW, tick=False):
        active = factories.license_in("active", grantor=world["hangzhou"])
    body = {"term_end": (active.term_end + D(days=365)).isoformat(), "version": active.version}
    path = f"/api/v1/licenses/{active.number}/renew/"
    headers = {"Idempotency-Key": "renew-1"}
    first = world["client"].post(path, body, format="json", headers=headers)
    assert first.status_code == 201
    again = world["client"].post(path, body, format="json", headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert License.objects.filter(predecessor=active).count() == 1

    operator = {"name": "新运营有限公司", "uscc": factories.valid_uscc()}
    headers = {"Idempotency-Key": "operator-1"}
    first = world["client"].post("/api/v1/operators/", operator, format="json", headers=headers)
    again = world["client"].post("/api/v1/operators/", operator, format="json", headers=headers)
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert Operator.objects.filter(uscc=operator["uscc"]).count() == 1


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_those_writes(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, method in (
        ("/api/v1/licenses/", "post"),
        ("/api/v1/licenses/{number}/renew/", "post"),
        ("/api/v1/operators/", "post"),
    ):
        parameters = schema["paths"][path][method].get("parameters", [])
        assert {"in": "header", "name": "Idempotency-Key"}.items() <= next(
            p for p in parameters if p["name"] == "Idempotency-Key"
        ).items(), path
        assert "422" in schema["paths"][path][method]["responses"], path


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_make_one_license():
    hangzhou = factories.authority("330100")
    user = factories.user("inside")
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="inside@example.test")
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def send():
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            answers.append(_create(client, hangzhou, "at-once"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert License.objects.count() == 1
