"""The registry's settings, with the floor view's URL added: the benchmark's server runs the product
exactly as configured, plus one route it does not ship."""

from registry.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
