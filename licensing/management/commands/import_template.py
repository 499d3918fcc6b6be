from pathlib import Path

from django.core.management.base import BaseCommand

from licensing import import_template
from licensing.import_example import EXAMPLE_ROWS


class Command(BaseCommand):
    help = (
        "Write the import template's files into DIRECTORY (the repository's docs/): import-template.csv, "
        "import-template.xlsx, import-example.xlsx and import.md, all from licensing/import_template.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        files = {
            "import-template.csv": import_template.csv_bytes(),
            "import-template.xlsx": import_template.xlsx_bytes(),
            "import-example.xlsx": import_template.xlsx_bytes(EXAMPLE_ROWS),
            "import.md": import_template.markdown().encode(),
        }
        for name, content in files.items():
            (target / name).write_bytes(content)
            self.stdout.write(f"wrote {target / name}")
