"""PgBouncer in transaction mode in front of the bench's PostgreSQL, as the
production compose file runs it (docker-compose.yml): `bench/run.py --pgbouncer`
serves the app processes through it, so the load runs against the same pooling
the README's "growing past one machine" describes. Debian's `pgbouncer` package;
it refuses to run as root, so it runs as the `postgres` user when we are root.

Seeding, resets and the in-process measurements go straight to PostgreSQL: only
the gunicorn processes' DATABASE_URL points at the bouncer."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


class PgBouncer:
    def __init__(self, database_url: str, *, port: int = 6439, pool_size: int = 20):
        self.target = urlsplit(database_url)
        self.port, self.pool_size = port, pool_size
        self.process = None
        self.folder = None

    @property
    def url(self) -> str:
        user = self.target.username or "postgres"
        return urlunsplit(self.target._replace(netloc=f"{user}@127.0.0.1:{self.port}"))

    def app_env(self) -> dict:
        """What a Django process behind a transaction-mode bouncer needs: no
        server-side cursors, no persistent connections (the bouncer keeps them)."""
        return {"DATABASE_URL": self.url, "PGBOUNCER": "1", "CONN_MAX_AGE": "0"}

    def _config(self) -> str:
        name = self.target.path.lstrip("/")
        host, port = self.target.hostname or "127.0.0.1", self.target.port or 5432
        user = self.target.username or "postgres"
        return "\n".join(
            [
                "[databases]",
                f"{name} = host={host} port={port} dbname={name} user={user}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {self.port}",
                f"unix_socket_dir = {self.folder}",
                "auth_type = trust",
                f"auth_file = {self.folder}/users.txt",
                "pool_mode = transaction",
                f"default_pool_size = {self.pool_size}",
                "max_client_conn = 500",
                "ignore_startup_parameters = extra_float_digits,options",
                f"logfile = {self.folder}/pgbouncer.log",
                "",
            ]
        )

    def __enter__(self) -> "PgBouncer":
        if not Path(BINARY).exists():
            raise RuntimeError("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
        self.folder = tempfile.mkdtemp(prefix="bench-pgbouncer-")
        user = self.target.username or "postgres"
        Path(self.folder, "users.txt").write_text(f'"{user}" ""\n')
        ini = Path(self.folder, "pgbouncer.ini")
        ini.write_text(self._config())
        command = [BINARY, str(ini)]
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            for path in Path(self.folder).iterdir():
                shutil.chown(path, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(
            command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"pgbouncer did not listen on {self.port}; see {self.folder}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.folder:
            log = Path(self.folder, "pgbouncer.log")
            self.log_tail = log.read_text()[-2000:] if log.exists() else ""
            shutil.rmtree(self.folder, ignore_errors=True)
