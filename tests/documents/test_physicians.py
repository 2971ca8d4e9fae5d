"""Outside physicians (API.md, Outside physicians and documents): a directory
the front desk, therapists and doctors fill and read; the NPI must carry its
check digit."""

import pytest

from clinic.npi import is_valid_npi, luhn_check_digit
from referrals.models import OutsidePhysician

pytestmark = pytest.mark.django_db

URL = "/api/v1/physicians/"
# CMS's worked example: 123456789 with the prefix 80840 checks to 3
VALID_NPI = "1234567893"
DR_AHMED = {
    "first_name": "Nadia", "last_name": "Ahmed", "npi": VALID_NPI,
    "practice": "Harbor Orthopedics", "email": "ahmed@harbor.example",
    "phone": "555-0100", "fax": "555-0101",
}  # fmt: skip


def test_the_check_digit_of_the_cms_example():
    assert luhn_check_digit("80840123456789") == 3
    assert is_valid_npi(VALID_NPI)
    assert not is_valid_npi("1234567890")
    assert not is_valid_npi("123456789")
    assert not is_valid_npi("12345678９3")  # a full-width digit is not a digit here


@pytest.mark.parametrize("role", ["front_desk", "therapist", "doctor"])
def test_the_front_desk_therapists_and_doctors_add_a_physician(request, api, role):
    user = request.getfixturevalue(role)
    response = api.as_(user).post(URL, DR_AHMED)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in DR_AHMED} == DR_AHMED
    assert api.as_(user).get(f"{URL}{body['id']}/").json()["npi"] == VALID_NPI


def test_the_manager_reads_but_does_not_add(api, manager, front_desk):
    api.as_(front_desk).post(URL, DR_AHMED)
    assert api.as_(manager).get(URL).json()["count"] == 1
    assert api.as_(manager).post(URL, {**DR_AHMED, "npi": "1245319599"}).status_code == 403


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678901", "abcdefghij", ""])
def test_an_npi_without_its_check_digit_is_a_400_naming_npi(api, front_desk, npi):
    response = api.as_(front_desk).post(URL, {**DR_AHMED, "npi": npi})
    assert response.status_code == 400
    assert list(response.json()) == ["npi"]
    assert not OutsidePhysician.objects.exists()


def test_the_same_npi_twice_is_a_400_naming_npi(api, front_desk, therapist):
    api.as_(front_desk).post(URL, DR_AHMED)
    response = api.as_(therapist).post(URL, DR_AHMED)
    assert response.status_code == 400
    assert "npi" in response.json()


def test_search_finds_by_name_or_npi(api, front_desk):
    api.as_(front_desk).post(URL, DR_AHMED)
    assert api.as_(front_desk).get(URL, {"search": "ahm"}).json()["count"] == 1
    assert api.as_(front_desk).get(URL, {"search": VALID_NPI}).json()["count"] == 1
    assert api.as_(front_desk).get(URL, {"search": "zzz"}).json()["count"] == 0


def test_listing_takes_the_same_queries_for_2_and_12_physicians(api, front_desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(first, n):
        for i in range(first, first + n):
            base = f"{100000000 + i}"
            npi = base + str(luhn_check_digit("80840" + base))
            OutsidePhysician.objects.create(
                first_name="A", last_name=f"B{i}", npi=npi, created_by=front_desk
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.as_(front_desk).get(URL).status_code == 200
        return len(queries)

    add(0, 2)
    few = count()
    add(2, 10)
    assert count() == few
