"""How clinic/settings.py reads and checks the environment: a strict boolean, the
reminder offsets, a number within its range, a time zone, a rate, the database
and the broker. Helpers only: every setting itself stays in the one settings
file, and a bad value fails loudly at start."""

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str, default: bool) -> bool:
    """A strict boolean: `DEBUG=maybe` is an error, not a silent False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off"
    )


def parse_offsets(raw: str) -> list[timedelta]:
    """`24h,2h,30m` -> timedeltas, largest first. Units: d, h, m."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    offsets = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        number, unit = part[:-1], part[-1:].lower()
        if unit not in units or not number.isdigit() or int(number) <= 0:
            raise ImproperlyConfigured(
                f"REMINDER_OFFSETS item {part!r} is not like '24h', '2h', '30m' or '1d'"
            )
        offsets.append(timedelta(**{units[unit]: int(number)}))
    return sorted(set(offsets), reverse=True)


def within(name: str, value: int, low: int, high: int, unit: str = "") -> int:
    """`value` of setting `name`, refused at start unless low <= value <= high."""
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be {low} to {high}{' ' + unit if unit else ''}")
    return value


def known_zone(name: str) -> str:
    """TIME_ZONE, refused at start unless the zone database knows it."""
    try:
        ZoneInfo(name)
    except Exception as exc:  # noqa: BLE001 - any failure means the name is unusable
        raise ImproperlyConfigured(f"TIME_ZONE={name!r} is not a known time zone") from exc
    return name


def rate(name: str, value: str) -> str:
    """A DRF throttle rate such as `300/min`, refused at start otherwise."""
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not like '300/min'")
    return value


def database(url: str, var_dir: Path) -> dict:
    """The default database from DATABASE_URL (empty: SQLite under var/)."""
    db = environ.Env.db_url_config(url or f"sqlite:///{var_dir / 'clinic.sqlite3'}")
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so two concurrent bookings
        # serialise instead of one failing with "database is locked" mid-way.
        db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
        # The test database of SQLite lives in memory unless told otherwise; the
        # browser and worker tests need a file that several processes can share.
        db.setdefault("TEST", {})["NAME"] = env.str(
            "TEST_DATABASE_NAME", default=str(var_dir / "test.sqlite3")
        )
    else:
        db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        db["CONN_HEALTH_CHECKS"] = True
        if env.str("TEST_DATABASE_NAME", default=""):
            db.setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME")
        # a database that went away fails a connection in seconds, not the OS's minutes
        db.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
        )
        # PgBouncer in transaction mode hands each transaction any server
        # connection: a cursor held across transactions would vanish with it.
        if env_flag("PGBOUNCER", default=False):
            db["DISABLE_SERVER_SIDE_CURSORS"] = True
    return db


def broker(redis_url: str, var_dir: Path) -> tuple[str, dict]:
    """Celery's broker: Redis when REDIS_URL is set, else kombu's filesystem
    transport, so a worker and beat run with nothing installed (its folders are
    made here: kombu does not create them, and make run would stop at start)."""
    if redis_url:
        return redis_url, {"visibility_timeout": 3600}
    folder = var_dir / "broker"
    for name in ("out", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def logging_config(fmt: str, level: str) -> dict:
    """One JSON object per line (LOG_FORMAT=json) or readable lines, each with the
    request id (ops/logs.py); the worker keeps it instead of Celery's own."""
    if fmt not in ("json", "text"):
        raise ImproperlyConfigured("LOG_FORMAT must be json or text")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "ops.logs.OneLineJsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": fmt,
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


def start_sentry(dsn: str) -> str:
    """Optional error reports to Sentry. No personal data leaves: no user, cookies,
    request bodies or local variables (a frame may hold a patient's record)."""
    if dsn:
        import sentry_sdk

        sentry_sdk.init(
            dsn=dsn,
            environment=env.str("SENTRY_ENVIRONMENT", default="production"),
            traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
            send_default_pii=False,
            max_request_body_size="never",
            include_local_variables=False,
        )
    return dsn
