"""Reminders are outbox rows: one per offset and channel when a visit is
booked, kept right when it moves or is cancelled, claimed once by the scan,
retried with backoff, held at night for text messages."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from clinic.models import ReminderChannel
from scheduling import reminder_delivery, reminders
from scheduling.booking import book_appointment, move_appointment
from scheduling.models import Reminder, ReminderStatus
from scheduling.tasks import scan_reminders
from scheduling.visits import cancel_appointment, check_in, mark_no_show
from tests.conftest import requires_postgres
from tests.factories import AppointmentFactory, PatientFactory
from tests.scheduling.conftest import local, next_weekday


def book_at(plan, front_desk, start, minutes=45):
    return book_appointment(
        patient=plan.patient,
        therapist=plan.therapist,
        plan=plan,
        start=start,
        end=start + timedelta(minutes=minutes),
        by=front_desk,
    )


def rows(visit):
    return list(
        visit.reminders.order_by("due_at").values_list("kind", "channel", "due_at", "status")
    )


def test_booking_writes_one_reminder_per_offset_for_the_patients_channel(plan, front_desk):
    # given Pat prefers email
    start = local(next_weekday(2), 10)
    # when
    visit = book_at(plan, front_desk, start)
    # then
    assert rows(visit) == [
        ("24h", "email", start - timedelta(hours=24), "pending"),
        ("2h", "email", start - timedelta(hours=2), "pending"),
    ]


def test_a_patient_who_prefers_text_messages_gets_sms_reminders(plan, front_desk):
    plan.patient.reminder_channel = ReminderChannel.SMS
    plan.patient.save()
    visit = book_at(plan, front_desk, local(next_weekday(2), 10))
    assert {r[1] for r in rows(visit)} == {"sms"}


@pytest.mark.parametrize(
    "change", [{"reminder_consent": False}, {"reminder_channel": ReminderChannel.NONE}]
)
def test_no_reminders_without_consent_or_channel(change, plan, front_desk):
    for name, value in change.items():
        setattr(plan.patient, name, value)
    plan.patient.save()
    visit = book_at(plan, front_desk, local(next_weekday(2), 10))
    assert rows(visit) == []


def test_a_patient_without_an_email_address_has_the_reminder_skipped_with_the_reason(
    plan, front_desk
):
    plan.patient.email = ""
    plan.patient.save()
    visit = book_at(plan, front_desk, local(next_weekday(2), 10))
    assert {r[3] for r in rows(visit)} == {"skipped"}
    assert visit.reminders.first().last_error == "The patient has no email address."


def test_offsets_come_from_the_setting(plan, front_desk, settings):
    settings.REMINDER_OFFSETS = [timedelta(days=2), timedelta(minutes=30)]
    visit = book_at(plan, front_desk, local(next_weekday(2), 10))
    assert [r[0] for r in rows(visit)] == ["48h", "30m"]


def test_a_visit_booked_late_gets_only_the_nearest_past_reminder_now(plan, front_desk):
    # given a visit in 3 hours: the 24h time is past, the 2h one is not
    start = timezone.now() + timedelta(hours=3)
    visit = book_at(plan, front_desk, start)
    # then the 24h reminder goes out now, and the 2h one at its time
    kinds = {r[0]: r[2] for r in rows(visit)}
    assert set(kinds) == {"24h", "2h"}
    assert kinds["24h"] <= timezone.now()
    assert kinds["2h"] == start - timedelta(hours=2)


def test_a_visit_in_an_hour_gets_one_reminder_due_now(plan, front_desk):
    start = timezone.now() + timedelta(hours=1)
    visit = book_at(plan, front_desk, start)
    assert [r[0] for r in rows(visit)] == ["2h"]
    assert rows(visit)[0][2] <= timezone.now()


def test_moving_a_visit_moves_its_reminders(plan, front_desk):
    # given a visit whose 24h reminder was already sent
    start = local(next_weekday(2), 10)
    visit = book_at(plan, front_desk, start)
    visit.reminders.filter(kind="24h").update(status=ReminderStatus.SENT, sent_at=timezone.now())
    # when it moves a day later
    later = start + timedelta(days=1)
    move_appointment(
        appointment=visit, start=later, end=later + timedelta(minutes=45), by=front_desk
    )
    # then both reminders are pending for the new time
    assert rows(visit) == [
        ("24h", "email", later - timedelta(hours=24), "pending"),
        ("2h", "email", later - timedelta(hours=2), "pending"),
    ]


@pytest.mark.parametrize("change", [cancel_appointment, check_in, mark_no_show])
def test_a_visit_cancelled_checked_in_or_missed_has_its_reminders_skipped(change, plan, front_desk):
    visit = book_at(plan, front_desk, local(next_weekday(2), 10))
    # at the visit's start: check-in and no-show keep to the clock
    with time_machine.travel(visit.start + timedelta(minutes=1), tick=False):
        change(appointment=visit, by=front_desk)
    assert {r[3] for r in rows(visit)} == {"skipped"}


# --- the scan -----------------------------------------------------------------------------


def due_visit(patient=None, **kwargs):
    """A visit in 90 minutes with its reminder due now."""
    visit = AppointmentFactory(
        plan=None,
        patient=patient or PatientFactory(),
        start=timezone.now() + timedelta(minutes=90),
        **kwargs,
    )
    reminders.create_for([visit])
    return visit


def deliver(batch, **kwargs) -> list[str]:
    """What happened to each reminder of the batch, in the batch's order."""
    results = reminder_delivery.deliver(batch, **kwargs)
    return [results[pk] for pk in batch.reminder_ids]


