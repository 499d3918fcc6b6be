"""lifecycle_bulk: many new licenses through the lifecycle's rules at once. It must write what
create_license and transition() write for the same history, and refuse what they refuse, writing nothing."""

import datetime

import pytest

from licensing import lifecycle, lifecycle_bulk
from licensing.lifecycle_bulk import Act, History
from licensing.models import License, LicenseEvent

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.date

HISTORIES = [
    # (term, acts): granted and in force; expired; listed then withdrawn; suspended then revoked.
    (
        (D(2024, 3, 1), D(2027, 2, 28)),
        [Act("list", D(2024, 1, 10)), Act("grant", D(2024, 2, 20)), Act("activate")],
    ),
    ((D(2021, 1, 1), D(2023, 12, 31)), [Act("grant", D(2020, 12, 1)), Act("activate"), Act("expire")]),
    (None, [Act("list", D(2025, 5, 1)), Act("withdraw", D(2025, 5, 9), "无人报名。")]),
    (
        (D(2024, 1, 1), D(2028, 12, 31)),
        [
            Act("grant", D(2023, 12, 1)),
            Act("activate", D(2024, 1, 2)),
            Act("suspend", D(2025, 1, 1), "整改。"),
            Act("revoke", D(2025, 6, 1), "未整改。"),
        ],
    ),
]


def _fields(grantor, operator, term, title):
    fields = {"title": title, "grantor": grantor, "data_domains": ["health"], "scope": "测试数据。"}
    if term:
        fields |= {"operator": operator, "term_start": term[0], "term_end": term[1]}
    return fields


def _written(license):
    events = license.events.order_by("id").values_list(
        "action", "from_status", "to_status", "occurred_on", "reason"
    )
    return (license.status, license.version, (license.number or "")[:11], list(events))


def test_the_bulk_writes_what_the_lifecycle_writes_for_the_same_histories():
    grantor, operator = factories.authority("330100"), factories.operator()
    one_by_one = []
    for position, (term, acts) in enumerate(HISTORIES):
        license = lifecycle.create_license(
            actor=None, occurred_on=D(2020, 1, 1), **_fields(grantor, operator, term, f"one {position}")
        )
        for act in acts:
            lifecycle.transition(
                license,
                act.action,
                actor=None,
                reason=act.reason,
                expected_version=license.version,
                occurred_on=act.day,
                term_acts=False,
            )
        one_by_one.append(_written(license))
    histories = [
        History(_fields(grantor, operator, term, f"bulk {position}"), D(2020, 1, 1), acts)
        for position, (term, acts) in enumerate(HISTORIES)
    ]

    lifecycle_bulk.create_with_histories(histories, actor=None)

    assert [_written(License.objects.get(pk=history.license.pk)) for history in histories] == one_by_one
    numbers = [history.license.number for history in histories if history.license.number]
    assert len(set(numbers)) == len(numbers) == 4


@pytest.mark.parametrize(
    ("acts", "refused_at", "field"),
    [
        ([Act("grant", D(2024, 2, 20)), Act("suspend", D(2024, 1, 1), "x")], 1, "action"),
        ([Act("grant", D(2024, 2, 20)), Act("activate", D(2024, 2, 21))], 1, "occurred_on"),
        ([Act("grant", D(2024, 2, 20)), Act("activate"), Act("revoke", D(2024, 3, 5))], 2, "reason"),
        ([Act("list", D(2024, 2, 20)), Act("grant", D(2024, 2, 10))], 1, "occurred_on"),
        ([Act("grant", D(2030, 1, 1))], 0, "occurred_on"),
    ],
)
def test_a_refused_act_is_named_and_nothing_is_written(acts, refused_at, field):
    grantor, operator = factories.authority("330100"), factories.operator()
    good = History(_fields(grantor, operator, (D(2024, 3, 1), D(2026, 2, 28)), "good"), D(2024, 1, 1), [])
    bad = History(_fields(grantor, operator, (D(2024, 3, 1), D(2026, 2, 28)), "bad"), D(2024, 1, 1), acts)
    before = (License.objects.count(), LicenseEvent.objects.count())

    with pytest.raises(lifecycle_bulk.HistoriesRefused) as refusal:
        lifecycle_bulk.create_with_histories([good, bad], actor=None)

    assert list(refusal.value.refused) == [1]
    act, error = refusal.value.refused[1]
    assert act == refused_at and field in error.errors
    assert (License.objects.count(), LicenseEvent.objects.count()) == before


def test_a_grant_without_an_operator_is_refused_like_the_lifecycle_refuses_it():
    grantor = factories.authority("330100")
    fields = _fields(grantor, None, (D(2024, 3, 1), D(2026, 2, 28)), "no operator")
    with pytest.raises(lifecycle_bulk.HistoriesRefused) as refusal:
        lifecycle_bulk.create_with_histories(
            [History(fields, D(2024, 1, 1), [Act("grant", D(2024, 2, 1))])], actor=None
        )
    assert refusal.value.refused[0][0] == 0 and "operator" in refusal.value.refused[0][1].errors
