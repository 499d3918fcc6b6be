#!/usr/bin/env python
"""Benchmark of the license import: generates a file of N rows (10,000 by default) in the import template's
format, imports it through licensing.imports (every license through the lifecycle service with the days
of its acts), then imports the same rows again from another file; prints seconds. Not a test.

Runs on the PostgreSQL server of DATABASE_URL, in a scratch database of its own (created, migrated and
dropped again; --keep keeps it), so the configured database is never touched. The rows: ten grantors in
Zhejiang, an operator for every 20 rows, and histories of every kind (most granted and in force; some
expired, suspended, revoked, terminated, listed or withdrawn).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry .venv/bin/python bench/imports.py [--count 10000]
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from licensing import import_template, imports  # noqa: E402
from licensing.dates import local_today  # noqa: E402
from licensing.identifiers import uscc_check_character  # noqa: E402
from licensing.models import Authority, License  # noqa: E402

D = datetime.timedelta
DIVISIONS = [
    "330000",
    "330100",
    "330200",
    "330300",
    "330400",
    "330500",
    "330600",
    "330700",
    "330800",
    "331000",
]


def rows(count: int, today: datetime.date, seed: int = 16) -> list[dict]:
    """`count` template rows with histories of every kind, all in the past of `today`."""
    pick = random.Random(seed)
    generated = []
    for index in range(count):
        division = DIVISIONS[index % len(DIVISIONS)]
        body = f"91330000MA{index // 20:07d}"
        start = today - D(days=pick.randint(30, 1500))
        end = start + D(days=pick.randint(365, 5 * 365 - 2))
        row = {
            "reference": f"BENCH-{index:06d}",
            "title": f"基准测试公共数据授权运营 {index}",
            "grantor_division": division,
            "operator": f"基准测试数据有限公司 {index // 20}",
            "operator_uscc": body + uscc_check_character(body),
            "domains": pick.choice(["医疗健康", "交通运输；金融", "教育", "气象"]),
            "mode": "分领域授权",
            "scope": "基准测试数据。",
            "term_start": start.isoformat(),
            "term_end": end.isoformat(),
            "granted_on": (start - D(days=pick.randint(0, 30))).isoformat(),
        }
        kind = pick.random()
        running_until = min(end, today - D(days=1))
        if kind < 0.08 and running_until > start + D(days=2):
            row |= {"suspended_on": (start + D(days=1)).isoformat(), "suspension_reason": "整改。"}
        elif kind < 0.14 and running_until > start + D(days=2):
            row |= {"ended_on": (start + D(days=2)).isoformat(), "end_kind": "已撤销", "end_reason": "违规。"}
        elif kind < 0.18 and running_until > start + D(days=2):
            row |= {"ended_on": (start + D(days=2)).isoformat(), "end_kind": "已终止", "end_reason": "协商。"}
        elif kind < 0.22:
            listed = today - D(days=pick.randint(5, 60))
            row |= {"granted_on": "", "operator": "", "operator_uscc": "", "term_start": "", "term_end": ""}
            row |= {"listed_on": listed.isoformat()}
            if kind < 0.20:
                row |= {
                    "ended_on": (listed + D(days=3)).isoformat(),
                    "end_kind": "已撤回",
                    "end_reason": "流标。",
                }
        generated.append(row)
    return generated


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="rows to import (default 10000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL server: the figures are for PostgreSQL")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_imports_bench"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for division in DIVISIONS:
            Authority.objects.create(division_code=division, name=f"基准测试数据局 {division}")
        user = get_user_model().objects.create_user("bench", is_staff=True, is_superuser=True)
        data = import_template.csv_bytes(rows(args.count, local_today()))
        print(f"database          {name} (scratch)")
        print(f"file              {args.count:,} rows, {len(data) / 1e6:.1f} MB (CSV)")
        for label, payload in (("dry run", data), ("import", data), ("same rows again", data + b"\n")):
            started = time.perf_counter()
            result = imports.import_licenses(
                payload, "bench.csv", actor=user, dry_run=label == "dry run", progress=_progress
            )
            seconds = time.perf_counter() - started
            sys.stderr.write("\n")
            if result.problems:
                raise SystemExit("\n".join(result.problem_lines()[:20]))
            print(
                f"{label:<17} {seconds:.1f} s: {result.created:,} created, {result.amended:,} amended, "
                f"{result.unchanged:,} unchanged ({args.count / seconds:,.0f} rows/s)"
            )
        statuses = License.objects.values_list("status", flat=True)
        print(f"licenses          {statuses.count():,}: " + ", ".join(sorted({*statuses})))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


def _progress(stage, done, total):
    if done % 1000 == 0 or done == total:
        sys.stderr.write(f"\r  {stage} {done:,}/{total:,} rows")


if __name__ == "__main__":
    main()
