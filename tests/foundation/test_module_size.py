"""Modules of the apps stay under 400 lines (issue 12): a module that grows past it
is split by the nouns of the domain, not into "utils". Migrations and tests are
not counted."""

from pathlib import Path

from django.conf import settings

APPS = (
    "clinic",
    "referrals",
    "documents",
    "scheduling",
    "messaging",
    "sessions_log",
    "billing",
    "portal",
    "ops",
)
LIMIT = 400


def too_long(root: Path) -> dict[str, int]:
    sizes = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")) if (root / app).exists() else []:
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > LIMIT:
                sizes[str(path.relative_to(root))] = lines
    return sizes


def test_no_module_of_the_apps_is_over_400_lines():
    assert too_long(Path(settings.BASE_DIR)) == {}


def test_the_check_sees_a_long_module(tmp_path):
    (tmp_path / "scheduling").mkdir()
    (tmp_path / "scheduling" / "booking.py").write_text("x = 1\n" * 401)
    (tmp_path / "scheduling" / "migrations").mkdir()
    (tmp_path / "scheduling" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)
    assert too_long(tmp_path) == {"scheduling/booking.py": 401}
