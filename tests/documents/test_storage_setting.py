"""DOCUMENT_S3_BUCKET switches the documents' storage to a private S3 bucket
(settings are read once, at start: a fresh process reads them)."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import django; django.setup();"
    "from django.core.files.storage import storages;"
    "s = storages['documents']; print(type(s).__name__, s.bucket_name, s.default_acl)"
)


def test_a_bucket_setting_keeps_documents_in_a_private_s3_bucket():
    env = {**os.environ, "DOCUMENT_S3_BUCKET": "clinic-documents"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
        cwd=settings.BASE_DIR,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "clinic-documents", "private"]


def test_without_a_bucket_documents_stay_in_their_private_folder():
    assert settings.STORAGES["documents"]["BACKEND"].endswith("FileSystemStorage")


def test_production_static_files_keep_the_documents_storage():
    # given DEBUG off, where WhiteNoise's storage serves static files
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "s" * 60}
    env.pop("DOCUMENT_S3_BUCKET", None)
    env.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    probe = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.STORAGES['documents']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120,
        cwd=settings.BASE_DIR,
    )  # fmt: skip
    # then documents still go to their private folder
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"
