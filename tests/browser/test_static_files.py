"""Production serves its own stylesheet and scripts: gunicorn with DEBUG=0
after `collectstatic` (as the Dockerfile does), each role signs in and its
home page is styled, its scripts run, under the CSP, with no static 404."""

import re
import urllib.request

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from clinic.vocabulary import Role
from tests.factories import UserFactory
from tests.production import Gunicorn, collectstatic

PASSWORD = "correct-horse-battery"
HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}\.(css|js)$")
WASH = "rgb(243, 246, 249)"  # app.css paints the body with --wash

# gunicorn reads the machine's clock: its sessions are stamped by it
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    collectstatic(root)
    return root


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, static_root, tmp_path_factory):
    """One gunicorn for the module (booting one takes seconds); each test's
    transactional data is committed, so the server sees it."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with django_db_blocker.unblock(), Gunicorn(static_root, log) as running:
        yield running
    print(log.read_text()[-3000:])


def staff(username: str, role: str):
    # the real hasher: gunicorn runs with production settings, not the suite's MD5
    user = UserFactory(username=username, role=role, is_staff=role == Role.MANAGER)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


class Watched:
    """A page that records every failed static request and CSP complaint."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.failures = []
        self.static_urls = []
        self.page.on("response", self.saw)
        self.page.on("requestfailed", lambda r: self.failures.append((r.url, r.failure)))
        self.page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and self.failures.append(m.text),
        )

    def saw(self, response):
        if "/static/" in response.url:
            self.static_urls.append(response.url)
            if response.status >= 400:
                self.failures.append((response.url, response.status))

    def sign_in(self, base_url, user):
        self.page.goto(f"{base_url}/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")

    def stylesheets_applied(self) -> bool:
        return self.page.evaluate(
            """() => [...document.querySelectorAll('link[rel=stylesheet]')].every(
                   link => link.sheet && link.sheet.cssRules.length > 0)"""
        )


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.DOCTOR, "/my-patients/"),
        (Role.THERAPIST, "/today/"),
        (Role.FRONT_DESK, "/week/"),
    ],
)
def test_each_roles_home_is_styled_and_scripted_from_gunicorn(browser, server, role, home):
    # given a member of staff and the app under gunicorn with DEBUG=0
    user = staff(f"user-{role}", role)
    watched = Watched(browser)
    page = watched.page
    try:
        # when they sign in and land on their home page
        watched.sign_in(server.url, user)
        page.wait_for_url(f"{server.url}{home}")
        page.wait_for_function("document.documentElement.dataset.appJs === 'ready'")
        # then the stylesheet applied, htmx and app.js ran, and every static file answered
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == WASH
        assert watched.stylesheets_applied()
        assert page.evaluate("typeof htmx") == "object"
        page.wait_for_load_state("networkidle")
        assert not watched.failures, watched.failures
        assert watched.static_urls and all(HASHED.search(u) for u in watched.static_urls)
    finally:
        watched.context.close()


def test_the_managers_home_the_admin_is_styled_from_gunicorn(browser, server):
    # given the manager, whose home is the admin
    manager = staff("mia-manager", Role.MANAGER)
    watched = Watched(browser)
    page = watched.page
    try:
        # when she signs in
        watched.sign_in(server.url, manager)
        page.wait_for_url(f"{server.url}/admin/")
        page.wait_for_load_state("networkidle")
        # then the admin's own stylesheets applied and no static request failed
        assert watched.stylesheets_applied()
        assert not watched.failures, watched.failures
        assert any("/static/admin/css/" in u for u in watched.static_urls)
    finally:
        watched.context.close()


def test_the_sign_in_page_is_styled_and_static_files_are_cached_for_years(browser, server):
    # given the sign-in page under gunicorn
    watched = Watched(browser)
    try:
        # when it loads
        watched.page.goto(f"{server.url}/")
        watched.page.wait_for_function("document.documentElement.dataset.appJs === 'ready'")
        # then it is styled, and its hashed stylesheet may be cached for good, compressed
        assert watched.page.evaluate("getComputedStyle(document.body).backgroundColor") == WASH
        css = next(u for u in watched.static_urls if "/css/app." in u)
        request = urllib.request.Request(css, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=315360000" in response.headers["Cache-Control"]
            assert response.headers["Content-Encoding"] == "gzip"
        assert not watched.failures, watched.failures
    finally:
        watched.context.close()
