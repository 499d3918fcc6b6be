"""gunicorn's configuration for the web process (the Procfile passes it; gunicorn also reads this file by
itself when started from the project directory).

gunicorn sends `Server: gunicorn` on every response and has no setting to leave it out; the header tells
a prober which server to aim at and tells a client nothing, so it is dropped here.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server(self):
    return [header for header in _default_headers(self) if not header.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server

# A sync worker is killed when one request keeps it silent for `timeout` seconds. The register's download
# files stream for longer than gunicorn's default 30 s once the register is large (bench/downloads.py:
# about 20 s for the licenses and 90 s for the events of 100,000 licenses on a shared 2-core machine).
timeout = 300
