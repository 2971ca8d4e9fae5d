"""The production settings plus the floor ladder's URLs (bench/urls.py), so the
benchmark measures the app exactly as deployed and asks nothing of its URLconf."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
