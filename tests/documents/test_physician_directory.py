"""The directory of outside physicians as a page (API.md, Outside physicians and
documents): the staff who read `/api/v1/physicians/` find one by name, NPI,
practice, email or fax; those who add one there add and correct one here, the
NPI checked by its check digit with the error beside the field; the biller and
the patient are refused, as by the API."""

import pytest
from django.test import Client

from clinic.models import AuditEvent
from referrals.models import OutsidePhysician
from tests.security.test_patient_leaks import refused, signed_in_both_ways

from .test_physicians import DR_AHMED, VALID_NPI

pytestmark = pytest.mark.django_db

DIRECTORY = "/physicians/"
NEW = "/physicians/new/"
# another NPI that checks (123456790 + check digit 1)
OTHER_NPI = "1234567901"


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ahmed(front_desk):
    return OutsidePhysician.objects.create(created_by=front_desk, **DR_AHMED)


@pytest.fixture
def many(front_desk):
    return OutsidePhysician.objects.bulk_create(
        OutsidePhysician(
            first_name=f"Sam{i}", last_name="Lee", npi=npi, created_by=front_desk,
            practice="Eastside Spine", fax=f"555-02{i:02}",
        )
        for i, npi in enumerate(["1234567901", "1234567919", "1234567927", "1234567935"])
    )  # fmt: skip


def test_the_other_npis_check():
    from clinic.npi import is_valid_npi

    assert is_valid_npi(OTHER_NPI)
    assert all(is_valid_npi(n) for n in ["1234567919", "1234567927", "1234567935"])


@pytest.mark.parametrize("role", ["front_desk", "therapist", "doctor", "manager"])
def test_the_staff_who_read_the_directory_see_its_link_and_its_rows(request, role, ahmed):
    client = _signed_in(request.getfixturevalue(role))
    page = client.get(DIRECTORY)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{DIRECTORY}"' in html  # the nav's link
    for shown in ("Ahmed, Nadia", VALID_NPI, "Harbor Orthopedics", "ahmed@harbor.example"):
        assert shown in html
    assert "555-0101" in html  # the fax
    # the manager reads the directory; the others also add and correct it
    can_write = role != "manager"
    assert ("Add a physician" in html) is can_write
    assert (f"/physicians/{ahmed.pk}/edit/" in html) is can_write


@pytest.mark.parametrize(
    "term", ["ahmed", "Nadia Ahmed", "123456", "harbor", "harbor.example", "555-0101"]
)
def test_a_search_by_name_npi_practice_email_or_fax_finds_her(front_desk, ahmed, many, term):
    html = _signed_in(front_desk).get(DIRECTORY, {"q": term}).content.decode()
    assert "Ahmed, Nadia" in html
    assert ("Lee, Sam0" in html) is (term == "123456")  # the NPIs share the prefix only


def test_the_list_costs_the_same_few_queries_however_long(
    front_desk, ahmed, many, django_assert_max_num_queries
):
    client = _signed_in(front_desk)
    client.get(DIRECTORY)  # warm the session
    # the session read and saved again (in its savepoint), the user, the physicians:
    # no query per row
    with django_assert_max_num_queries(6):
        page = client.get(DIRECTORY)
    assert page.content.decode().count("/edit/") == 5


def test_a_physician_added_with_a_bad_check_digit_shows_the_error_at_the_npi(therapist):
    client = _signed_in(therapist)
    answer = client.post(NEW, {**DR_AHMED, "npi": "1234567890"})
    html = answer.content.decode()
    # then the form comes back, the error inside the NPI's own field group
    assert answer.status_code == 400
    assert not OutsidePhysician.objects.exists()
    npi_field = html.split('<div class="field has-error">', 1)[1].split("</div>", 1)[0]
    assert 'name="npi"' in html and "check digit" in npi_field
    assert 'value="Nadia"' in html  # what was typed stays typed


