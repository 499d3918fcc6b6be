from django.core.management.base import BaseCommand

from licensing.api import snapshots


class Command(BaseCommand):
    help = (
        "Write today's snapshot of the register now (every download file in one zip, with the events "
        "cursor), replacing one written earlier today, and remove those past LICENSING_SNAPSHOT_DAYS."
    )

    def handle(self, *args, **options):
        snapshot = snapshots.write()
        rows = snapshot.manifest().get("rows", {})
        counted = ", ".join(f"{name} {count}" for name, count in rows.items() if name.endswith(".jsonl"))
        self.stdout.write(f"Snapshot written: {snapshot.path} ({snapshot.size} bytes; {counted}).")
