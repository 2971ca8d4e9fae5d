"""Sessions end after 15 idle minutes; the tablet warns before a draft could be lost."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_tells_the_tablet_when_the_session_ends(client, therapist):
    client.force_login(therapist)
    page = client.get(reverse("today")).content.decode()
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in page
    assert 'id="session-warning"' in page and "Stay signed in" in page


def test_staying_signed_in_renews_the_idle_deadline(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 204
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_the_idle_limit_is_fifteen_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 15 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_a_signed_out_tablet_cannot_keep_a_session_alive(client):
    assert client.post(reverse("session_keepalive")).status_code == 302
