"""The API's schema is built once per deploy (`manage.py buildschema`) and
served from its file, so no web worker pays for generating it (issue 17); the
file is served only while it matches the running code, and it says what the
generated schema says."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from clinic import api_docs

FORMATS = {
    "yaml": "application/vnd.oai.openapi",
    "json": "application/vnd.oai.openapi+json",
}


@pytest.fixture
def schema_dir(settings, tmp_path):
    settings.API_SCHEMA_DIR = str(tmp_path / "openapi")
    return tmp_path / "openapi"


def fetch(client, fmt):
    return client.get("/api/v1/schema/", {"format": fmt})


@pytest.mark.django_db
def test_the_built_schema_is_byte_for_byte_the_generated_one(client, schema_dir):
    generated = {fmt: fetch(client, fmt) for fmt in FORMATS}

    call_command("buildschema", verbosity=0)

    for fmt, media_type in FORMATS.items():
        served = fetch(client, fmt)
        assert served.status_code == 200
        assert served["Content-Type"] == generated[fmt]["Content-Type"]
        assert served["Content-Type"].startswith(media_type)
        assert served["Content-Disposition"] == generated[fmt]["Content-Disposition"]
        assert served.content == generated[fmt].content
    assert sorted(p.suffix for p in schema_dir.iterdir()) == [".json", ".yaml"]


@pytest.mark.django_db
def test_a_built_schema_is_served_without_generating_it(client, schema_dir, monkeypatch):
    call_command("buildschema", verbosity=0)

    def generating(*args, **kwargs):
        raise AssertionError("a web worker generated the schema")

    monkeypatch.setattr(SchemaGenerator, "get_schema", generating)

    assert fetch(client, "yaml").status_code == 200
    assert b"openapi: 3" in fetch(client, "yaml").content
    assert fetch(client, "json").json()["info"]["title"] == "Clinic API"


@pytest.mark.django_db
def test_a_file_built_from_other_code_is_never_served(client, schema_dir, monkeypatch):
    call_command("buildschema", verbosity=0)
    for built in schema_dir.iterdir():
        built.write_bytes(b"openapi: stale\n")
    assert fetch(client, "yaml").content == b"openapi: stale\n"  # the file is what is served

    # the code changes under the file: its fingerprint no longer matches
    monkeypatch.setattr(api_docs, "fingerprint", lambda: "0123456789abcdef")

    assert fetch(client, "yaml").content.startswith(b"openapi: 3")


def test_the_fingerprint_follows_the_code_and_the_cookie_names(settings):
    api_docs.fingerprint.cache_clear()
    before = api_docs.fingerprint()
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    api_docs.fingerprint.cache_clear()
    try:
        assert api_docs.fingerprint() != before
    finally:
        api_docs.fingerprint.cache_clear()


@pytest.mark.django_db
def test_building_again_leaves_one_schema_per_format(schema_dir):
    (schema_dir).mkdir()
    (schema_dir / "schema-ffffffffffffffff.yaml").write_text("openapi: old\n")

    call_command("buildschema", verbosity=0)

    assert len(list(schema_dir.iterdir())) == 2
