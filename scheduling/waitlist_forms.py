"""The waitlist page's forms (scheduling.waitlist_pages): an entry's wishes,
and its withdrawal. The rules stay in scheduling.waitlist; these only read
what the front desk typed."""

from django import forms
from django.db.models import Q

from clinic.forms import WEEKDAYS, PageForm
from clinic.models import User
from clinic.vocabulary import Role
from referrals.models import PlanStatus, TreatmentPlan

from .forms import time_24h

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PlanChoice(forms.ModelChoiceField):
    """A plan named by its dates and therapist: nothing clinical on the desk's page."""

    def label_from_instance(self, plan):
        return f"{plan.start_date:%b %-d, %Y}, {plan.therapist}, {plan.planned_visits} visits" + (
            "" if plan.status == PlanStatus.APPROVED else f" ({plan.get_status_display()})"
        )


class EntryForm(PageForm):
    plan = PlanChoice(queryset=TreatmentPlan.objects.none(), label="Plan", empty_label=None)
    therapist = forms.ModelChoiceField(
        queryset=User.objects.with_role(Role.THERAPIST),
        label="Therapist wanted",
        empty_label="Any therapist",
        required=False,
    )
    earliest = forms.DateField(label="Earliest day", **DATE)
    latest = forms.DateField(label="Latest day", **DATE)
    weekdays = forms.MultipleChoiceField(
        label="Weekdays", choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    from_time = time_24h("From")
    to_time = time_24h("To")
    # the version the desk read (edit only): a change made since is shown, not overwritten
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, patient, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the approved plans (and the entry's own, whatever became of it): the
        # service says why another would not do
        wanted = Q(status=PlanStatus.APPROVED) | Q(pk=getattr(entry, "plan_id", None))
        self.fields["plan"].queryset = (
            TreatmentPlan.objects.filter(wanted, patient=patient)
            .select_related("therapist")
            .order_by("-start_date")
        )

    @classmethod
    def for_entry(cls, entry, data=None):
        initial = {name: getattr(entry, name) for name in (
            "plan", "therapist", "earliest", "latest", "weekdays", "from_time", "to_time",
            "version")}  # fmt: skip
        initial["plan"], initial["therapist"] = entry.plan_id, entry.therapist_id
        return cls(data, initial=initial, patient=entry.patient, entry=entry)

    def wishes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class WithdrawForm(PageForm):
    reason = forms.CharField(
        label="Why the patient no longer waits",
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
