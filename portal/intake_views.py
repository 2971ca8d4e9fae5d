"""The health-history form through the API and on the patient pages."""

from django import forms
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.errors import Invalid
from scheduling.reminders import clinic_context

from . import intake, sign_in
from .access import patient_page
from .api import PortalAPIMixin
from .models import HealthHistory
from .serializers import HealthHistorySerializer, IntakeAnswersSerializer, IntakeFormSerializer


def last_signed_at(patient):
    latest = HealthHistory.objects.filter(patient=patient).order_by("-signed_at").first()
    return latest.signed_at if latest else None


@extend_schema(tags=["portal"])
class IntakeView(PortalAPIMixin, GenericAPIView):
    serializer_class = IntakeAnswersSerializer
    verbs = {"get": "read_intake", "post": "answer_intake"}

    @extend_schema(responses={200: IntakeFormSerializer})
    def get(self, request):
        self.audit("portal.intake_read")
        body = {
            "version": intake.QUESTIONS_VERSION,
            "questions": intake.questions_for_api(),
            "last_signed_at": last_signed_at(self.patient),
        }
        return Response(IntakeFormSerializer(body).data)

    @extend_schema(request=IntakeAnswersSerializer, responses={201: HealthHistorySerializer})
    def post(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = intake.submit_health_history(
            patient=self.patient,
            answers=given.validated_data["answers"],
            signed_name=given.validated_data.get("full_name", ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(HealthHistorySerializer(form).data, status=status.HTTP_201_CREATED)


# --- the page ------------------------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]


def _field(question: intake.Question) -> forms.Field:
    if question.kind == "yes_no":
        return forms.ChoiceField(label=question.text, choices=YES_NO, widget=forms.RadioSelect)
    if question.kind in intake.CHOICES:
        choices = [("", "—")] + [(v, v.replace("_", " ")) for v in intake.CHOICES[question.kind]]
        return forms.ChoiceField(label=question.text, choices=choices, required=False)
    return forms.CharField(label=question.text, required=False, widget=forms.Textarea({"rows": 2}))


class HealthHistoryForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in intake.QUESTIONS:
            self.fields[question.id] = _field(question)
        self.fields["confirm"] = forms.BooleanField(
            label="These answers are true, to the best of my knowledge."
        )
        self.fields["full_name"] = forms.CharField(
            label="Your full name (your signature)", max_length=200
        )


@require_http_methods(["GET", "POST"])
@patient_page("answer_intake")
def intake_page(request):
    patient = request.patient_caller.patient
    form = HealthHistoryForm(request.POST or None, initial={"full_name": patient.full_name})
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if k in intake.BY_ID}
        try:
            intake.submit_health_history(
                patient=patient, answers=answers, signed_name=form.cleaned_data["full_name"],
                user_agent=request.headers.get("User-Agent", ""),
            )  # fmt: skip
        except Invalid as problem:
            for field, messages in problem.errors.items():
                form.add_error(field if field in form.fields else None, messages[0])
        else:
            return redirect("portal:intake_thanks")
    if request.method == "GET":
        sign_in.audit_by_patient(patient, "portal.intake_read", via="patient pages")
    context = {
        "patient": patient,
        "form": form,
        "last": last_signed_at(patient),
        **clinic_context(),
    }
    return render(request, "portal/intake.html", context, status=400 if form.errors else 200)


@patient_page("read_intake")
def intake_thanks(request):
    context = {"patient": request.patient_caller.patient, **clinic_context()}
    return render(request, "portal/intake_thanks.html", context)