def refuse(error: Exception):
    """A `reminders.send` whose provider always fails with `error`."""

    def send(reminder, **kwargs):
        raise error

    return send


def test_the_scan_sends_a_due_email_with_the_time_therapist_address_and_link(db, settings):
    # given
    visit = due_visit()
    # when
    scan_reminders.apply()
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    local_start = timezone.localtime(visit.start)
    assert message.to == [visit.patient.email]
    assert f"{local_start:%B} {local_start.day}" in message.body
    assert visit.therapist.get_full_name() in message.body
    assert settings.CLINIC_ADDRESS in message.body
    assert settings.CLINIC_PHONE in message.body
    assert "/visit/" in message.body
    reminder = visit.reminders.get()
    assert (reminder.status, reminder.attempts) == ("sent", 1)
    assert reminder.sent_at is not None


def test_the_scan_sends_nothing_twice(db):
    due_visit()
    scan_reminders.apply()
    scan_reminders.apply()
    assert len(mail.outbox) == 1


def test_a_reminder_not_yet_due_is_left_alone(db):
    AppointmentFactory(plan=None, patient=PatientFactory())
    for visit_reminder in Reminder.objects.all():
        assert visit_reminder.due_at > timezone.now()
    assert not reminders.claim_due()


def test_a_claimed_reminder_is_not_claimed_again_until_its_lease_ends(db, settings):
    # given one scan claimed the reminder and its worker died
    due_visit()
    first = reminders.claim_due()
    # when another scan runs within the lease
    assert not reminders.claim_due()
    # then after the lease it is claimed again, and the first claim is void
    later = timezone.now() + timedelta(seconds=settings.REMINDER_CLAIM_SECONDS + 1)
    second = reminders.claim_due(now=later)
    assert second.reminder_ids == first.reminder_ids
    assert deliver(first) == ["lost"]
    assert deliver(second) == ["sent"]
    assert len(mail.outbox) == 1


def test_nothing_is_sent_for_a_visit_cancelled_after_the_claim(db, front_desk):
    visit = due_visit()
    batch = reminders.claim_due()
    visit.status = "cancelled"
    visit.save()
    assert deliver(batch) == ["skipped"]
    assert mail.outbox == []
    assert visit.reminders.get().status == "skipped"


def test_a_failure_is_retried_with_backoff_then_marked_failed(db, settings, monkeypatch):
    # given a mail server that is down
    settings.REMINDER_MAX_ATTEMPTS = 3
    monkeypatch.setattr(reminders, "send", refuse(OSError("down")))
    visit = due_visit()
    now = timezone.now()
    # when the first try fails
    assert deliver(reminders.claim_due(now=now), now=now) == ["retry"]
    reminder = visit.reminders.get()
    # then it waits a minute, with the error recorded
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert reminder.due_at == now + timedelta(minutes=1)
    assert reminder.last_error == "OSError: down"
    assert not reminders.claim_due(now=now)
    # the second waits two minutes
    now += timedelta(minutes=1)
    assert deliver(reminders.claim_due(now=now), now=now) == ["retry"]
    assert visit.reminders.get().due_at == now + timedelta(minutes=2)
    # and the third is the last
    now += timedelta(minutes=2)
    assert deliver(reminders.claim_due(now=now), now=now) == ["failed"]
    reminder = visit.reminders.get()
    assert (reminder.status, reminder.attempts) == ("failed", 3)


