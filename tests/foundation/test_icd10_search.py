"""The doctor finds diagnoses as she types: by code prefix or by words."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from referrals import icd10

# the code set is a table, loaded by a migration (referrals 0005)
pytestmark = pytest.mark.django_db


def codes(term):
    return [hit["code"] for hit in icd10.search(term)]


@pytest.mark.parametrize("term", ["M54.5", "m545", "M54.5 "])
def test_a_code_prefix_finds_the_billable_codes_under_it(term):
    assert codes(term) == ["M54.50", "M54.51", "M54.59"]


def test_words_find_descriptions_holding_each_word_shortest_first():
    found = icd10.search("low back pain")
    assert {"M54.50", "M54.51", "M54.59"} <= {hit["code"] for hit in found}
    assert [len(h["description"]) for h in found] == sorted(len(h["description"]) for h in found)


def test_a_word_may_be_the_start_of_a_longer_word():
    assert "G44.209" in codes("tension head")


def test_inclusion_terms_are_searched_too():
    assert codes("lumbago")[0] == "M54.50"  # "Lumbago NOS" is included under M54.50


def test_only_billable_codes_come_back():
    assert all(icd10.is_billable(code) for code in codes("M54"))
    assert "M54" not in codes("M54") and "M54.5" not in codes("M54")


def test_nothing_for_nonsense_and_at_most_fifty():
    assert codes("zzzz") == [] and codes("") == [] and codes("!!") == []
    assert len(codes("neck")) == 50


def test_type_2_is_a_word_of_its_own_not_a_digit_inside_a_code():
    found = codes("type 2 diabetes")
    assert found[0].startswith("E11")
    assert "E10.42" not in found  # type 1 with polyneuropathy: its "2" is in the code only


# A fresh process serves the look-ups (page, pick, API, a referral's validation)
# from the table: the code set (175 MB a process) is never imported.
SERVE_WITHOUT_THE_CODE_SET = """
import json, sys
from pathlib import Path
from django.conf import settings

settings.DATABASES["default"]["NAME"] = sys.argv[1]
import django

django.setup()
from django.test import Client
from clinic.models import User

client = Client()
client.force_login(User.objects.get(username=sys.argv[2]))
answers = [
    client.get("/icd10/", {"q": "lumbago"}).content.decode(),
    client.get("/icd10/pick/", {"code": "m54.50"}).content.decode(),
    client.get("/api/v1/diagnoses/", {"search": "m54.5"}).content.decode(),
]
print(json.dumps({
    "answers": answers,
    "loaded": sorted(name for name in sys.modules if name.startswith("simple_icd_10_cm")),
    "status": Path("/proc/self/status").read_text(),
}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_the_look_ups_without_loading_the_code_set(doctor):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVE_WITHOUT_THE_CODE_SET,
            connection.settings_dict["NAME"],
            "dana",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=True,
    )
    served = json.loads(run.stdout.strip().splitlines()[-1])
    by_words, picked, by_code = served["answers"]
    assert "M54.50" in by_words and "Low back pain, unspecified" in picked
    assert [hit["code"] for hit in json.loads(by_code)] == ["M54.50", "M54.51", "M54.59"]
    assert served["loaded"] == []
    peak_kb = next(
        int(line.split()[1]) for line in served["status"].splitlines() if line.startswith("VmHWM")
    )
    assert peak_kb < 150 * 1024  # about 90 MB; with the code set loaded, over 250 MB
