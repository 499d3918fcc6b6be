"""Browser tests: Playwright driving the system's Chromium against pytest-django's live server.

They are slow, so they run with RUN_SLOW=1 (CI's second pass). There, a missing Chromium fails the run;
elsewhere it skips, saying why. Playwright's own browser download is never used.
"""

import os
from pathlib import Path

import pytest

from ..conftest import RUN_SLOW

# Playwright's sync API runs an event loop in this thread; the tests also use the ORM directly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        why = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if RUN_SLOW:
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
