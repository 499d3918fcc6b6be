from django.core.management.base import BaseCommand

from licensing import notifications
from licensing.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data: the Hangzhou and Hengyang seed cases and a dozen invented licenses "
        "(marked as demo). Safe to run again: what exists is kept."
    )

    def handle(self, *args, **options):
        with notifications.suppressed():  # loading records: nobody is told of changes made long ago
            result = load_demo()
        self.stdout.write(f"Demo data: {result}.")
