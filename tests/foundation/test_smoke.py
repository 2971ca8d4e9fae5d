from scheduling.models import Appointment


def test_the_booked_visit_belongs_to_the_plans_patient_and_therapist(db):
    from tests.factories import AppointmentFactory

    # given / when
    visit = AppointmentFactory()
    # then
    assert visit.patient == visit.plan.patient
    assert visit.therapist == visit.plan.therapist
    assert Appointment.objects.live().count() == 1
