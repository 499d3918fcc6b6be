"""Caching of public read representations (API responses, pages), invalidated by a generation counter.

Every committed change to licenses, their events, operators or authorities bumps one counter in the shared
cache. Each cached body is stored with the generation it was built at (under a key made of the request's
path, query, language and the local day), and is served only while that is still the current generation:
so a change is visible at once on every process, and a hit costs one round trip to the cache (the counter
and the entry are read together) and no database query at all. Coarse on purpose: reads outnumber writes
by orders of magnitude, and a key that could miss a dependency would be worse than a few more misses.

The cache fails open: with Redis unreachable, bodies are built afresh and the failure is logged.
"""

import hashlib
import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from .dates import local_today

logger = logging.getLogger(__name__)

GENERATION_KEY = "licensing:generation"
TIMEOUT = 600
UNAVAILABLE = object()


def _fresh_generation() -> int:
    # A counter started anew (after an eviction) must not meet a generation some entry was stored with.
    return time.time_ns()


def _key(parts: tuple) -> str:
    raw = repr((local_today().isoformat(), *parts)).encode()
    return "licensing:body:" + hashlib.sha256(raw).hexdigest()


def _read(key: str):
    """(the current generation, the entry's body if it was built at that generation), in one round trip;
    UNAVAILABLE when the cache cannot be used."""
    try:
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        if current is None:  # never set, or evicted: start a new one
            cache.add(GENERATION_KEY, _fresh_generation(), None)
            return cache.get(GENERATION_KEY), None
    except Exception as error:  # any failure of the cache means: no caching
        logger.warning("cache unavailable, serving uncached: %s", error)
        return UNAVAILABLE
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return current, entry[1]
    return current, None


def lookup(parts: tuple) -> bytes | None:
    """The body cached for `parts` if there is a current one; never builds."""
    read = _read(_key(parts))
    return None if read is UNAVAILABLE else read[1]


def cached(parts: tuple, build: Callable[[], bytes]) -> bytes:
    """The body for `parts` (path, query, language, ...) from the cache, or built and stored."""
    key = _key(parts)
    read = _read(key)
    if read is UNAVAILABLE:
        return build()
    current, body = read
    if body is None:
        # Stored with the generation read before building: a change committed meanwhile has bumped it,
        # so this entry is never served after that change.
        body = build()
        try:
            cache.set(key, (current, body), TIMEOUT)
        except Exception as error:
            logger.warning("cache unavailable, not stored: %s", error)
    return body


def bump() -> None:
    """Invalidate every cached representation (on commit of the change that calls it)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted or never set)
        try:
            cache.set(GENERATION_KEY, _fresh_generation(), None)
        except Exception as error:
            logger.warning("cache unavailable, could not invalidate: %s", error)
    except Exception as error:
        logger.warning("cache unavailable, could not invalidate: %s", error)


def bump_on_commit(*args, **kwargs) -> None:
    """Signal receiver: invalidate once the change has committed (connected in LicensingConfig.ready)."""
    transaction.on_commit(bump, robust=True)
