"""What a web worker holds from its start (issue 17: at most 120 MB after serving
every endpoint once, bench/memory.py): the libraries only some requests need are
loaded by those requests, or by a process of their own, never at start-up."""

import json
import os
import subprocess
import sys

from django.conf import settings

# Each of these once sat in every worker from its first second.
LOADED_ONLY_WHEN_NEEDED = {
    "weasyprint": "PDFs are drawn by a process of their own (clinic/printing.py)",
    "pypdfium2": "a PDF's preview is drawn at its upload (documents/previews.py)",
    "PIL": "an image's preview is drawn at its upload (documents/previews.py)",
    "anymail.webhooks.amazon_ses": "a provider's webhook loads at its first report",
    "boto3": "only Amazon SES's webhook and the S3 storage need it",
}

START_A_WORKER = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module imported, as the first request does
from clinic.wsgi import application
maps = open("/proc/self/maps").read()
print(json.dumps({"modules": sorted(sys.modules), "pango": "libpango" in maps}))
"""


def test_a_fresh_worker_loads_none_of_what_only_some_requests_need():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "worker-start-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", START_A_WORKER],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    started = json.loads(done.stdout.strip().splitlines()[-1])

    loaded = {
        name: why for name, why in LOADED_ONLY_WHEN_NEEDED.items() if name in started["modules"]
    }
    assert loaded == {}
    assert started["pango"] is False  # Pango's libraries are opened by the PDF process
