"""Settings for ``bench_console.py``'s server: the real ones, plus one minimal view to compare with."""

from touchpoint.settings import *  # noqa: F403

ROOT_URLCONF = "console_urls"
