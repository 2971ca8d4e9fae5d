"""The management commands and the settings fail with one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clinic.models import Patient, User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_createstaff_creates_a_doctor_who_can_sign_in():
    call_command(
        "createstaff", "drgrey", role="doctor", password="Sutures-and-Scalpels-9",
        first_name="Meredith", last_name="Grey", email="grey@clinic.example",
    )  # fmt: skip
    user = User.objects.get(username="drgrey")
    assert user.role == "doctor" and user.check_password("Sutures-and-Scalpels-9")
    assert not user.is_staff


def test_createstaff_gives_managers_the_admin():
    call_command("createstaff", "boss", role="manager", password="Ledger-Lantern-42")
    assert User.objects.get(username="boss").is_staff


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"role": "wizard", "password": "Ledger-Lantern-42"}, "Unknown role 'wizard'"),
        ({"role": "doctor", "password": "1234"}, "Password refused"),
    ],
)
def test_createstaff_refuses_bad_input_with_a_clear_message(kwargs, message):
    with pytest.raises(CommandError, match=message):
        call_command("createstaff", "someone", **kwargs)
    assert not User.objects.filter(username="someone").exists()


def test_createstaff_refuses_a_taken_username(doctor):
    with pytest.raises(CommandError, match="already taken"):
        call_command("createstaff", "DANA", role="doctor", password="Ledger-Lantern-42")


def test_seed_demo_is_idempotent_and_prints_a_working_patient_link(settings, capsys):
    from portal import sign_in
    from portal.models import HealthHistory

    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), Patient.objects.count(), HealthHistory.objects.count())
    capsys.readouterr()
    call_command("seed_demo")
    assert (User.objects.count(), Patient.objects.count(), HealthHistory.objects.count()) == counts
    assert counts[1] >= 20
    assert counts[2] >= 1  # some demo patients have signed their health history
    assert User.objects.get(username="therapist").check_password("demo")
    # every run (make run's) ends with a sign-in link that works
    url = next(word for word in capsys.readouterr().out.split() if "/p/" in word)
    assert sign_in.usable_link(url.rsplit("/p/", 1)[1]) is not None


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not Patient.objects.exists()


def run_manage(*args, **env):
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which no deployment may carry
    unset = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"REMINDER_OFFSETS": "24h,soon"}, "REMINDER_OFFSETS item 'soon'"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE='Mars/Olympus'"),
    ],
)
def test_a_bad_environment_value_is_one_clear_line(env, message):
    result = run_manage("check", **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY="a-real-secret-" + "k" * 50, ALLOWED_HOSTS="clinic.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
