"""Questionnaires through the API and on the patient pages."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.errors import Invalid
from clinic.pagination import Pagination
from scheduling.reminders import clinic_context

from . import questionnaires, sign_in
from .access import patient_page
from .api import PortalAPIMixin
from .serializers import (
    QuestionnaireAnswersSerializer,
    QuestionnaireScoreSerializer,
    QuestionnaireSerializer,
)


@extend_schema(tags=["portal"])
class QuestionnaireListView(PortalAPIMixin, GenericAPIView):
    serializer_class = QuestionnaireSerializer
    pagination_class = Pagination  # the API's pages, described as they are
    verbs = {"get": "read_questionnaires"}

    @extend_schema(responses=QuestionnaireSerializer(many=True))  # a page of them
    def get(self, request):
        self.audit("portal.questionnaires_read")
        page = self.paginate_queryset(questionnaires.due_for(self.patient))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["portal"])
class QuestionnaireAnswerView(PortalAPIMixin, GenericAPIView):
    serializer_class = QuestionnaireAnswersSerializer
    verbs = {"post": "answer_questionnaire"}

    @extend_schema(
        request=QuestionnaireAnswersSerializer, responses={201: QuestionnaireScoreSerializer}
    )
    def post(self, request, pk):
        due = questionnaires.due_by_id(self.patient, pk)
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        measurement = questionnaires.answer(due=due, items=given.validated_data["items"])
        body = QuestionnaireScoreSerializer(measurement).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- the pages -----------------------------------------------------------------------------


@patient_page("read_questionnaires")
def questionnaire_list(request):
    patient = request.patient_caller.patient
    sign_in.audit_by_patient(patient, "portal.questionnaires_read", via="patient pages")
    context = {"patient": patient, "due": questionnaires.due_for(patient), **clinic_context()}
    return render(request, "portal/questionnaires.html", context)


def _posted_items(due, data) -> list[dict]:
    items = []
    for i, _item in enumerate(due.items):
        raw = data.get(f"item_{i}", "")
        item = {"score": int(raw) if raw.isdigit() else None}
        if due.measure == "psfs":
            item["activity"] = data.get(f"activity_{i}", "")
        items.append(item)
    return items


@require_http_methods(["GET", "POST"])
@patient_page("answer_questionnaire")
def questionnaire_form(request, questionnaire_id):
    patient = request.patient_caller.patient
    due = questionnaires.due_by_id(patient, questionnaire_id)
    errors = {}
    if request.method == "POST":
        try:
            questionnaires.answer(due=due, items=_posted_items(due, request.POST))
        except Invalid as problem:
            errors = problem.errors
        else:
            messages.success(request, "Thank you: your therapist and your doctor will see it.")
            return redirect("portal:questionnaires")
    rows = []
    item_errors = errors.get("items") if isinstance(errors.get("items"), list) else []
    for i, item in enumerate(due.items):
        problem = (
            item_errors[i] if i < len(item_errors) and isinstance(item_errors[i], dict) else {}
        )
        rows.append({
            "index": i, "item": item, "scale": range(item["min"], item["max"] + 1),
            "chosen": request.POST.get(f"item_{i}", ""),
            "activity": request.POST.get(f"activity_{i}", ""),
            "error": next(iter(problem.values()), [""])[0] if problem else "",
        })  # fmt: skip
    # a problem with the whole questionnaire (too few sections answered), not one item
    form_error = item_errors[0] if item_errors and isinstance(item_errors[0], str) else ""
    context = {
        "patient": patient, "due": due, "rows": rows, "form_error": form_error,
        **clinic_context(),
    }  # fmt: skip
    return render(request, "portal/questionnaire_form.html", context, status=400 if errors else 200)
