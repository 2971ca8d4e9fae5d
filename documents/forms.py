"""The transcription page's physician: one from the directory, or a new one
typed from the prescription's letterhead (NPI checked by its check digit)."""

from django import forms

from clinic.forms import PageForm
from clinic.npi import NPI_MESSAGE, is_valid_npi
from referrals.models import OutsidePhysician

from .models import DocumentKind


class PhysicianChoiceForm(PageForm):
    outside_physician = forms.ModelChoiceField(
        label="Prescribing physician",
        queryset=OutsidePhysician.objects.all(),
        required=False,
        empty_label="A physician not yet in the directory (below)",
    )
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    npi = forms.CharField(label="NPI", max_length=10, required=False, help_text="10 digits.")
    practice = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False, help_text="Where the plan of care goes to be signed.")
    phone = forms.CharField(max_length=32, required=False)
    fax = forms.CharField(max_length=32, required=False)

    NEW = ("first_name", "last_name", "npi", "practice", "email", "phone", "fax")

    def clean(self):
        data = super().clean()
        if data.get("outside_physician"):
            return data
        for name in ("first_name", "last_name", "npi"):
            if not data.get(name):
                self.add_error(name, "Needed for a new physician (or choose one above).")
        if data.get("npi") and not is_valid_npi(data["npi"]):
            self.add_error("npi", NPI_MESSAGE)
        elif data.get("npi") and OutsidePhysician.objects.filter(npi=data["npi"]).exists():
            self.add_error("npi", "This NPI is in the directory already: choose it above.")
        return data

    def new_physician(self) -> dict | None:
        """The new physician's fields, or None when one was chosen."""
        if self.cleaned_data.get("outside_physician"):
            return None
        return {name: self.cleaned_data.get(name, "") for name in self.NEW}


class UploadForm(PageForm):
    kind = forms.ChoiceField(label="What it is", choices=DocumentKind.choices)
    file = forms.FileField(label="File", help_text="PDF, JPEG or PNG.")


class PhysicianForm(PageForm):
    """A directory entry, added or corrected on the directory page."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    npi = forms.CharField(
        label="NPI",
        max_length=10,
        help_text="10 digits; the last one is the check digit.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    practice = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False, help_text="Where plans of care go to be signed.")
    phone = forms.CharField(max_length=32, required=False, widget=forms.TextInput({"type": "tel"}))
    fax = forms.CharField(max_length=32, required=False, widget=forms.TextInput({"type": "tel"}))

    def __init__(self, *args, physician: OutsidePhysician | None = None, **kwargs):
        self.physician = physician
        if physician is not None:
            kwargs.setdefault("initial", {n: getattr(physician, n) for n in self.base_fields})
        super().__init__(*args, **kwargs)

    def clean_npi(self):
        npi = self.cleaned_data["npi"].strip()
        if not is_valid_npi(npi):
            raise forms.ValidationError(NPI_MESSAGE)
        taken = OutsidePhysician.objects.filter(npi=npi)
        if self.physician is not None:
            taken = taken.exclude(pk=self.physician.pk)
        if taken.exists():
            raise forms.ValidationError("This NPI is in the directory already.")
        return npi
