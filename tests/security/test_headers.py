"""Every response carries the headers that keep a browser from being turned
against the clinic: a CSP without unsafe-inline, nosniff, a referrer policy,
frame denial."""

import pytest

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
