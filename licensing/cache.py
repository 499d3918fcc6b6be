"""Caching of public read representations (API responses, pages), invalidated by a generation counter.

Every committed change to licenses, their events, operators or authorities bumps one counter in the shared
cache; cached bodies are keyed by it (with the request's path, query, language and the local day), so a
change is visible at once on every process, and a hit costs no database query at all. Coarse on purpose:
reads outnumber writes by orders of magnitude, and a key that could miss a dependency would be worse
than a few more misses.

The cache fails open: with Redis unreachable, bodies are built afresh and the failure is logged.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from .dates import local_today

logger = logging.getLogger(__name__)

GENERATION_KEY = "licensing:generation"
TIMEOUT = 600


def generation() -> int | None:
    """The current generation, or None when the cache cannot be used."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, 1, None)
            value = cache.get(GENERATION_KEY, 1)
        return value
    except Exception as error:  # any failure of the cache means: no caching
        logger.warning("cache unavailable, serving uncached: %s", error)
        return None


def bump() -> None:
    """Invalidate every cached representation (on commit of the change that calls it)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted or never set): any new value differs from what was keyed
        try:
            cache.set(GENERATION_KEY, 1, None)
        except Exception as error:
            logger.warning("cache unavailable, could not invalidate: %s", error)
    except Exception as error:
        logger.warning("cache unavailable, could not invalidate: %s", error)


def bump_on_commit(*args, **kwargs) -> None:
    """Signal receiver: invalidate once the change has committed (connected in LicensingConfig.ready)."""
    transaction.on_commit(bump, robust=True)


def cached(parts: tuple, build: Callable[[], bytes]) -> bytes:
    """The body for `parts` (path, query, language, ...) from the cache, or built and stored."""
    current = generation()
    if current is None:
        return build()
    raw = repr((current, local_today().isoformat(), *parts)).encode()
    key = "licensing:body:" + hashlib.sha256(raw).hexdigest()
    try:
        body = cache.get(key)
    except Exception as error:
        logger.warning("cache unavailable, serving uncached: %s", error)
        return build()
    if body is None:
        body = build()
        try:
            cache.set(key, body, TIMEOUT)
        except Exception as error:
            logger.warning("cache unavailable, not stored: %s", error)
    return body
