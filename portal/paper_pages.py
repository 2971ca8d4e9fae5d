"""The patient's documents page: their superbills and signed progress reports as
PDFs, and their whole record as FHIR JSON (their right of access, portal/record.py),
each read audited as the patient's. The same papers as /api/v1/portal/documents/."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from scheduling.reminders import clinic_context

from . import sign_in
from .access import patient_page
from .paper_api import find_paper, papers_of, pdf_of
from .record import own_record

VIA = "patient pages"


@patient_page("read_documents")
def documents(request):
    patient = request.patient_caller.patient
    sign_in.audit_by_patient(patient, "portal.documents_read", via=VIA)
    context = {"patient": patient, "papers": papers_of(patient), **clinic_context()}
    return render(request, "portal/documents.html", context)


@patient_page("read_documents")
def document_pdf(request, paper_id):
    patient = request.patient_caller.patient
    paper = find_paper(patient, paper_id)
    sign_in.audit_by_patient(patient, "portal.document_read", via=VIA, target=paper.record)
    return pdf_of(paper)


@patient_page("read_record")
def record_download(request):
    patient = request.patient_caller.patient
    sign_in.audit_by_patient(patient, "portal.record_read", via=VIA)

    def url_of(paper_id) -> str:  # the paper on these pages, in the same browser session
        return request.build_absolute_uri(reverse("portal:document_pdf", args=[paper_id]))

    own = own_record(request.patient_caller, url_of=url_of)
    bundle = json.dumps(own, cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(bundle, content_type="application/fhir+json")
    response["Content-Disposition"] = 'attachment; filename="my-record.fhir.json"'
    return response
