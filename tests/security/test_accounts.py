"""Sign-in throttling (django-axes): five failures lock that username from that
address for 15 minutes; colleagues behind the same clinic address are unaffected."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
GOOD = "correct-horse-battery"  # the factories' password


def token_attempt(username, password, ip="10.0.0.5"):
    return Client(REMOTE_ADDR=ip).post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


@pytest.fixture
def theo():
    return UserFactory(username="theo", role="therapist")


@pytest.fixture
def tess():
    return UserFactory(username="tess", role="therapist")


def fail_five_times(username, ip="10.0.0.5"):
    for _ in range(5):
        assert token_attempt(username, "wrong", ip).status_code in (400, 429)


def test_five_failures_lock_the_token_endpoint_for_that_username_and_address(theo):
    # given five wrong passwords from the tablet
    fail_five_times("theo")
    # when the right one follows
    response = token_attempt("theo", GOOD)
    # then the pair is locked, with a message saying what to do
    assert response.status_code == 429
    assert "manager" in response.json()["detail"]


def test_a_colleague_behind_the_same_address_still_signs_in(theo, tess):
    fail_five_times("theo")
    assert token_attempt("tess", GOOD).status_code == 200


def test_the_same_person_from_another_address_still_signs_in(theo):
    fail_five_times("theo")
    assert token_attempt("theo", GOOD, ip="10.0.0.9").status_code == 200


def test_four_failures_do_not_lock(theo):
    for _ in range(4):
        token_attempt("theo", "wrong")
    assert token_attempt("theo", GOOD).status_code == 200


def test_the_manager_unlocks_from_the_admin(theo, manager):
    fail_five_times("theo")
    admin = Client()
    admin.force_login(manager)
    # when the manager runs the unlock action on the attempt
    attempt = AccessAttempt.objects.get(username="theo")
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [attempt.pk]},
    )
    # then the attempt is gone and theo signs in again
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="theo").exists()
    assert token_attempt("theo", GOOD).status_code == 200


def test_the_login_page_locks_too_and_says_so(theo):
    browser = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(5):
        browser.post("/", {"username": "theo", "password": "wrong"})
    response = browser.post("/", {"username": "theo", "password": GOOD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
