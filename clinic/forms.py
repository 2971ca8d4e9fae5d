"""Forms of the clinic's pages, and the one translation of service errors into
what a page shows: field errors next to the field, conflicts as a message."""

from django import forms
from django.contrib import messages

from .errors import DomainConflict, Invalid, NotAllowed
from .models import Patient
from .phones import e164_or_blank


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:  # a new patient (its uuid pk is set already)
            # consent is asked, never assumed (issue 15: the box was pre-ticked)
            self.initial["reminder_consent"] = False

    def clean_phone(self):
        return e164_or_blank(self.cleaned_data.get("phone", ""), forms.ValidationError)

    def clean(self):
        data = super().clean()
        channel = data.get("reminder_channel")
        if channel == "email" and not data.get("email"):
            self.add_error("email", "Email reminders need an email address.")
        if channel == "sms" and not data.get("phone"):
            self.add_error("phone", "Text reminders need a phone number.")
        return data


WEEKDAYS = [
    ("MO", "Mon"),
    ("TU", "Tue"),
    ("WE", "Wed"),
    ("TH", "Thu"),
    ("FR", "Fri"),
    ("SA", "Sat"),
    ("SU", "Sun"),
]
