"""The pages of the record's paper: attaching a file on the patient's page, the
paper intake (prescriptions scanned and not yet transcribed), the transcription
page (the scan beside the referral form), and a document shown inline on those
pages, through the same door and audited like the API's download."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from clinic.access import access_patient, allowed
from clinic.audit import record_many
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from referrals import services as referral_services
from referrals.access import REFERRAL, access_referral
from referrals.forms import SIDE_CHOICES, ReferralForm
from referrals.physicians import add_physician

from . import previews, services
from .access import DOCUMENT, access_document
from .forms import PhysicianChoiceForm, UploadForm
from .models import Document, DocumentKind
from .transcription import transcribe_prescription


@allowed(DOCUMENT, "intake")
def paper_intake(request):
    scans = (
        Document.objects.visible_to(request.user)
        .paper_intake()
        .select_related("patient", "uploaded_by")
        .order_by("uploaded_at")
    )
    return render(request, "documents/paper_intake.html", {"scans": scans})


@xframe_options_sameorigin  # shown in the transcription page's frame, nowhere else
@csp_replace({"frame-ancestors": ["'self'"]})
@allowed(DOCUMENT, "content")
def document_view(request, document_id):
    """The file inline, for the page beside it; the API's `content/` is the download."""
    document = access_document(request.user, document_id, "content", glass=True)
    response = FileResponse(
        services.open_content(document=document, by=request.user),
        content_type=document.content_type,
        filename=document.download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@allowed(DOCUMENT, "content")
def document_preview(request, document_id):
    """The document's preview (an image scaled down, a PDF's first page) for the
    lists: the content door, as the file's, and each read audited. None possible
    (a malformed file): a 404, and the lists show none."""
    document = access_document(request.user, document_id, "content", glass=True)
    storage = services.document_storage()
    if not previews.ensure_preview(document, storage=storage):
        raise Http404("This document has no preview.")
    response = FileResponse(
        previews.open_preview(document=document, by=request.user, storage=storage),
        content_type=previews.PREVIEW_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@allowed(DOCUMENT, "create")
def document_upload(request, patient_id):
    """A file attached on the patient's page (dropped, chosen, or the tablet's camera)."""
    patient = access_patient(request.user, patient_id)
    _attach(request, patient=patient)
    return redirect("patient_detail", patient_id=patient.pk)


@require_POST
@allowed(DOCUMENT, "create")
def referral_document_upload(request, referral_id):
    """The same, on the referral's page: the file is filed on that referral (as
    the API's `referral` field; whoever may see the referral, its status included)."""
    referral = access_referral(request.user, referral_id, "read")
    _attach(request, patient=referral.patient, referral=referral)
    return redirect(f"{reverse('referral_detail', args=[referral.pk])}#documents")


def _attach(request, **where):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for problems in form.errors.values():
            messages.error(request, " ".join(problems))
        return
    try:
        document = services.upload_document(by=request.user, **where, **form.cleaned_data)
        messages.success(request, f"{document.get_kind_display()} attached.")
    except services.TooLarge as error:
        messages.error(request, str(error))
    except Invalid as error:
        show_service_error(request, error)


@allowed(DOCUMENT, "read")
def referral_documents(request, referral_id):
    """The referral's documents and the upload form, loaded into the referral's
    page (referrals sit below documents, so the page asks for them by URL);
    opened directly, without htmx, it is a page of its own. Listed reads are
    audited as on the patient's page."""
    referral = access_referral(request.user, referral_id, "read", glass=True)
    documents = list(
        Document.objects.visible_to(request.user, glass=True)
        .filter(referral=referral)
        .select_related("uploaded_by")[:50]
    )
    record_many(
        actor=request.user, action="document.read", targets=documents,
        patient_of=lambda d: d.patient_id,
    )  # fmt: skip
    context = {
        "referral": referral,
        "documents": documents,
        "can_open_documents": DOCUMENT.may(request.user, "content"),
        "can_attach": DOCUMENT.may(request.user, "create"),
        "document_kinds": DocumentKind.choices,
        "upload_url": reverse("referral_document_upload", args=[referral.pk]),
    }
    if request.headers.get("HX-Request"):
        return render(request, "documents/_document_list.html", context)
    return render(request, "documents/referral_documents.html", context)


@allowed(REFERRAL, "transcribe")
def prescription_transcribe(request, document_id):
    document = access_document(request.user, document_id, "content")
    if document.kind != DocumentKind.PRESCRIPTION or document.referral_id:
        messages.error(request, "This document is not a prescription waiting to be transcribed.")
        return redirect("paper_intake")
    form = ReferralForm(request.POST or None)
    physician = PhysicianChoiceForm(request.POST or None)
    if request.method == "POST":
        referral = _transcribe(request, document, form, physician)
        if referral:
            messages.success(request, f"Referral {referral.get_status_display().lower()}.")
            return redirect("referral_detail", referral_id=referral.pk)
    context = {"document": document, "form": form, "physician_form": physician}
    return render(
        request,
        "documents/transcribe.html",
        {**context, "patient": document.patient, "side_choices": SIDE_CHOICES},
        status=400 if form.errors or physician.errors else 200,
    )


def _transcribe(request, document, form, physician):
    """The referral (signed if asked), or None with the problems on the forms."""
    if not (form.is_valid() & physician.is_valid()):
        for name, problems in referral_services.validate_referral_content(
            form.nested(), partial=True
        ).items():
            show_service_error(request, Invalid({name: problems}), form)
        return None
    try:
        with transaction.atomic():  # a refused signature leaves no physician, no draft
            new = physician.new_physician()
            chosen = add_physician(by=request.user, data=new) if new else None
            referral = transcribe_prescription(
                by=request.user,
                document=document,
                physician=chosen or physician.cleaned_data["outside_physician"],
                data=form.data_for_service(),
            )
            if "sign" in request.POST:
                referral = referral_services.sign_referral(referral=referral, by=request.user)
    except Invalid as error:
        show_service_error(request, error, form)
        return None
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return None
    return referral
