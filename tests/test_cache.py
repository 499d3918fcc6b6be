"""licensing.cache: a body is served only while the generation it was built at is current."""

import logging

import pytest
from django.core.cache import cache as shared

from licensing import cache


def _built(text):
    calls = []

    def build():
        calls.append(text)
        return text.encode()

    return build, calls


def test_a_body_is_built_once_and_then_served_until_a_bump():
    build, calls = _built("first")
    assert cache.cached(("x",), build) == b"first"
    assert cache.cached(("x",), build) == b"first"
    assert cache.slot(("x",)).body == b"first"
    assert calls == ["first"]
    cache.bump()
    assert cache.slot(("x",)).body is None
    assert cache.cached(("x",), _built("second")[0]) == b"second"


def test_an_evicted_generation_never_revives_an_older_body():
    cache.cached(("x",), _built("old")[0])
    shared.delete(cache.GENERATION_KEY)  # evicted, say, under memory pressure
    assert cache.slot(("x",)).body is None
    cache.bump()  # a bump with no counter starts a new one
    assert cache.cached(("x",), _built("new")[0]) == b"new"


def test_keys_differ_by_every_part():
    cache.cached(("x", "en"), _built("en")[0])
    assert cache.slot(("x", "zh-hans")).body is None


@pytest.mark.parametrize("failing", ["get_many", "set"])
def test_the_cache_fails_open(monkeypatch, caplog, failing):
    def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(shared, failing, broken)
    caplog.set_level(logging.WARNING, logger="licensing.cache")  # whatever level the suite's loggers have
    build, calls = _built("fresh")
    assert cache.cached(("x",), build) == b"fresh"
    assert cache.cached(("x",), build) == b"fresh"
    assert calls == ["fresh", "fresh"]
    assert "cache unavailable" in caplog.text


def test_a_licenses_own_body_is_invalidated_by_its_stamp_and_the_shared_generation():
    cache.cached(("a",), _built("a")[0], license="A")
    cache.cached(("b",), _built("b")[0], license="B")
    cache.cached(("list",), _built("list")[0])
    cache.bump(shared=False, licenses=["A"])
    assert cache.slot(("a",), license="A").body is None
    assert cache.slot(("b",), license="B").body == b"b"  # another license's body stays
    assert cache.slot(("list",)).body is None  # what shows every license does not
    cache.bump()  # an operator or an authority changed: every license's own body goes too
    assert cache.slot(("b",), license="B").body is None


@pytest.mark.django_db
def test_a_failure_to_read_the_lines_of_renewals_invalidates_everything(monkeypatch, caplog):
    from licensing import history

    from . import factories

    license = factories.license_in("active")
    cache.cached(("other",), _built("other")[0], license="330100-2026-9999")

    def failing(licenses):
        raise history.License.DoesNotExist("connection lost")

    monkeypatch.setattr(cache, "renewal_line_numbers", failing)
    cache.bump_license(license)
    assert cache.slot(("other",), license="330100-2026-9999").body is None
    assert "invalidating every license's cache" in caplog.text


@pytest.mark.django_db
def test_synthetic_licenses_invalidate_what_lists_licenses(django_capture_on_commit_callbacks):
    import datetime

    from licensing.synthetic import generate

    # A first run makes the authorities and domains (saves, whose signals invalidate anyway); a second
    # finds them and only bulk-inserts, which sends no signal: generate must invalidate by itself.
    generate(5, datetime.date(2026, 11, 29))
    cache.cached(("list",), _built("list")[0])
    with django_capture_on_commit_callbacks(execute=True):
        generate(5, datetime.date(2026, 11, 29))
    assert cache.slot(("list",)).body is None
