"""The README's screenshots, taken by the browser tests from the demo data.

Every run takes them (a page that renders blank fails here), but only `UPDATE_SCREENSHOTS=1` writes them
into docs/: otherwise each test run would rewrite the tracked images with what its clock and machine
happened to show."""

import os
import tempfile
from pathlib import Path

from django.conf import settings

DOCS = Path(settings.BASE_DIR) / "docs"
MIN_BYTES = 10_000  # a blank 1366 px page compresses to about 5 KB


def take(page, name: str, *, full_page: bool = True) -> Path:
    """Screenshot `page` as docs/`name` (or a scratch copy of it), once it has loaded and painted."""
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(requestAnimationFrame)")
    scratch = Path(tempfile.gettempdir()) / "screenshots"
    folder = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else scratch
    folder.mkdir(exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > MIN_BYTES, f"{name} looks blank"
    return path
