"""The cache on Redis: Django's RedisCache, with one redis-py client per connection pool rather than one
per cache call.

Django makes a new `redis.Redis` for every operation (get, set, get_many...). redis-py 8 fills each new
client's table of about 170 response callbacks, which cost a cached read more than its round trip to
Redis itself (bench/README.md gives the figures). A client is safe to share between threads: it holds no
connection of its own, it takes one from the pool for each command, and the pool starts afresh in a
forked process (a Celery or gunicorn worker). So each pool keeps one client."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
