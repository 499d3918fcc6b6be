"""The bare floor: the least Django can do to answer "this license", outside the registry.

A separate WSGI application, served by its own gunicorn with the registry's settings for gunicorn (2 sync
workers): no middleware, no installed app, one URL, and one cursor query that reads the same row as the
registry's floor (bench/floor.py) and returns it as JSON. bench/throughput.py reports every case against
it as well as against the registry's floor, so the ratios show the whole cost of the registry's stack,
middleware included. Not part of the product.

    gunicorn bench.bare:application   (DATABASE_URL: the benchmark's scratch database)
"""

import os

import dj_database_url
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
    DATABASES={"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)},
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

# The columns bench/floor.py reads, by their table names (licensing_license, its grantor and operator).
QUERY = """
    SELECT l.number, l.title, l.status, l.term_start, l.term_end, l.version, a.name, o.uscc
    FROM licensing_license l
    JOIN licensing_authority a ON a.id = l.grantor_id
    LEFT JOIN licensing_operator o ON o.id = l.operator_id
    WHERE l.number = %s
"""
COLUMNS = (
    "number",
    "title",
    "status",
    "term_start",
    "term_end",
    "version",
    "grantor__name",
    "operator__uscc",
)


def license_row(request, number):
    with connection.cursor() as cursor:
        cursor.execute(QUERY, [number])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return JsonResponse(dict(zip(COLUMNS, row, strict=True)))


urlpatterns = [path("bench/bare/<str:number>/", license_row)]
application = get_wsgi_application()
