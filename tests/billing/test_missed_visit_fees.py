"""No-show and late-cancellation fees by the clinic's policy: off by default;
when set, the scan adds the fee to the patient's ledger once per visit, and the
front desk may void it with a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from billing import tasks
from billing.models import Charge
from scheduling import visits as scheduling
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
FEES = {"NO_SHOW_FEE": Decimal("40.00"), "LATE_CANCEL_FEE": Decimal("25.00")}


def visit_in(plan, hours):
    start = timezone.now() + timedelta(hours=hours)
    return AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))


def test_fees_are_off_by_default(plan, front_desk):
    scheduling.mark_no_show(appointment=visit_in(plan, -1), by=front_desk)
    scheduling.cancel_appointment(appointment=visit_in(plan, 2), by=front_desk, reason="sick")
    assert tasks.charge_missed_visits() == 0
    assert not Charge.objects.exists()


@override_settings(**FEES)
def test_a_no_show_is_charged_the_fee_once(plan, front_desk):
    scheduling.mark_no_show(appointment=visit_in(plan, -1), by=front_desk)
    assert tasks.charge_missed_visits() == 1
    assert tasks.charge_missed_visits() == 0  # the scan again: nothing twice
    fee = Charge.objects.get()
    assert (fee.kind, fee.total, fee.payer.kind) == ("no_show_fee", Decimal("40.00"), "self_pay")


@override_settings(**FEES, LATE_CANCEL_HOURS=24)
def test_only_a_cancellation_inside_the_notice_period_is_charged(plan, front_desk):
    scheduling.cancel_appointment(appointment=visit_in(plan, 2), by=front_desk, reason="late")
    scheduling.cancel_appointment(appointment=visit_in(plan, 72), by=front_desk, reason="early")
    assert tasks.charge_missed_visits() == 1
    assert Charge.objects.get().kind == "late_cancel_fee"


@override_settings(**FEES)
def test_the_front_desk_voids_a_fee_with_a_reason_and_it_stays_void(api, plan, front_desk):
    scheduling.mark_no_show(appointment=visit_in(plan, -1), by=front_desk)
    tasks.charge_missed_visits()
    fee = Charge.objects.get()
    voided = api.as_(front_desk).post(f"/api/v1/charges/{fee.pk}/void/", {"reason": "Snowstorm"})
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    assert tasks.charge_missed_visits() == 0  # a voided fee is not charged again
    ledger = api.as_(front_desk).get(f"/api/v1/patients/{plan.patient_id}/ledger/").json()
    assert ledger["balance"] == "0.00"
