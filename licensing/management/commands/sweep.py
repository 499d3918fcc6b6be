from django.core.management.base import BaseCommand

from licensing.reminders import run_sweep


class Command(BaseCommand):
    help = "Run the sweep once, now: activate licenses whose term has started; end those whose term passed."

    def handle(self, *args, **options):
        result = run_sweep()
        self.stdout.write(f"Sweep done: {result}.")
