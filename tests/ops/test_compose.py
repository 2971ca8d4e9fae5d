"""docker-compose.yml: valid for Compose where it is installed (CI installs
it), and its scale profile has what two machines need."""

import os
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

COMPOSE = settings.BASE_DIR / "docker-compose.yml"


def compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


@pytest.mark.skipif(compose_command() is None, reason="neither docker-compose nor docker compose")
@pytest.mark.parametrize("profile", [[], ["--profile", "scale"]])
def test_compose_accepts_the_file(profile):
    env = {**os.environ, "SECRET_KEY": "compose-config-check"}
    command = [*compose_command(), "-f", str(COMPOSE), *profile, "config", "-q"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_scale_profile_runs_two_of_each_behind_a_proxy(services):
    scale = {name for name, service in services.items() if "scale" in service.get("profiles", [])}
    assert scale == {"web-2", "worker-2", "beat-2", "proxy"}
    assert all("run_beat" in services[beat]["command"] for beat in ("beat", "beat-2"))


def test_the_app_goes_through_pgbouncer_in_transaction_mode(services):
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in ("web", "web-2", "worker", "worker-2", "beat", "beat-2"):
        env = services[name]["environment"]
        assert "@pgbouncer:6432/" in env["DATABASE_URL"], name
        assert env["PGBOUNCER"] == "1" and env["CONN_MAX_AGE"] == "0", name
        assert "@db:5432/" in env["BEAT_LOCK_DATABASE_URL"], name  # a session lock: direct


def test_behind_nginx_the_app_takes_the_client_address_nginx_appended(services):
    # web-2 is reached only through nginx, which appends the client to X-Forwarded-For
    nginx = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx
    assert "ports" not in services["web-2"]
    assert services["web-2"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    # web, also published on its own port, trusts proxies only when told to
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-0}"
    assert services["web-2"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]  # the rest kept
