"""The Celery app, configured from Django settings (CELERY_* names).

Its beat schedule is static and comes from settings too (CELERY_BEAT_SCHEDULE: the sweep every
LICENSING_SWEEP_INTERVAL_MINUTES), so every beat process reads the same schedule from the environment;
run exactly one beat. Tasks live in licensing/tasks.py, found by autodiscovery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