def test_a_text_message_due_at_night_is_held_until_eight(db, settings, tmp_path):
    # given a text reminder due at 22:30 clinic time
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    patient = PatientFactory(reminder_channel=ReminderChannel.SMS)
    visit = due_visit(patient=patient)
    night = local(timezone.localdate() + timedelta(days=1), 22, 30)
    visit.start = night + timedelta(hours=12)
    visit.end = visit.start + timedelta(minutes=45)
    visit.save()
    Reminder.objects.update(due_at=night - timedelta(minutes=1))
    # when the scan runs at night
    batch = reminders.claim_due(now=night)
    assert deliver(batch, now=night) == ["held"]
    # then nothing was sent and it waits for 08:00 the next morning
    reminder = visit.reminders.get()
    assert reminder.due_at == local(night.date() + timedelta(days=1), 8)
    assert (reminder.status, reminder.attempts) == ("pending", 0)
    assert not (tmp_path / "sms.jsonl").exists()


def test_a_text_message_in_the_day_goes_through_the_sms_backend(db, settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    patient = PatientFactory(reminder_channel=ReminderChannel.SMS, phone="+15550100199")
    visit = due_visit(patient=patient)
    noon = local(timezone.localdate(), 12)
    Reminder.objects.update(due_at=noon)
    batch = reminders.claim_due(now=noon)
    visit.start = noon + timedelta(hours=2)
    visit.end = visit.start + timedelta(minutes=45)
    visit.save()
    assert deliver(batch, now=noon) == ["sent"]
    (line,) = (tmp_path / "sms.jsonl").read_text().splitlines()
    sms = json.loads(line)
    assert sms["to"] == "+15550100199"
    assert "Confirm or cancel: http" in sms["text"]


def test_the_scan_takes_the_same_queries_for_one_due_reminder_or_forty(
    db, django_assert_num_queries, monkeypatch
):
    # given the claims are counted apart from delivery (a task per batch)
    sent = []
    monkeypatch.setattr("scheduling.tasks.send_reminders.delay", lambda *args: sent.append(args))
    due_visit()
    # savepoint, select, update, release; and the scan's heartbeat for /readyz (ops)
    with django_assert_num_queries(5) as few:
        scan_reminders.apply()
    for _ in range(40):
        due_visit()
    # when / then
    with django_assert_num_queries(len(few.captured_queries)):
        scan_reminders.apply()
    assert [len(ids) for ids, lease in sent] == [1, 40]


def test_delivering_a_batch_takes_two_queries_for_one_reminder_or_forty(
    db, django_assert_num_queries
):
    # given one due reminder: one SELECT of the batch, one UPDATE of its outcomes
    due_visit()
    batch = reminders.claim_due()
    with django_assert_num_queries(2):
        assert deliver(batch) == ["sent"]
    # when forty are due
    for _ in range(40):
        due_visit()
    batch = reminders.claim_due()
    # then the same two
    with django_assert_num_queries(2):
        assert deliver(batch) == ["sent"] * 40
    assert len(mail.outbox) == 41
    assert Reminder.objects.filter(status="sent", attempts=1, claimed_until=None).count() == 41


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_once(django_db_blocker):
    # given 30 due reminders and two beats scanning at the same moment
    for _ in range(30):
        due_visit()
    claims: list = []
    barrier = threading.Barrier(2)

    def scan():
        barrier.wait()
        try:
            while batch := reminders.claim_due(limit=5):
                claims.extend(batch.reminder_ids)
                reminder_delivery.deliver(batch)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every reminder was claimed and sent exactly once
    assert len(claims) == 30
    assert len(set(claims)) == 30
    assert len(mail.outbox) == 30
    assert Reminder.objects.filter(status="sent").count() == 30


def test_nothing_is_sent_once_the_patient_withdraws_consent(db):
    visit = due_visit()
    batch = reminders.claim_due()
    visit.patient.reminder_consent = False
    visit.patient.save()
    assert deliver(batch) == ["skipped"]
    assert mail.outbox == []


def test_a_patient_switching_to_text_messages_gets_the_coming_reminders_by_sms(plan, front_desk):
    # given a visit whose 24h email already went out
    start = local(next_weekday(2), 10)
    visit = book_at(plan, front_desk, start)
    visit.reminders.filter(kind="24h").update(status=ReminderStatus.SENT)
    # when Pat now prefers text messages
    plan.patient.reminder_channel = ReminderChannel.SMS
    plan.patient.save()
    reminders.replan_for_patient(plan.patient)
    # then the sent one stays, and the 2h one comes by SMS
    assert [(r[0], r[1], r[3]) for r in rows(visit)] == [
        ("24h", "email", "sent"),
        ("2h", "sms", "pending"),
    ]


def test_a_backlog_is_drained_at_once_not_one_batch_a_minute(db, settings):
    # given five reminders due and batches of two
    settings.REMINDER_BATCH_SIZE = 2
    for _ in range(5):
        due_visit()
    # when the beat's scan runs once
    scan_reminders.apply()
    # then every due reminder went out, each once
    assert len(mail.outbox) == 5
    assert not Reminder.objects.filter(status="pending", due_at__lte=timezone.now()).exists()
