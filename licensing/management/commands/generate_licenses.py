import time

from django.core.management.base import BaseCommand, CommandError

from licensing.dates import local_today
from licensing.synthetic import generate


class Command(BaseCommand):
    help = (
        "Create N synthetic licenses (marked origin=synthetic) with operators, authorities and events, "
        "by bulk inserts; about 1% are due for the sweep. For benchmarks, never for real records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many licenses to create.")

    def handle(self, *args, count, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.perf_counter()
        step = max(count // 10, 1)

        def progress(done):
            if done % step < 5000 or done == count:
                rate = done / max(time.perf_counter() - started, 1e-9)
                self.stdout.write(f"  {done:,} / {count:,} licenses ({rate:,.0f}/s)")

        result = generate(count, local_today(), progress)
        self.stdout.write(
            f"Created {result.licenses:,} licenses, {result.events:,} events, {result.operators:,} operators "
            f"and {result.authorities} authorities in {time.perf_counter() - started:.1f} s; due: "
            f"{result.due['activation']:,} to activate, {result.due['expiry']:,} to end, "
            f"{result.due['reminder']:,} to remind."
        )
