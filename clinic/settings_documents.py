"""The settings of the record's paper (clinic/settings.py imports them): where
attachments are kept and how large they may be. Each one from the environment;
bad values refuse to start."""

from pathlib import Path

import environ
from celery.schedules import crontab

from clinic.settings_checks import within

__all__ = [
    "DOCUMENT_MAX_MB",
    "DOCUMENTS_DIR",
    "DOCUMENT_S3_BUCKET",
    "STORAGES",
    "PHYSICIAN_LINK_DAYS",
    "PHYSICIAN_REMINDERS",
]
env = environ.Env()
VAR_DIR = Path(__file__).resolve().parent.parent / "var"

DOCUMENT_MAX_MB = within("DOCUMENT_MAX_MB", env.int("DOCUMENT_MAX_MB", default=10), 1, 500, "MB")
DOCUMENTS_DIR = env.path("DOCUMENTS_DIR", default=VAR_DIR / "documents")
DOCUMENT_S3_BUCKET = env.str("DOCUMENT_S3_BUCKET", default="")
# how long a plan of care's signature link works (API.md: default 14 days)
PHYSICIAN_LINK_DAYS = within(
    "PHYSICIAN_LINK_DAYS", env.int("PHYSICIAN_LINK_DAYS", default=14), 1, 90, "days"
)

# The daily scan of the signature links still waiting: reminders to the physician
# at 3 and 7 days (referrals/signature_links.py), in CELERY_BEAT_SCHEDULE.
PHYSICIAN_REMINDERS = {
    "task": "referrals.tasks.remind_waiting_physicians",
    "schedule": crontab(hour=13, minute=0),  # 08:00 or 09:00 in New York
    "options": {"expires": 3600},
}

# Never under a public URL: the filesystem default lives outside static and media
# and is read only through the API's content door. DOCUMENT_S3_BUCKET switches
# to an S3-compatible store through django-storages (pip install '.[s3]');
# credentials come from boto3's usual AWS_* variables.
DOCUMENTS_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENT_S3_BUCKET,
            "endpoint_url": env.str("DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENT_S3_REGION", default="") or None,
            "default_acl": "private",  # never readable by its object URL
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
    if DOCUMENT_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # outside MEDIA_ROOT and STATIC_ROOT: no URL of the app serves this folder
        "OPTIONS": {"location": str(DOCUMENTS_DIR)},
    }
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,  # clinic/settings.py swaps staticfiles without DEBUG
}
