"""The verdict on an entity, and search by what a person types."""

import datetime

import pytest
import time_machine

from licensing import lifecycle
from licensing.choices import LicenseStatus
from licensing.models import License, Operator
from licensing.search import operators_named, search_licenses
from licensing.verify import Headline, QueryError, verdict

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


def _granted(operator, start, days, **fields):
    license = factories.draft(operator=operator, term_start=start, term_end=start + D(days=days), **fields)
    lifecycle.transition(
        license, "grant", actor=None, expected_version=license.version, occurred_on=min(start, TODAY)
    )
    return license


def test_uscc_typed_in_lower_case_and_full_width_finds_the_operator():
    operator = factories.operator(name="之江示例数据科技有限公司")
    license = _granted(operator, TODAY - D(days=10), 100)
    typed = operator.uscc.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    result = verdict(uscc=" " + typed[:6] + " " + typed[6:])
    assert result.headline == Headline.LICENSED
    assert result.operators == [operator]
    assert result.until == license.term_end
    assert [item.license for item in result.in_force] == [license]


def test_name_or_alias_in_any_writing_finds_the_operator():
    operator = factories.operator(
        name="阿里健康（杭州）", name_en="Ali Health", aliases="Alibaba Health\n阿里巴巴健康"
    )
    _granted(operator, TODAY - D(days=10), 100)
    for typed in ("阿里健康(杭州)", "ali  health", "ALIBABA HEALTH", "阿里巴巴健康"):
        assert verdict(name=typed).operators == [operator], typed
    assert verdict(name="阿里").headline == Headline.NO_LICENSE  # a name must match, not a fragment


def test_headline_precedence():
    operator = factories.operator()
    assert verdict(uscc=operator.uscc).headline == Headline.NO_LICENSE
    listing = factories.license_in("listed", operator=operator)
    listed = verdict(uscc=operator.uscc)
    assert listed.headline == Headline.LISTED
    assert str(listed.headline_label) == "Listed, not licensed yet"
    lifecycle.transition(
        listing, "withdraw", actor=None, reason="Suspended listing.", expected_version=listing.version
    )
    assert verdict(uscc=operator.uscc).headline == Headline.WITHDRAWN_ONLY
    factories.license_in("revoked", operator=operator)
    ended = verdict(uscc=operator.uscc)
    assert ended.headline == Headline.ENDED
    assert ended.licenses[0].ended_on == TODAY and str(ended.licenses[0].ended_by) == "Revoke"
    _granted(operator, TODAY + D(days=5), 100)
    assert verdict(uscc=operator.uscc).headline == Headline.NOT_YET_IN_FORCE
    suspended = factories.license_in("suspended", operator=operator)
    assert verdict(uscc=operator.uscc).headline == Headline.SUSPENDED
    _granted(operator, TODAY - D(days=5), 100)
    result = verdict(uscc=operator.uscc)
    assert result.headline == Headline.LICENSED
    assert [item.headline for item in result.licenses][:2] == [Headline.LICENSED, Headline.SUSPENDED]
    assert suspended in [item.license for item in result.licenses]


def test_drafts_never_count():
    operator = factories.operator()
    factories.draft(operator=operator)
    assert verdict(uscc=operator.uscc).headline == Headline.NO_LICENSE


def test_domain_narrows_the_licenses_that_count():
    operator = factories.operator()
    _granted(operator, TODAY - D(days=5), 100, data_domains=["health"])
    assert verdict(uscc=operator.uscc, domain="health").headline == Headline.LICENSED
    assert verdict(uscc=operator.uscc, domain="transport").headline == Headline.NO_LICENSE


def test_a_live_listing_ranks_after_a_grant_and_before_an_ended_license():
    operator = factories.operator()
    factories.license_in("revoked", operator=operator)
    factories.license_in("withdrawn", operator=operator)
    assert verdict(uscc=operator.uscc).headline == Headline.ENDED
    factories.license_in("listed", operator=operator)
    assert verdict(uscc=operator.uscc).headline == Headline.LISTED
    _granted(operator, TODAY + D(days=5), 100)
    assert verdict(uscc=operator.uscc).headline == Headline.NOT_YET_IN_FORCE


