"""Forms of the scheduling pages: move, cancel, a series."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from clinic.forms import WEEKDAYS, PageForm
from clinic.models import User
from clinic.vocabulary import Role

from .models import Room
from .recurrence import clinic_zone


def time_24h(label: str) -> forms.TimeField:
    """A time typed as HH:MM: the browser's time input shows AM/PM in some
    locales, and the clinic keeps 24-hour time everywhere."""
    return forms.TimeField(
        label=f"{label} (24-hour)",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(
            format="%H:%M",
            attrs={
                "inputmode": "numeric",
                "pattern": "([01][0-9]|2[0-3]):[0-5][0-9]",
                "placeholder": "HH:MM",
                "autocomplete": "off",
                "size": 5,
            },
        ),
    )


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock date and time in the clinic's zone."""
    return datetime.combine(day, at).replace(tzinfo=clinic_zone())


class MoveForm(PageForm):
    day = forms.DateField(
        label="New date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = time_24h("New time")
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=480)
    therapist = forms.ModelChoiceField(
        queryset=User.objects.with_role(Role.THERAPIST), label="Therapist", required=False
    )

    def slot(self):
        start = local_datetime(self.cleaned_data["day"], self.cleaned_data["at"])
        return start, start + timedelta(minutes=self.cleaned_data["duration_minutes"])

    @classmethod
    def for_appointment(cls, appointment):
        start = timezone.localtime(appointment.start)
        minutes = int((appointment.end - appointment.start).total_seconds() // 60)
        return cls(
            initial={
                "day": start.date(),
                "at": start.time(),
                "duration_minutes": minutes,
                "therapist": appointment.therapist_id,
            }
        )


class CancelForm(PageForm):
    scope = forms.ChoiceField(
        label="Cancel",
        choices=[("one", "This visit only"), ("rest", "This visit and the rest of the series")],
        widget=forms.RadioSelect,
        initial="one",
    )
    reason = forms.CharField(label="Reason", max_length=500, required=False)


class SeriesForm(PageForm):
    """The front desk's words for a recurrence; `rrule()` writes the RFC 5545 rule."""

    therapist = forms.ModelChoiceField(queryset=None, label="Therapist", empty_label=None)
    room = forms.ModelChoiceField(
        queryset=Room.objects.select_related("location"),
        label="Room (every visit)",
        empty_label="No room",
        required=False,
    )
    first_day = forms.DateField(
        label="First visit", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = time_24h("Time")
    duration_minutes = forms.IntegerField(
        label="Minutes per visit", min_value=5, max_value=480, initial=45
    )
    weekdays = forms.MultipleChoiceField(
        label="Weekdays", choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    count = forms.IntegerField(label="Number of visits", min_value=1, max_value=60, required=False)
    on_conflict = forms.ChoiceField(
        label="When a date clashes",
        choices=[
            ("skip", "Book the free dates; skip the clashing ones (each one is listed)"),
            ("refuse", "Book nothing until every date is free"),
        ],
        widget=forms.RadioSelect,
        initial="refuse",
        required=False,  # left out: refuse, as the API's default
    )
    extend = forms.BooleanField(
        label="Make up skipped dates after the last one (within the prescription)",
        required=False,
    )
    until = forms.DateField(
        label="Or until (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = therapists

    def clean(self):
        data = super().clean()
        if not data.get("count") and not data.get("until"):
            self.add_error("count", "Give the number of visits or an end date.")
        elif data.get("count") and data.get("until"):
            self.add_error("until", "Give the number of visits or an end date, not both.")
        return data

    def clean_on_conflict(self):
        return self.cleaned_data.get("on_conflict") or "refuse"

    def first_start(self) -> datetime:
        return local_datetime(self.cleaned_data["first_day"], self.cleaned_data["at"])

    def rrule(self) -> str:
        days = ",".join(self.cleaned_data["weekdays"])
        end = (
            f"COUNT={self.cleaned_data['count']}"
            if self.cleaned_data.get("count")
            else f"UNTIL={self.cleaned_data['until']:%Y%m%d}"
        )
        return f"FREQ=WEEKLY;BYDAY={days};{end}"


class BookForm(PageForm):
    """One visit booked from the calendar: a click on an empty slot fills the
    therapist, the day and the time; the front desk picks the plan."""

    plan = forms.ModelChoiceField(
        queryset=None,
        label="Patient and plan",
        empty_label="Choose the patient's plan",
        required=False,
    )
    referral = forms.ModelChoiceField(
        queryset=None,
        label="Or an evaluation on a signed referral (a new patient, no plan yet)",
        empty_label="No evaluation",
        required=False,
    )
    therapist = forms.ModelChoiceField(
        queryset=User.objects.with_role(Role.THERAPIST), label="Therapist", empty_label=None
    )
    day = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = time_24h("Time")
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=480, initial=45)

    def __init__(self, *args, plans, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = _plan_label
        self.fields["referral"].queryset = referrals
        self.fields["referral"].label_from_instance = _referral_label

    def clean(self):
        data = super().clean()
        if bool(data.get("plan")) == bool(data.get("referral")):
            self.add_error("plan", "Choose the patient's plan, or a referral for an evaluation.")
        return data

    def slot(self):
        start = local_datetime(self.cleaned_data["day"], self.cleaned_data["at"])
        return start, start + timedelta(minutes=self.cleaned_data["duration_minutes"])


def _referral_label(referral) -> str:
    return f"{referral.patient} · evaluation · referral by {referral.doctor}"


def _plan_label(plan) -> str:
    left = max(plan.planned_visits - plan.visits_used, 0)
    words = "1 visit left" if left == 1 else f"{left} visits left"
    return f"{plan.patient} · plan with {plan.therapist} · {words}"