def test_a_physician_added_is_in_the_directory_and_audited(therapist):
    answer = _signed_in(therapist).post(NEW, DR_AHMED)
    physician = OutsidePhysician.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"{DIRECTORY}?q={VALID_NPI}"
    assert (physician.npi, physician.created_by) == (VALID_NPI, therapist)
    assert AuditEvent.objects.filter(action="physician.create", actor=therapist).exists()


def test_an_npi_already_in_the_directory_is_refused_at_the_field(front_desk, ahmed):
    answer = _signed_in(front_desk).post(NEW, {**DR_AHMED, "first_name": "Nadya"})
    assert answer.status_code == 400
    assert "already" in answer.content.decode()
    assert OutsidePhysician.objects.count() == 1


def test_a_physician_corrected_keeps_her_npi_and_the_change_is_audited(front_desk, ahmed):
    url = f"/physicians/{ahmed.pk}/edit/"
    client = _signed_in(front_desk)
    assert 'value="Harbor Orthopedics"' in client.get(url).content.decode()
    answer = client.post(url, {**DR_AHMED, "fax": "555-0199"})
    ahmed.refresh_from_db()
    assert answer.status_code == 302 and ahmed.fax == "555-0199"
    event = AuditEvent.objects.get(action="physician.update")
    assert (event.actor, event.detail) == (front_desk, "fax")


def test_a_correction_to_a_bad_npi_saves_nothing(doctor, ahmed, many):
    url = f"/physicians/{ahmed.pk}/edit/"
    client = _signed_in(doctor)
    bad = client.post(url, {**DR_AHMED, "npi": "1234567894", "fax": "555-0199"})
    taken = client.post(url, {**DR_AHMED, "npi": OTHER_NPI})
    ahmed.refresh_from_db()
    assert (bad.status_code, taken.status_code) == (400, 400)
    assert "check digit" in bad.content.decode() and "already" in taken.content.decode()
    assert (ahmed.npi, ahmed.fax) == (VALID_NPI, "555-0101")
    assert not AuditEvent.objects.filter(action="physician.update").exists()


def test_the_manager_reads_but_does_not_add_or_correct(manager, ahmed):
    client = _signed_in(manager)
    assert client.get(NEW).status_code == 403
    assert client.post(f"/physicians/{ahmed.pk}/edit/", DR_AHMED).status_code == 403


def test_the_biller_is_refused_as_by_the_api(api, biller, ahmed):
    client = _signed_in(biller)
    html = client.get("/").content.decode() if client.get("/").status_code == 200 else ""
    assert f'href="{DIRECTORY}"' not in html
    for url in (DIRECTORY, NEW, f"/physicians/{ahmed.pk}/edit/", f"{DIRECTORY}?q=ahmed"):
        assert client.get(url).status_code == 403
    assert api.as_(biller).get("/api/v1/physicians/").status_code == 403


def test_a_signed_in_patient_reaches_none_of_it(ahmed, patient):
    pages, _api = signed_in_both_ways(patient)
    for url in (DIRECTORY, f"{DIRECTORY}?q=ahmed", NEW, f"/physicians/{ahmed.pk}/edit/"):
        answer = pages.get(url)
        assert refused(answer), (url, answer.status_code)
        assert VALID_NPI not in answer.content.decode()
    assert refused(pages.post(NEW, {**DR_AHMED, "npi": OTHER_NPI}))
    assert OutsidePhysician.objects.count() == 1


def test_the_correction_service_checks_what_callers_other_than_the_page_send(front_desk, ahmed):
    from clinic.errors import Invalid, NotAllowed
    from referrals.physicians import change_physician

    with pytest.raises(Invalid) as error:
        change_physician(physician=ahmed, by=front_desk, data={"npi": "1234567890"})
    assert list(error.value.errors) == ["npi"]
    with pytest.raises(NotAllowed):
        change_physician(physician=ahmed, by=None, data={"fax": "1"})
    ahmed.refresh_from_db()
    assert ahmed.npi == VALID_NPI