def test_state_on_a_past_day_comes_from_the_history():
    operator = factories.operator()
    start = TODAY - D(days=400)
    _granted(operator, start, 200)  # recorded as granted on its first day; expired the day after its last
    assert verdict(uscc=operator.uscc, on=start - D(days=1)).headline == Headline.NO_LICENSE
    assert verdict(uscc=operator.uscc, on=start + D(days=10)).headline == Headline.LICENSED
    past = verdict(uscc=operator.uscc, on=start + D(days=300))
    assert past.headline == Headline.ENDED
    assert past.licenses[0].ended_on == start + D(days=201)
    assert verdict(uscc=operator.uscc).headline == Headline.ENDED


def test_a_future_day_plays_the_calendar_forward():
    operator = factories.operator()
    license = _granted(operator, TODAY + D(days=10), 30)
    assert verdict(uscc=operator.uscc, on=TODAY + D(days=15)).headline == Headline.LICENSED
    later = verdict(uscc=operator.uscc, on=TODAY + D(days=60))
    assert later.headline == Headline.ENDED
    assert later.licenses[0].ended_on == license.term_end + D(days=1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "uscc"),
        ({"uscc": "91110000600037341X"}, "uscc"),
        ({"name": "x", "domain": "astrology"}, "domain"),
    ],
)
def test_bad_questions_name_the_parameter(kwargs, field):
    with pytest.raises(QueryError) as refused:
        verdict(**kwargs)
    assert field in refused.value.errors


def test_verdict_queries_do_not_grow_with_licenses(django_assert_max_num_queries):
    operator = factories.operator()
    for _ in range(8):
        _granted(operator, TODAY - D(days=5), 100)
    # Operators, licenses, their domains, events and products (for the flags), findings.
    with django_assert_max_num_queries(6):
        assert len(verdict(uscc=operator.uscc).licenses) == 8


def test_terms_ended_before_the_sweep_ran_are_judged_without_a_query_each(django_assert_max_num_queries):
    operator = factories.operator()
    # Granted and renewed while the terms ran, twenty days ago.
    with time_machine.travel(datetime.datetime(2026, 11, 9, 2, tzinfo=datetime.UTC), tick=False):
        ended = [_granted(operator, TODAY - D(days=40), 30) for _ in range(4)]
        renewed = _granted(operator, TODAY - D(days=40), 30)
        successor = lifecycle.renew(
            renewed, term_end=TODAY + D(days=300), actor=None, expected_version=renewed.version
        )
    # No sweep yet: the five terms ended ten days ago, and the verdict plays the calendar forward.
    with django_assert_max_num_queries(6):
        judged = verdict(uscc=operator.uscc)
    assert {item.license.pk: item.status for item in judged.licenses} == {
        **{license.pk: LicenseStatus.EXPIRED for license in ended},
        renewed.pk: LicenseStatus.RENEWED,
        successor.pk: LicenseStatus.ACTIVE,
    }


def test_search_finds_licenses_by_number_title_name_and_code():
    operator = factories.operator(name="阿里健康", name_en="Ali Health")
    license = _granted(operator, TODAY - D(days=5), 100, title="杭州市公共数据授权运营（医疗健康领域）")
    other = _granted(factories.operator(name="Other Co"), TODAY - D(days=5), 100, title="Bus data")
    everything = License.objects.all()
    for typed in (
        "阿里健康",
        "ali health",
        "医疗健康",
        license.number,
        operator.uscc.lower(),
        operator.uscc[-8:],
    ):
        found = set(search_licenses(everything, typed))
        assert license in found and other not in found, typed
    assert set(search_licenses(everything, "  ")) == {license, other}
    assert list(operators_named("ALI HEALTH")) == [operator]
    assert not Operator.objects.filter(name_keys="").exists()


def _plan(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_postgres_search_uses_the_trigram_indexes():
    plan = _plan(search_licenses(License.objects.all(), "医疗健康"))
    assert "licensing_license_title_trgm" in plan and "licensing_license_number_trgm" in plan, plan
    for column in ("name", "name_en", "aliases"):
        plan = _plan(Operator.objects.filter(**{f"{column}__icontains": "阿里健康"}))
        assert f"licensing_operator_{column}_trgm" in plan, plan
    assert "licensing_operator_uscc_trgm" in _plan(Operator.objects.filter(uscc__contains="0037341"))
    assert "licensing_operator_name_keys_trgm" in _plan(operators_named("阿里健康"))
