"""Django's file cache, counting its files less often and compressing them faster: the cache of whole public pages
(and of what the search works out) on a node without Redis.

`FileBasedCache` lists its whole directory at every `set` to decide whether to cull (about 5 ms at 5,000 pages
on a busy machine: a fifth of rendering a page). Here each process does at one `set` in `CULL_EVERY`, so the
directory holds at most `CULL_EVERY` pages per worker past `MAX_ENTRIES` (when it is at least three times
`CULL_EVERY`); culling itself is Django's (a random third removed).

Django compresses each value at zlib's default level: 1 ms for a 35 KB page, 8 % of the servers' time in the
first seconds of `make loadtest`, when every page is new. Level 1 takes 0.2 ms for files 9 % larger; reading is
unchanged (zlib reads every level).
"""

import itertools
import pickle
import zlib

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 32
COMPRESSION_LEVEL = 1


class SampledCullFileCache(FileBasedCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sets = itertools.count()

    def _cull(self):
        if next(self._sets) % CULL_EVERY == 0:
            super()._cull()

    def _write_content(self, file, timeout, value):
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), COMPRESSION_LEVEL))
