# The two commands of the README: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most 4 (each takes a Redis database of its own below
# REDIS_URL's: registry/test_settings.py). TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto
# make run always uses the embedded defaults: SQLite under var/, eager tasks, console email (a line each),
# a file cache under var/cache/.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

.PHONY: help run test venv install messages lint sweep worker beat bench clean

help:
	@echo "make run    set up, load the demo data and serve http://$(HOST):$(PORT) (SQLite, eager tasks)"
	@echo "make test   set up what tests need and run the whole suite"
	@echo "make lint   ruff check"
	@echo "make bench  throughput, export, downloads and sweep benchmarks on PostgreSQL and Redis (bench/README.md)"
	@echo "make worker a Celery worker (needs REDIS_URL; sends reminders and notifications)"
	@echo "make beat   the Celery beat scheduler that runs the sweep (needs REDIS_URL; run one only)"
	@echo "make clean  remove the virtual environment and local data under var/"

# A .venv made with an older Python, or left half-built (no pip), is rebuilt rather than reused.
venv:
	@if [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
		&& $(PY) -m pip --version >/dev/null 2>&1; then \
		: ; \
	else \
		python=$$(scripts/find-python) || exit 1; \
		echo "==> Creating $(VENV) with $$python ($$($$python -V 2>&1))"; \
		rm -rf $(VENV); \
		$$python -m venv $(VENV) || exit 1; \
	fi

# pip's notes about unreachable extra index locations and setuptools' editable-install banner are noise
# for a user; anything else pip says is shown.
PIP_QUIET := grep -v -E "^WARNING: Location '.*' is ignored|^ +(!!|\*+|Please be careful|name as your package|with strategy|/.*BuildBackendWarning: Editable)|^ *$$" || true

$(STAMP): pyproject.toml | venv
	@echo "==> Installing the registry and its test tools into $(VENV)"
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1" 2>&1 | { $(PIP_QUIET); }
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check -e . --group dev 2>&1 | { $(PIP_QUIET); }
	@touch $(STAMP)

install: venv $(STAMP)

# The zh-hans catalogues (pages and admin scripts) are compiled from their .po sources with Babel (pure
# Python: no system gettext needed).
messages: install
	@echo "==> Compiling translations"
	@set -o pipefail; $(VENV)/bin/pybabel compile --statistics -D "django djangojs" -d licensing/locale 2>&1 | sed 's/^/    /'

# var/local.env: the same environment for the manage.py commands run by hand afterwards (manage.py reads it).
run: messages
	@mkdir -p var
	@printf '%s\n' "# Written by make run: manage.py reads the variables the environment does not set." \
		"DJANGO_DEBUG=$${DJANGO_DEBUG:-true}" > var/local.env
	@echo "==> Migrating the database (var/registry.sqlite3)"
	@set -o pipefail; $(EMBEDDED) $(PY) manage.py migrate --noinput | sed 's/^/    /'
	@echo "==> Loading the demo data"
	@$(EMBEDDED) $(PY) manage.py load_demo
	@echo "==> Running the sweep once, so that statuses are current"
	@$(EMBEDDED) $(PY) manage.py sweep
	@echo "==> Creating the demo logins"
	@$(EMBEDDED) $(PY) manage.py create_demo_logins
	@echo "==> Serving http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/); Ctrl-C stops"
	@$(EMBEDDED) $(PY) manage.py runserver $(HOST):$(PORT)

test: messages
	@echo "==> Running the test suite ($${DATABASE_URL:+database $${DATABASE_URL%%\?*}, }$${REQUIRE_SERVICES:+required services: $$REQUIRE_SERVICES, }$${RUN_SLOW:+with slow suites, }python $$($(PY) -V 2>&1 | cut -d' ' -f2))"
	@$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check .

sweep: messages
	@$(EMBEDDED) $(PY) manage.py sweep

# Production processes (see README "Running in production"); they read the environment as it is.
NEEDS_REDIS = @if [ -z "$$REDIS_URL" ]; then echo "error: make $@ needs REDIS_URL (e.g. redis://127.0.0.1:6379/0); without a broker, tasks run in the process that enqueues them" >&2; exit 1; fi

worker: messages
	$(NEEDS_REDIS)
	@$(VENV)/bin/celery -A registry worker --loglevel INFO

beat: messages
	$(NEEDS_REDIS)
	@mkdir -p var
	@$(VENV)/bin/celery -A registry beat --loglevel INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) var

# Benchmarks (bench/README.md): PostgreSQL and Redis as CI has them; scratch databases are made and dropped.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/11
BENCH_ENV := env DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL)

bench: messages
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check --group bench 2>&1 | { $(PIP_QUIET); }
	@command -v wrk >/dev/null || { echo "==> Installing wrk (the load generator)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@echo "==> Throughput of the read paths against the floor (gunicorn, 2 workers)"
	@$(BENCH_ENV) $(PY) bench/throughput.py
	@echo "==> CSV export of 100,000 licenses"
	@$(BENCH_ENV) $(PY) bench/export.py
	@echo "==> The public download files of 100,000 licenses, against the export"
	@$(BENCH_ENV) $(PY) bench/downloads.py
	@echo "==> The sweep at 100,000 licenses"
	@$(BENCH_ENV) $(PY) bench/sweep.py --count 100000
	@echo "==> The sweep at 1,000,000 licenses (minutes: the rows are made first)"
	@$(BENCH_ENV) $(PY) bench/sweep.py --count 1000000
	@echo "==> The sweep at 1,000,000 licenses and 1,000,000 registrations"
	@$(BENCH_ENV) $(PY) bench/sweep.py --count 1000000 --registrations 1000000
