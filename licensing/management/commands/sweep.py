from django.core.management.base import BaseCommand

from licensing.sweep import run_full_sweep


class Command(BaseCommand):
    help = (
        "Run the sweep once, now: activate licenses whose term has started, end those whose term passed, "
        "record the expiry reminders owed and enqueue every email owed."
    )

    def handle(self, *args, **options):
        report = run_full_sweep()
        self.stdout.write(f"Sweep done: {report.lifecycle}.")
        self.stdout.write(f"Reminders recorded {report.reminders}; emails enqueued {report.enqueued}.")
