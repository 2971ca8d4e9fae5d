"""Backups of the clinic's database and putting one back: PostgreSQL's own
tools in their custom format (compressed, restorable table by table), the
SQLite backup API elsewhere (a consistent copy while the app runs)."""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def suffix() -> str:
    return ".dump" if is_postgres() else ".sqlite3"


def pg_arguments() -> tuple[list[str], dict]:
    """libpq's connection options and environment from the Django settings,
    so the password never shows in the process list."""
    db = connection.settings_dict
    arguments = ["--dbname", db["NAME"], "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            arguments += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return arguments, env


def backup(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgres():
        arguments, env = pg_arguments()
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(path)]
        subprocess.run(command + arguments, env=env, check=True, capture_output=True)
    else:
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    return path


def restore(path: Path) -> None:
    """Replaces the whole database with the backup's content, in one
    transaction on PostgreSQL: a failed restore leaves the database as it was."""
    if not path.is_file():
        raise FileNotFoundError(path)
    connection.close()  # ours must not hold locks the restore waits for
    if is_postgres():
        arguments, env = pg_arguments()
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        subprocess.run(command + arguments + [str(path)], env=env, check=True, capture_output=True)
    else:
        with sqlite3.connect(path) as source:
            connection.ensure_connection()
            source.backup(connection.connection)
        source.close()
    connection.close()
