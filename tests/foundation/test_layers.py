"""The layers only look down (ARCHITECTURE.md): clinic < referrals < documents < scheduling <
messaging < sessions_log < billing < portal < ops. A module may import its own app and the apps
below it, never one above, and never reach up by a string (apps.get_model, a related
model looked up through _meta, a function named in a setting)."""

import ast
import re
from pathlib import Path

from django.conf import settings

LAYERS = [
    "clinic",
    "referrals",
    "documents",
    "scheduling",
    "messaging",
    "sessions_log",
    "billing",
    "portal",
    "ops",
]
# The project's composition roots: the URL modules gather every app's views, the
# settings and the Celery app name them. They sit above all layers.
COMPOSITION = {"clinic.urls", "clinic.api_urls", "clinic.page_urls", "clinic.settings"}
# A backend chosen by a setting (the SMS gateway, like Django's EMAIL_BACKEND) is a
# plug, not a way round the layers: it is the one import_string allowed.
STRING_DODGES = re.compile(
    r"apps\.get_model\(|\.related_model\b|import_string\((?!settings\.SMS_BACKEND\))"
)


def app_modules(root: Path):
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")) if (root / app).exists() else []:
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            yield app, module.removesuffix(".__init__"), path


def imported_modules(module: str, path: Path):
    """Every module `path` imports, at the top or inside a function."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.module


def upward_imports(root: Path) -> list[str]:
    found = []
    for app, module, path in app_modules(root):
        if module in COMPOSITION:
            continue
        for target in imported_modules(module, path):
            other = target.split(".")[0]
            if other in LAYERS and LAYERS.index(other) > LAYERS.index(app):
                found.append(f"{module} imports {target}")
    return found


def string_dodges(root: Path) -> list[str]:
    return [
        f"{module}: {match.group(0)}"
        for _, module, path in app_modules(root)
        if module not in COMPOSITION
        for match in STRING_DODGES.finditer(path.read_text())
    ]


def test_no_module_imports_a_layer_above_its_own():
    assert upward_imports(Path(settings.BASE_DIR)) == []


def test_no_module_reaches_up_by_a_string():
    assert string_dodges(Path(settings.BASE_DIR)) == []


def test_the_check_fails_on_a_deliberate_upward_import(tmp_path):
    (tmp_path / "clinic").mkdir()
    (tmp_path / "clinic" / "__init__.py").write_text("")
    (tmp_path / "clinic" / "patients.py").write_text(
        "from django.db import models\n\ndef later():\n    from scheduling import reminders\n"
    )
    (tmp_path / "referrals").mkdir()
    (tmp_path / "referrals" / "models.py").write_text("from sessions_log.models import Note\n")
    (tmp_path / "referrals" / "services.py").write_text("from clinic.audit import record\n")
    (tmp_path / "sessions_log").mkdir()
    (tmp_path / "sessions_log" / "progress.py").write_text(
        "from django.apps import apps\nPlan = apps.get_model('referrals', 'TreatmentPlan')\n"
    )
    assert upward_imports(tmp_path) == [
        "clinic.patients imports scheduling",
        "referrals.models imports sessions_log.models",
    ]
    assert string_dodges(tmp_path) == ["sessions_log.progress: apps.get_model("]
