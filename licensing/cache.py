"""Caching of public read representations (API responses, pages), invalidated by counters.

Each cached body is stored (under a key made of the request's path, query, language and the local day)
with the values of the counters it depends on when it was built, and is served only while they are all
still current: so a committed change is visible at once on every process, and reading a body costs one
round trip to the cache (the counters and the entry are read together) and no database query at all.

- Most bodies (lists, verdicts, the home page) depend on every license: they are checked against the
  generation, which every committed change bumps.
- A license's own representation (its API detail and its page) is checked against a stamp of that
  license, bumped when it or a license in its line of renewals changes, and the shared generation,
  bumped by changes to what licenses show from elsewhere (authorities, operators, domains, products,
  findings). So a change to one license leaves every other license's cached detail in place.

Coarse on purpose otherwise: a key that could miss a dependency would be worse than a few more misses.

The cache fails open: with Redis unreachable, bodies are built afresh and the failure is logged.
"""

import contextlib
import contextvars
import dataclasses
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

from .dates import local_today
from .history import renewal_line_numbers

logger = logging.getLogger(__name__)

GENERATION_KEY = "licensing:generation"
SHARED_KEY = "licensing:generation:shared"
TIMEOUT = 600
# A stamp that has gone (expired or evicted) is started anew, with a value no stored body matches.
STAMP_TIMEOUT = 2 * TIMEOUT
SHARED_COUNTERS = (GENERATION_KEY, SHARED_KEY)


def _stamp_key(number: str) -> str:
    return f"licensing:license:{number}"


def _counters(license: str | None) -> list[str]:
    return [SHARED_KEY, _stamp_key(license)] if license else [GENERATION_KEY]


def _fresh_generation() -> int:
    # A counter started anew (or a stamp bumped) must not meet a value some entry was stored with: a
    # random one will not (not a clock's reading: two can be equal), and Redis can still increment it.
    return secrets.randbits(62)


def _key(parts: tuple) -> str:
    raw = repr((local_today().isoformat(), *parts)).encode()
    return "licensing:body:" + hashlib.sha256(raw).hexdigest()


def _timeout(counter: str) -> int | None:
    return None if counter in SHARED_COUNTERS else STAMP_TIMEOUT


@dataclasses.dataclass
class Slot:
    """Where the body for some parts is cached: what it holds now, and the counters' values to store a
    new body with. `current` is None when the cache cannot be used (nothing is then stored)."""

    key: str
    current: tuple | None
    body: bytes | None

    def store(self, body: bytes) -> None:
        # Stored with the counters read before building: a change committed meanwhile has bumped one,
        # so this entry is never served after that change.
        self.body = body
        if self.current is None:
            return
        try:
            cache.set(self.key, (self.current, body), TIMEOUT)
        except Exception as error:
            logger.warning("cache unavailable, not stored: %s", error)


def slot(parts: tuple, license: str | None = None) -> Slot:
    """The slot for `parts` (path, query, language, ...), read in one round trip: the counters and the
    entry together; its body is there only if it was built at the counters' current values. `license`:
    the number of the license whose own representation this is (see the module's note)."""
    key, counters = _key(parts), _counters(license)
    try:
        found = cache.get_many([*counters, key])
        for counter in counters:
            if counter not in found:  # never set, expired or evicted: start it anew
                fresh = _fresh_generation()
                found[counter] = fresh if cache.add(counter, fresh, _timeout(counter)) else cache.get(counter)
    except Exception as error:  # any failure of the cache means: no caching
        logger.warning("cache unavailable, serving uncached: %s", error)
        return Slot(key, None, None)
    current = tuple(found[counter] for counter in counters)
    entry = found.get(key)
    return Slot(key, current, entry[1] if entry is not None and entry[0] == current else None)


def cached(parts: tuple, build: Callable[[], bytes], license: str | None = None) -> bytes:
    """The body for `parts` from the cache, or built and stored."""
    return filled(slot(parts, license), build)


def filled(found: Slot, build: Callable[[], bytes]) -> bytes:
    """The slot's body, built and stored if it has none."""
    if found.body is None:
        found.store(build())
    return found.body


def _increment(counter: str) -> None:
    try:
        cache.incr(counter)
    except ValueError:  # not there (expired, evicted or never set): any fresh value invalidates as well
        cache.set(counter, _fresh_generation(), None)


def bump(*, shared: bool = True, licenses: Iterable[str] = ()) -> None:
    """Invalidate cached representations: everything that depends on all licenses; with `shared`, also
    every license's own; and the own representations of the licenses numbered in `licenses`."""
    try:
        _increment(GENERATION_KEY)
        if shared:
            _increment(SHARED_KEY)
        # A fresh value invalidates a stamp as an increment would, and all of them go in one round trip.
        fresh = _fresh_generation()
        stamps = {_stamp_key(number): fresh for number in licenses}
        if stamps:
            cache.set_many(stamps, STAMP_TIMEOUT)
    except Exception as error:
        logger.warning("cache unavailable, could not invalidate: %s", error)


def bump_on_commit(*args, **kwargs) -> None:
    """Signal receiver for changes to what licenses show from elsewhere (authorities, operators, ...):
    invalidate everything once the change has committed (connected in LicensingConfig.ready)."""
    transaction.on_commit(bump, robust=True)


# The licenses changed while bumps are held together (bumped_together), or None when they are not.
_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("licensing_cache_held", default=None)


def bump_license(license, **kwargs) -> None:
    """Receiver of signals.license_changed (sent after commit): invalidate what depends on all licenses
    and the own representations of the license and of its line of renewals, whose pages show it."""
    held = _held.get()
    if held is not None:
        held.append(license)
    else:
        _bump_licenses([license])


def _bump_licenses(licenses: list) -> None:
    try:
        numbers = renewal_line_numbers(licenses)
    except Exception:  # the database failed us after the commit: invalidate every license's own instead
        logger.exception("could not read the lines of renewals; invalidating every license's cache")
        bump()
    else:
        bump(shared=False, licenses=numbers)


@contextlib.contextmanager
def bumped_together():
    """Within this block, the invalidations of changed licenses wait and are made at its end, all at
    once: a query per step along their longest line of renewals and one round trip for their stamps,
    rather than that for each. For bulk changes (the sweep, a group at a time), whose commits all happen
    in the block."""
    held = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        if held:
            _bump_licenses(held)
