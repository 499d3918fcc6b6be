"""The cache of a set-up without Redis: Django's file-based cache, shared by every process on the machine
(the server and the commands that change licenses), with increments made atomic across processes.

licensing.cache invalidates cached bodies by incrementing counters. Django's file cache increments by a
read and a write, so two processes bumping at once could both write the same value, and a body built
between one change and the other would be served after both. Here an increment holds an exclusive lock
on a file in the cache's folder; the rest (get, set, add) is the file cache's own: each entry is written
to a temporary file and renamed into place, so a reader never sees half an entry, and what a race of
`add` can cost is a cache miss, never a stale body.
"""

import os

from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class SharedFileCache(FileBasedCache):
    lock_name = "incr.lock"  # not a *.djcache file: never culled nor cleared

    def incr(self, key, delta=1, version=None):
        self._createdir()
        with open(os.path.join(self._dir, self.lock_name), "a") as lock:
            locks.lock(lock, locks.LOCK_EX)
            try:
                return super().incr(key, delta, version)
            finally:
                locks.unlock(lock)
