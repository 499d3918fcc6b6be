"""Browser tests: Playwright driving the system's Chromium against pytest-django's live server.

They are slow, so they run with RUN_SLOW=1 (CI's second pass). There, a missing Chromium fails the run;
elsewhere it skips, saying why. Playwright's own browser download is never used.
"""

import dataclasses
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from licensing.sweep import run_sweep

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


@pytest.fixture
def demo():
    """The demo data as `make run` loads it, with statuses made current by the sweep."""
    call_command("load_demo", stdout=io.StringIO())
    run_sweep()


# The screens a new user reads the site on: a common laptop and a common phone.
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}
LANGUAGES = ("zh-hans", "en")


@dataclasses.dataclass
class Visitor:
    page: object
    language: str
    screen: str
    base: str

    @property
    def chinese(self) -> bool:
        return self.language == "zh-hans"

    def goto(self, path: str):
        return self.page.goto(f"{self.base}{path}")


def _visitor_ids(param):
    return "-".join(param)


@pytest.fixture(params=[(lang, screen) for lang in LANGUAGES for screen in SCREENS], ids=_visitor_ids)
def visitor(request, browser, live_server):
    """A fresh browser context for each language (the cookie the language switcher sets) and each screen
    (a phone is a touch device)."""
    language, screen = request.param
    phone = screen == "phone"
    context = browser.new_context(
        locale="zh-CN" if language == "zh-hans" else "en-US",
        viewport=SCREENS[screen],
        is_mobile=phone,
        has_touch=phone,
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    yield Visitor(context.new_page(), language, screen, live_server.url)
    context.close()
