"""The real client address behind TRUSTED_PROXY_COUNT trusted proxies, for the
audit trail and the sign-in lockout (a username from one address): with no proxy
trusted a forged X-Forwarded-For changes nothing; with one, its right-most entry
(the one our proxy wrote) is the client."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from clinic.models import AuditEvent
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_write_counters")]

TOKEN_URL = "/api/v1/auth/token/"
GOOD = "correct-horse-battery"  # the factories' password
PROXY = "10.0.0.1"


def token_attempt(password, forwarded=None, remote=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=remote, **headers).post(
        TOKEN_URL, {"username": "theo", "password": password}, content_type="application/json"
    )


@pytest.fixture
def theo():
    return UserFactory(username="theo", role="therapist")


def issued_from() -> str:
    return AuditEvent.objects.filter(action="token.issued").latest("at").ip


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(theo):
    # given no proxy trusted (the default) and a client that writes its own header
    response = token_attempt(GOOD, forwarded="203.0.113.7", remote="198.51.100.2")
    # then the audit names the socket's peer
    assert response.status_code == 200
    assert issued_from() == "198.51.100.2"


def test_without_a_trusted_proxy_a_forged_header_does_not_dodge_the_lockout(theo):
    # when an attacker guesses five times, each time claiming another address
    for n in range(5):
        token_attempt("wrong", forwarded=f"203.0.113.{n}", remote="198.51.100.2")
    # then the pair is locked all the same, by the real address
    assert token_attempt(GOOD, forwarded="203.0.113.99", remote="198.51.100.2").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.2"}


def test_behind_one_proxy_the_right_most_entry_is_the_client(theo, settings):
    # given one trusted proxy, and a client that prepends a forged entry
    settings.TRUSTED_PROXY_COUNT = 1
    response = token_attempt(GOOD, forwarded="6.6.6.6, 192.0.2.44")
    # then the entry our proxy added is the client's address
    assert response.status_code == 200
    assert issued_from() == "192.0.2.44"


def test_behind_one_proxy_the_lockout_is_per_username_and_client_not_per_username(theo, settings):
    # given one trusted proxy, and someone at 192.0.2.66 guessing Theo's password
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        token_attempt("wrong", forwarded="192.0.2.66")
    # then that address is locked out of Theo's account, through the same proxy...
    assert token_attempt(GOOD, forwarded="192.0.2.66").status_code == 429
    # ...and Theo at his tablet, behind the same proxy, still signs in
    assert token_attempt(GOOD, forwarded="192.0.2.44").status_code == 200


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(theo, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    token_attempt(GOOD, forwarded="6.6.6.6, 192.0.2.44, 10.0.0.2")
    assert issued_from() == "192.0.2.44"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", " , "])
def test_a_missing_or_garbled_header_falls_back_to_the_peer(theo, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    token_attempt(GOOD, forwarded=forwarded or None)
    assert issued_from() == PROXY


def test_the_write_limit_before_sign_in_counts_by_the_client_address(theo, settings):
    # the token endpoint is the one write a stranger can make
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_WRITE_RATE = "2/min"
    assert token_attempt(GOOD, forwarded="192.0.2.66").status_code == 200
    assert token_attempt(GOOD, forwarded="192.0.2.66").status_code == 200
    assert token_attempt(GOOD, forwarded="192.0.2.66").status_code == 429
    assert token_attempt(GOOD, forwarded="192.0.2.44").status_code == 200
