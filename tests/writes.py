"""`nothing_written()`: a refused request leaves every row of the clinic as it
was. A status code alone cannot show that a refusal wrote nothing half-way."""

import sys
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings

# What a refused request may still write: the audit trail and the record that
# replays its answer to a retry with the same Idempotency-Key.
MAY_CHANGE = {"auditevent", "idempotencykey"}
# Signing in on the way to the request is not a write of the clinic's.
NOT_COMPARED = {"last_login"}


def _is_ours(app_path: str) -> bool:
    # The virtualenv may sit inside the checkout (`make` puts it in .venv), so
    # "under BASE_DIR" alone would count Django's own apps and axes as ours.
    path = Path(app_path).resolve()
    installed = Path(sys.prefix).resolve()
    in_checkout = path.is_relative_to(Path(settings.BASE_DIR).resolve())
    return in_checkout and not path.is_relative_to(installed)


def _clinic_models():
    for config in apps.get_app_configs():
        if _is_ours(config.path):
            for model in config.get_models():
                if model._meta.model_name not in MAY_CHANGE:
                    yield model


def snapshot() -> dict[str, list[dict]]:
    return {model._meta.label: _rows(model) for model in _clinic_models()}


def _rows(model) -> list[dict]:
    fields = [f.attname for f in model._meta.concrete_fields if f.name not in NOT_COMPARED]
    return list(model._base_manager.order_by("pk").values(*fields))


@contextmanager
def nothing_written():
    """`with nothing_written(): response = client.post(...)` fails the test if
    any row of the project's apps was added, changed or deleted inside."""
    before = snapshot()
    yield
    after = snapshot()
    changed = sorted(label for label in before if before[label] != after[label])
    assert not changed, f"a refused request wrote to {changed}"
