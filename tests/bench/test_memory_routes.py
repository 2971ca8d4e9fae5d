"""bench/memory.py visits every route (issue 17: the memory of a worker that has
served them all). On the demo clinic with the records bench/memory_records.py
adds, `paths()` fills every named route's parameters, and its tokens open their
pages. A new route it cannot fill fails here: teach bench/memory.py its parameter
(MODEL_OF_PARAM, MODEL_OF_VIEW; its token in bench/memory_tokens.py), or make its
record in bench/memory_records.py; only last, name it in LEFT_OUT with why."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import get_resolver, resolve

from bench import memory
from bench.memory_records import add_missing_records
from bench.memory_tokens import patient_headers

# The routes paths() may leave out, each with why: none today.
LEFT_OUT: dict[str, str] = {}
TOKEN_PAGES = [
    "calendar:therapist_feed",
    "calendar:patient_feed",
    "confirm:visit",
    "confirm:offer",
    "portal:link",
    "physician_sign",
    "physician_report",
]


@pytest.fixture
def demo(db, settings, private_documents):
    """The demo clinic and its added records, made as bench/memory.py makes them:
    in autocommit there, so the emailed code and links go out at once."""
    from clinic.celery import app

    settings.ROOT_URLCONF = "bench.urls"  # the URLconf bench/memory.py serves
    call_command("seed_demo", "--force", verbosity=0)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
            return add_missing_records(log=lambda line: None)
    finally:
        app.conf.task_always_eager = eager


def test_every_route_is_filled_but_those_left_out_on_purpose(demo, client):
    # when the memory pass lists what it visits
    urls, skipped = memory.paths()
    # then it leaves out only the routes named here
    assert skipped == LEFT_OUT
    # and each other named route is among its URLs
    every = {name for name, _params, _view in memory._routes(get_resolver().url_patterns)}
    visited = {resolve(url.split("?")[0]).view_name for url in urls}
    assert every - set(LEFT_OUT) - visited == set()
    # and the tokens it minted open their pages, nobody signed in
    for name in TOKEN_PAGES:
        url = next(u for u in urls if resolve(u.split("?")[0]).view_name == name)
        assert client.get(url).status_code == 200, name


def test_the_patient_is_signed_in_to_the_portal_pages_and_api(demo, client):
    # given the patient the memory pass signs in, with the paper it fills
    records = memory._records()
    paper = memory._value("portal:document_pdf", "paper_id", None, records)[0]
    headers = patient_headers(records["patient"])
    cookie = headers["Cookie"].split("=", 1)
    # when the patient's pages and API are asked, by session and by token
    client.cookies[cookie[0]] = cookie[1]
    page = client.get("/portal/")
    mine = client.get("/api/v1/portal/documents/", HTTP_AUTHORIZATION=headers["Authorization"])
    # then both answer the patient's own
    assert page.status_code == 200
    assert mine.status_code == 200
    assert str(paper) in {row["id"] for row in mine.json()["results"]}
