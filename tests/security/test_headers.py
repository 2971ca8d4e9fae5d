"""Every response carries the headers that keep a browser from being turned
against the clinic: a CSP without unsafe-inline, nosniff, a referrer policy,
frame denial."""

import os
import subprocess
import sys

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(client):
    return client.get("/admin/login/")


def test_the_content_security_policy_allows_only_our_own_files(response):
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_browsers_may_not_sniff_frame_or_leak_the_address(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_session_cookie_is_http_only_and_same_site(client, manager):
    client.force_login(manager)
    response = client.get("/admin/")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_without_debug_the_cookies_carry_the_host_prefix():
    # settings are read once, at start: ask a fresh process, as production starts
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 50}
    names = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE)",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert names == ["__Host-sessionid", "__Host-csrftoken", "True"]


def test_a_host_prefixed_cookie_is_secure_for_the_whole_site_and_this_host_only(manager, settings):
    # given production's cookie settings
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    browser = Client(enforce_csrf_checks=True)
    # when the manager opens the sign-in page and signs in over HTTPS
    page = browser.get("/", secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    response = browser.post(
        "/",
        {"username": "mia", "password": "correct-horse-battery", "csrfmiddlewaretoken": csrf.value},
        secure=True,
        HTTP_REFERER="https://testserver/",
    )
    # then both cookies obey the prefix's rules: Secure, Path=/, no Domain
    assert response.status_code == 302
    for cookie in (csrf, response.cookies["__Host-sessionid"]):
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
