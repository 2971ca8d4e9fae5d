"""The API read by people, in Chromium, under the app's own CSP: /api/v1/docs/
lists every operation of the schema, and a signed-in member of staff uses DRF's
browsable API; neither page trips a single Content-Security-Policy violation."""

import os
from pathlib import Path

import pytest

from clinic.models import Patient

PASSWORD = "correct-horse-battery"
SHOTS = Path(os.environ.get("API_SHOTS", "/tmp/api-shots"))

# Chromium fires `securitypolicyviolation` for every blocked script, style or fetch.
LISTEN_FOR_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text))
    page.console = console
    yield page
    context.close()


def assert_no_csp_violation(page):
    violations = page.evaluate("window.__csp")
    refused = [text for text in page.console if "Content Security Policy" in text]
    assert violations == [] and refused == [], (violations, refused)


def operations_in_schema(page, base_url) -> list[str]:
    """The operation ids in the order Swagger UI lists them: by tag, the tags in the
    order they first occur, each tag's operations in the order of the paths."""
    schema = page.request.get(f"{base_url}/api/v1/schema/?format=json").json()
    verbs = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    by_tag: dict[str, list[str]] = {}
    for item in schema["paths"].values():
        for verb, operation in item.items():
            if verb in verbs:
                by_tag.setdefault(operation["tags"][0], []).append(operation["operationId"])
    return [operation_id for ids in by_tag.values() for operation_id in ids]


def operations_listed(page, expected: list[str]) -> list[str]:
    """The operations Swagger UI lists, in order. From 150 tags and operations on it
    draws only those near the window (a virtual list), so each one is awaited where
    it comes: bring the last one drawn into view and the next is drawn after it.
    Swagger UI's id of an operation's block is `operations-<tag>-<operationId>`."""
    listed = []
    for operation_id in expected:
        block = page.locator(f'.opblock[id$="-{operation_id}"]')
        if block.count() == 0:
            page.locator(".opblock").last.scroll_into_view_if_needed()
        # generous: drawing a long list is slow on a busy machine, and only that
        block.wait_for(state="attached", timeout=60_000)
        listed.append(block.get_attribute("id").rsplit("-", 1)[-1])
    return listed


def test_the_api_docs_list_every_operation_under_the_csp(page, live_server, db):
    # given the schema's operations
    expected = operations_in_schema(page, live_server.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    # when a developer opens the docs
    page.goto(f"{live_server.url}/api/v1/docs/")
    # then Swagger UI lists every one of them, with nothing refused by the CSP
    # (a locator waits without evaluating a string, which this very CSP forbids)
    page.locator(".opblock").first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "docs-1280.png"))
    assert operations_listed(page, expected) == expected
    assert len(expected) > 20
    policy = page.request.get(f"{live_server.url}/api/v1/docs/").headers
    assert "script-src 'self'" in policy["content-security-policy"]
    assert_no_csp_violation(page)


def test_signed_in_staff_use_the_browsable_api_under_the_csp(page, live_server, front_desk):
    # given the front desk signed in on the pages
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", front_desk.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    # when she opens the patients endpoint in the browser
    page.goto(f"{live_server.url}/api/v1/patients/")
    # then the browsable API shows the JSON list
    page.wait_for_selector(".response-info")
    assert '"results"' in page.locator(".response-info").inner_text()
    # and its raw JSON form registers a patient
    body = '{"first_name": "Bea", "last_name": "Browser", "date_of_birth": "1990-05-06"}'
    page.fill("#id__content", body)
    page.click("#post-generic-content-form button")
    page.wait_for_selector("text=HTTP 201 Created")
    assert Patient.objects.filter(last_name="Browser").exists()
    page.screenshot(path=str(SHOTS / "browsable-1280.png"))
    assert_no_csp_violation(page)


def test_json_stays_the_default_for_clients(client, front_desk):
    client.force_login(front_desk)
    response = client.get("/api/v1/patients/", HTTP_ACCEPT="*/*")
    assert response["Content-Type"] == "application/json"
