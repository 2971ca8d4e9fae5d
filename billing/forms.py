"""Forms of billing's pages: the card's fields of a coverage, an authorization,
a payment, a claim's answer. The rules stay in billing's services."""

from django import forms

from clinic.forms import PageForm

from .models import Payer, PaymentMethod, Priority, Relationship, ServiceCode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CoverageForm(PageForm):
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.filter(is_active=True).exclude(kind="self_pay"), label="Payer"
    )
    priority = forms.ChoiceField(choices=Priority.choices, label="Priority")
    member_id = forms.CharField(label="Member id", max_length=80, required=False)
    group_number = forms.CharField(label="Group number", max_length=50, required=False)
    relationship = forms.ChoiceField(
        choices=Relationship.choices, label="Patient is the subscriber's", initial="self"
    )
    subscriber_name = forms.CharField(
        label="Subscriber's name", max_length=120, required=False,
        help_text="Leave blank when the patient is the subscriber.",
    )  # fmt: skip
    valid_from = forms.DateField(label="Valid from", widget=DATE)
    valid_until = forms.DateField(label="Valid until", widget=DATE, required=False)
    claim_number = forms.CharField(
        label="Claim number", max_length=50, required=False,
        help_text="Auto and workers' comp: required.",
    )  # fmt: skip
    date_of_injury = forms.DateField(label="Date of injury", widget=DATE, required=False)
    adjuster_name = forms.CharField(label="Adjuster", max_length=120, required=False)
    adjuster_phone = forms.CharField(label="Adjuster's phone", max_length=32, required=False)


class AuthorizationForm(PageForm):
    coverage = forms.ModelChoiceField(queryset=None, label="Coverage", empty_label=None)
    number = forms.CharField(label="Authorization number", max_length=50)
    codes = forms.ModelMultipleChoiceField(
        queryset=ServiceCode.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple, label="Codes (none: every code)",
    )  # fmt: skip
    visits = forms.IntegerField(label="Visits", min_value=1, max_value=999)
    units = forms.IntegerField(label="Units", min_value=1, max_value=999)
    valid_from = forms.DateField(label="Valid from", widget=DATE)
    valid_until = forms.DateField(label="Valid until", widget=DATE)

    def __init__(self, *args, coverages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coverage"].queryset = coverages


class PaymentForm(PageForm):
    amount = forms.DecimalField(label="Amount", max_digits=10, decimal_places=2, min_value=0.01)
    method = forms.ChoiceField(
        label="Method",
        choices=[c for c in PaymentMethod.choices if c[0] not in ("insurance", "adjustment")],
    )
    reference = forms.CharField(label="Reference", max_length=100, required=False)


class DenyForm(PageForm):
    reason = forms.CharField(label="Payer's reason", max_length=500, required=False)


class PaidForm(PageForm):
    amount = forms.DecimalField(
        label="Amount paid", max_digits=10, decimal_places=2, min_value=0, required=False
    )
    reference = forms.CharField(label="Reference (EFT, check)", max_length=100, required=False)


class VoidForm(PageForm):
    reason = forms.CharField(label="Reason", max_length=500)
