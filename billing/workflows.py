"""The note pages' workflow with billing in it: a note's services written with
it, the charge made at signing, and its services and units shown on a draft.
The project's URL module (clinic/page_urls.py) hands it to sessions_log's
note pages, as clinic/api_urls.py routes the API to billing.notes_api."""

from django.urls import reverse

from sessions_log.services import NoteWorkflow

from .charging import sign_note_and_charge
from .note_services import correct_note_with_services, log_session_with_services


def note_billing_url(note) -> str:
    return reverse("note_billing", args=[note.pk])


BILLED_NOTE_WORKFLOW = NoteWorkflow(
    log=log_session_with_services,
    correct=correct_note_with_services,
    sign=sign_note_and_charge,
    panel_url=note_billing_url,
)
