"""Forms of the clinic's pages, and the one translation of service errors into
what a page shows: field errors next to the field, conflicts as a message."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.utils import timezone

from .errors import DomainConflict, Invalid, NotAllowed
from .models import Patient
from .recurrence import clinic_zone


def flat_errors(errors) -> list[str]:
    """DRF's nested error shape (`[{}, {"region": ["..."]}]`) as plain sentences."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [message for name, value in errors.items() for message in flat_errors(value) if name]
    out = []
    for item in errors or []:
        out.extend(flat_errors(item))
    return out


def show_service_error(request, error: Exception, form: forms.Form | None = None) -> None:
    """Invalid -> next to each field the form has (else at the top); a 409 or a
    refused role -> one clear message."""
    if isinstance(error, Invalid):
        for name, value in error.errors.items():
            for message in flat_errors(value):
                if form is not None and name in form.fields:
                    form.add_error(name, message)
                elif form is not None:
                    form.add_error(None, f"{name.replace('_', ' ').capitalize()}: {message}")
                else:
                    messages.error(request, message)
    elif isinstance(error, DomainConflict | NotAllowed):
        messages.error(request, getattr(error, "detail", None) or str(error))
    else:  # pragma: no cover - only the domain errors are expected here
        raise error


class NoColon:
    """Labels read as labels, without Django's trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PageForm(NoColon, forms.Form):
    pass


class PatientForm(NoColon, forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "email",
            "reminder_channel",
            "reminder_consent",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        labels = {"reminder_consent": "The patient agrees to appointment reminders"}

    def clean(self):
        data = super().clean()
        channel = data.get("reminder_channel")
        if channel == "email" and not data.get("email"):
            self.add_error("email", "Email reminders need an email address.")
        if channel == "sms" and not data.get("phone"):
            self.add_error("phone", "Text reminders need a phone number.")
        return data


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock date and time in the clinic's zone."""
    return datetime.combine(day, at).replace(tzinfo=clinic_zone())


class MoveForm(PageForm):
    day = forms.DateField(
        label="New date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = forms.TimeField(
        label="New time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=480)

    def slot(self):
        start = local_datetime(self.cleaned_data["day"], self.cleaned_data["at"])
        return start, start + timedelta(minutes=self.cleaned_data["duration_minutes"])

    @classmethod
    def for_appointment(cls, appointment):
        start = timezone.localtime(appointment.start)
        minutes = int((appointment.end - appointment.start).total_seconds() // 60)
        return cls(initial={"day": start.date(), "at": start.time(), "duration_minutes": minutes})


class CancelForm(PageForm):
    scope = forms.ChoiceField(
        label="Cancel",
        choices=[("one", "This visit only"), ("rest", "This visit and the rest of the series")],
        widget=forms.RadioSelect,
        initial="one",
    )
    reason = forms.CharField(label="Reason", max_length=500, required=False)


WEEKDAYS = [
    ("MO", "Mon"),
    ("TU", "Tue"),
    ("WE", "Wed"),
    ("TH", "Thu"),
    ("FR", "Fri"),
    ("SA", "Sat"),
    ("SU", "Sun"),
]


class SeriesForm(PageForm):
    """The front desk's words for a recurrence; `rrule()` writes the RFC 5545 rule."""

    therapist = forms.ModelChoiceField(queryset=None, label="Therapist", empty_label=None)
    first_day = forms.DateField(
        label="First visit", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Minutes per visit", min_value=5, max_value=480, initial=45
    )
    weekdays = forms.MultipleChoiceField(
        label="Weekdays", choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    count = forms.IntegerField(label="Number of visits", min_value=1, max_value=60, required=False)
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
