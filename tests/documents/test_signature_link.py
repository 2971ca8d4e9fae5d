"""A plan of care signed by an outside physician through a secure link (API.md,
Outside physicians and documents): single use, a 6-digit code to the same
address, a typed name and a drawn signature; approval certifies the plan as a
staff doctor's does; reminders at 3 and 7 days; every step audited."""

import base64
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent
from referrals import signature_links
from referrals.models import OutsidePhysician, PhysicianLink, PlanStatus
from tests.factories import ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_tasks():
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def a_signature() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(40, 150), (200, 40), (320, 160), (560, 50)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def proposed(therapist, front_desk, patient):
    """Theo's plan under Dr. Okafor's transcribed prescription, proposed."""
    ada = OutsidePhysician.objects.create(
        first_name="Ada", last_name="Okafor", npi="1234567893", email="ada@harbor.example",
        created_by=front_desk,
    )  # fmt: skip
    referral = ReferralFactory(
        patient=patient, doctor=None, outside_physician=ada, transcribed_by=therapist,
        source="document", signed_by=therapist,
    )  # fmt: skip
    return TreatmentPlanFactory(
        referral=referral, therapist=therapist, status=PlanStatus.PROPOSED, approved_at=None
    )


def _sent(api, therapist, plan, mailoutbox, capture):
    with capture(execute=True):
        answer = api.as_(therapist).post(f"/api/v1/treatment-plans/{plan.pk}/request-signature/")
    assert answer.status_code == 201, answer.json()
    return re.search(r"https?://\S+/sign/(\S+)/", mailoutbox[-1].body).group(1)


def _code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].subject).group(1)


def test_the_physician_signs_on_the_link_and_the_plan_is_certified(
    api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks, private_documents
):
    # given Theo sends the plan to Dr. Okafor
    token = _sent(api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks)
    assert mailoutbox[-1].to == ["ada@harbor.example"]
    phone = Client()
    page = phone.get(f"/sign/{token}/")
    assert page.status_code == 200 and "Plan of care for" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    # when she asks for the code, enters it, types her name and draws her signature
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(f"/sign/{token}/code/")
    assert mailoutbox[-1].to == ["ada@harbor.example"]
    phone.post(f"/sign/{token}/verify/", {"code": _code(mailoutbox)})
    done = phone.post(
        f"/sign/{token}/answer/",
        {"answer": "approve", "typed_name": "Ada Okafor, MD", "signature": a_signature()},
    )
    # then the plan is approved and certified, as by a staff doctor
    assert done.status_code == 200 and "signed and certified" in done.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == PlanStatus.APPROVED and proposed.certified_until is not None
    # and the link is spent: a second visit finds it gone
    assert phone.get(f"/sign/{token}/").status_code == 410
    # and the signed PDF says who signed, how, and carries the drawn signature
    pdf = api.as_(therapist).get(f"/api/v1/treatment-plans/{proposed.pk}/pdf/")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "signed as “Ada Okafor, MD”" in text and "secure link" in text
    assert len(reader.pages[0].images) == 1
    # every step audited, naming the physician
    steps = AuditEvent.objects.filter(target_id=str(proposed.pk)).values_list("action", "detail")
    actions = {action for action, _ in steps}
    assert {"plan.signature_requested", "plan.signature_code_sent",
            "plan.signature_code_verified", "plan.approved"} <= actions  # fmt: skip
    assert all("Okafor" in detail for action, detail in steps if action.startswith("plan.sig"))


def test_without_the_code_nothing_can_be_signed(
    api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    token = _sent(api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks)
    phone = Client()
    answer = phone.post(
        f"/sign/{token}/answer/",
        {"answer": "approve", "typed_name": "Ada Okafor", "signature": a_signature()},
    )
    assert answer.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == PlanStatus.PROPOSED


def test_five_wrong_codes_and_the_code_is_dead(
    api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    token = _sent(api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks)
    phone = Client()
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(f"/sign/{token}/code/")
    right = _code(mailoutbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        phone.post(f"/sign/{token}/verify/", {"code": wrong})
    phone.post(f"/sign/{token}/verify/", {"code": right})
    assert PhysicianLink.objects.get().verified_at is None


def test_the_physician_asks_for_changes(
    api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    token = _sent(api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks)
    phone = Client()
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(f"/sign/{token}/code/")
    phone.post(f"/sign/{token}/verify/", {"code": _code(mailoutbox)})
    phone.post(f"/sign/{token}/answer/", {"answer": "changes", "comment": "Add the upper back."})
    proposed.refresh_from_db()
    assert (proposed.status, proposed.doctor_comment) == ("draft", "Add the upper back.")


def test_reminders_at_three_and_seven_days_each_with_a_new_link(
    api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    first = _sent(api, therapist, proposed, mailoutbox, django_capture_on_commit_callbacks)
    link = PhysicianLink.objects.get()
    for days, expected in ((2, 0), (3, 1), (5, 0), (7, 1), (9, 0)):
        PhysicianLink.objects.filter(pk=link.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert signature_links.remind_waiting_physicians() == expected, days
    assert [m.subject.startswith("Reminder") for m in mailoutbox] == [False, True, True]
    # the latest email's link works; the first one no longer does
    latest = re.search(r"/sign/(\S+)/", mailoutbox[-1].body).group(1)
    assert Client().get(f"/sign/{latest}/").status_code == 200
    assert Client().get(f"/sign/{first}/").status_code == 410


@pytest.mark.parametrize("role", ["doctor", "front_desk", "manager", "other_therapist"])
def test_only_the_plans_therapist_sends_it(request, api, proposed, role):
    answer = api.as_(request.getfixturevalue(role)).post(
        f"/api/v1/treatment-plans/{proposed.pk}/request-signature/"
    )
    assert answer.status_code in (403, 404)
    assert not PhysicianLink.objects.exists()


def test_a_staff_doctors_plan_is_not_sent_by_link(api, therapist, referral):
    plan = TreatmentPlanFactory(
        referral=referral, therapist=therapist, status=PlanStatus.PROPOSED, approved_at=None
    )
    answer = api.as_(therapist).post(f"/api/v1/treatment-plans/{plan.pk}/request-signature/")
    assert answer.status_code == 409 and answer.json()["code"] == "invalid_transition"
    assert not PhysicianLink.objects.exists()
