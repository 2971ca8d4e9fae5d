"""Pages and the API agree (issue 11): one policy, one door.

Every URL pattern of the app is classified: a page paired with the API action
it performs, a page or an API action that has no counterpart, or an account
page that touches no record. An unclassified URL fails the walk, so a new page
or endpoint cannot slip past it. Then, for every role, a page and its API
action must agree: refused (403) by both or by neither, and, on real records,
readable (200) by both or by neither."""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.models import BreakGlass
from tests.factories import ReferralFactory
from tests.security.test_no_leaks import record as leak_record

pytestmark = pytest.mark.django_db
record = leak_record  # Pat's whole record, from the leak walk

ROLES = [
    "doctor",
    "other_doctor",
    "therapist",
    "other_therapist",
    "front_desk",
    "manager",
    "biller",
]

# page name -> (page method, API route name, API method)
PAIRS = {
    "patient_directory": ("get", "api:patient-list", "get"),
    "patient_new": ("get", "api:patient-list", "post"),
    "patient_detail": ("get", "api:patient-detail", "get"),
    "patient_edit": ("get", "api:patient-detail", "patch"),
    "icd10_search": ("get", "api:diagnoses", "get"),
    "icd10_pick": ("get", "api:diagnoses", "get"),
    "referral_new": ("get", "api:referral-list", "post"),
    "referral_detail": ("get", "api:referral-detail", "get"),
    "referral_edit": ("get", "api:referral-detail", "patch"),
    "referral_sign": ("post", "api:referral-sign", "post"),
    "plan_new": ("get", "api:treatment-plan-list", "post"),
    "plan_detail": ("get", "api:treatment-plan-detail", "get"),
    "plan_edit": ("get", "api:treatment-plan-detail", "patch"),
    "plan_propose": ("post", "api:treatment-plan-propose", "post"),
    "plan_approve": ("post", "api:treatment-plan-approve", "post"),
    "plan_send_back": ("post", "api:treatment-plan-request-changes", "post"),
    "plan_progress": ("get", "api:treatment-plan-progress", "get"),
    "note_new": ("get", "api:session-note-list", "post"),
    "note_detail": ("get", "api:session-note-detail", "get"),
    "note_sign": ("post", "api:session-note-sign", "post"),
    "note_addendum": ("post", "api:session-note-addenda", "post"),
    "calendar": ("get", "api:appointment-list", "get"),
    "calendar_book": ("get", "api:appointment-list", "post"),
    "appointment_detail": ("get", "api:appointment-detail", "get"),
    "appointment_check_in": ("post", "api:appointment-check-in", "post"),
    "appointment_no_show": ("post", "api:appointment-no-show", "post"),
    "appointment_revert": ("post", "api:appointment-revert", "post"),
    "appointment_move": ("post", "api:appointment-detail", "patch"),
    "appointment_cancel": ("post", "api:appointment-cancel", "post"),
    "series_new": ("get", "api:appointment-series-list", "post"),
    "series_preview": ("post", "api:appointment-series-list", "post"),
    "progress_reports": ("get", "api:progress-report-list", "get"),
    "progress_report_new": ("get", "api:progress-report-list", "post"),
    "progress_report": ("get", "api:progress-report-detail", "get"),
    "progress_report_sign": ("post", "api:progress-report-sign", "post"),
    "progress_report_send": ("post", "api:progress-report-send", "post"),
    "progress_report_acknowledge": ("post", "api:progress-report-acknowledge", "post"),
    "finding_new": ("post", "api:precaution-list", "post"),
    "precaution_clear": ("post", "api:precaution-clear", "post"),
    "document_view": ("get", "api:document-content", "get"),
    "document_preview": ("get", "api:document-preview", "get"),
    "document_upload": ("post", "api:document-list", "post"),
    "plan_request_signature": ("post", "api:treatment-plan-request-signature", "post"),
    # billing
    "patient_billing": ("get", "api:patient-ledger", "get"),
    "coverage_new": ("post", "api:coverage-list", "post"),
    "authorization_new": ("post", "api:authorization-list", "post"),
    "payment_new": ("post", "api:payment-list", "post"),
    "charge_void": ("post", "api:charge-void", "post"),
    "claim_new": ("post", "api:claim-list", "post"),
    "claim_detail": ("get", "api:claim-detail", "get"),
    "claim_submit": ("post", "api:claim-submit", "post"),
    "claim_deny": ("post", "api:claim-deny", "post"),
    "claim_paid": ("post", "api:claim-paid", "post"),
    "claim_secondary": ("post", "api:claim-secondary", "post"),
    "patient_invite": ("post", "api:patient-invite", "post"),
    "referral_documents": ("get", "api:document-list", "get"),
    "referral_document_upload": ("post", "api:document-list", "post"),
    "physician_directory": ("get", "api:physician-list", "get"),
    "physician_new": ("get", "api:physician-list", "post"),
    # the waitlist page (scheduling/waitlist_pages.py)
    "waitlist": ("get", "api:waitlist-entry-list", "get"),
    "waitlist_new": ("get", "api:waitlist-entry-list", "post"),
    "waitlist_edit": ("get", "api:waitlist-entry-detail", "patch"),
    "waitlist_withdraw": ("post", "api:waitlist-entry-withdraw", "post"),
}
# pages with no API counterpart: worklists, and actions the API has no word for
PAGE_ONLY = {
    "my_patients", "today", "intake_queue", "my_plans", "plans_to_review", "clearances",
    "end_therapy", "reminder_list", "calendar_rotate", "patient_calendar_rotate",
    # the paper intake; the transcription page, whose API action (POST referrals/
    # with outside_physician) needs a body: tests/documents/test_transcription.py
    "paper_intake", "prescription_transcribe",
    # a directory entry corrected: the API creates and reads physicians (API.md)
    "physician_edit",
    "billing_queue", "note_billing",
    "day_sheet",  # the printable day sheet of a therapist or a room (the calendar's columns)
}  # fmt: skip
# pages of one's own account, touching no record of the clinic
ACCOUNT = {"login", "logout", "home", "session_keepalive", "two_factor_verify", "two_factor",
           # the patient's: the sign-in link, and where an ended session lands
           "portal:link", "portal:signed_out"}  # fmt: skip
# The patient's side: no staff role may use these (their door is a patient
# session, portal/access.py PORTAL); tests/security/test_patient_leaks.py walks them.
PATIENT_PAGES = {"portal:home", "portal:preferences", "portal:visit_confirm",
                 "portal:visit_cancel", "portal:sign_out", "portal:consents",
                 "portal:consent_sign", "portal:intake", "portal:intake_thanks",
                 "portal:questionnaires", "portal:questionnaire", "portal:stretches",
                 "portal:stretch_done", "portal:documents", "portal:document_pdf",
                 "portal:record_download"}  # fmt: skip
PATIENT_API = {
    "api:portal-session": {"post", "delete"}, "api:portal-me": {"get", "patch"},
    "api:portal-appointments": {"get"}, "api:portal-appointment-confirm": {"post"},
    "api:portal-appointment-cancel": {"post"}, "api:portal-consents": {"get"},
    "api:portal-consent-sign": {"post"}, "api:portal-intake": {"get", "post"},
    "api:portal-questionnaires": {"get"}, "api:portal-questionnaire-answers": {"post"},
    "api:portal-home": {"get"}, "api:portal-home-done": {"post"}, "api:portal-record": {"get"},
    "api:portal-documents": {"get"}, "api:portal-document": {"get"},
}  # fmt: skip
# The providers' webhooks (messaging/): the caller is Twilio or the email provider,
# with no session; each checks the provider's signature or shared secret, the one
# reason they may skip CSRF (tests/messaging/ sends them signed and forged).
PROVIDER_WEBHOOKS = {"messaging:twilio_inbound", "messaging:twilio_status"}


def is_provider_webhook(name: str) -> bool:
    return name in PROVIDER_WEBHOOKS or (
        name.startswith("anymail:") and name.endswith("_tracking_webhook")
    )


# API actions with no page (yet)
API_ONLY = {
    "api:me": {"get"}, "api:staff-list": {"get"}, "api:staff-detail": {"get"},
    "api:modality-list": {"get"}, "api:audit-event-list": {"get"},
    "api:audit-event-detail": {"get"}, "api:break-glass-list": {"get"},
    "api:patient-break-glass": {"post"}, "api:patient-episodes": {"get"},
    "api:patient-fhir": {"get"}, "api:patient-detail": {"put"},
    "api:appointment-reminders": {"get"}, "api:appointment-detail": {"put"},
    "api:appointment-list": {"post"}, "api:appointment-series-list": {"get"},
    "api:appointment-series-detail": {"get"}, "api:appointment-series-cancel": {"post"},
    "api:referral-list": {"get"}, "api:referral-detail": {"put"},
    "api:referral-complete": {"post"},
    "api:treatment-plan-list": {"get"}, "api:treatment-plan-detail": {"put"},
    "api:treatment-plan-complete": {"post"}, "api:treatment-plan-discontinue": {"post"},
    "api:session-note-list": {"get"}, "api:session-note-detail": {"put", "patch"},
    "api:measurement-list": {"get", "post"}, "api:measurement-detail": {"get"},
    "api:progress-report-detail": {"put", "patch"},
    "api:precaution-list": {"get"}, "api:precaution-detail": {"get"},
    "api:document-list": {"get"}, "api:document-detail": {"get"},
    "api:physician-list": {"get", "post"}, "api:physician-detail": {"get"},
    # the PDFs: the pages print themselves (the browser's print); no page serves the PDF
    "api:referral-pdf": {"get"}, "api:treatment-plan-pdf": {"get"},
    "api:treatment-plan-discharge": {"get"}, "api:progress-report-pdf": {"get"},
    # billing: the catalog, reads and files the pages link to rather than repeat
    "api:service-code-list": {"get", "post"}, "api:service-code-detail": {"get", "put", "patch"},
    "api:payer-list": {"get", "post"}, "api:payer-detail": {"get", "put", "patch"},
    "api:coverage-list": {"get"}, "api:coverage-detail": {"get", "put", "patch"},
    "api:authorization-list": {"get"}, "api:authorization-detail": {"get", "put", "patch"},
    "api:charge-list": {"get"}, "api:charge-detail": {"get"}, "api:charge-superbill": {"get"},
    "api:claim-list": {"get"}, "api:claim-pdf": {"get"}, "api:claim-x12": {"get"},
    "api:payment-list": {"get"}, "api:payment-detail": {"get"},
    "api:availability": {"get"},
    "api:patient-consents": {"post"}, "api:exercise-list": {"get", "post"},
    "api:exercise-detail": {"get", "put", "patch"},
    "api:treatment-plan-home-programme": {"post"},
    # the clinic's places: the manager keeps them in the API and the admin
    "api:location-list": {"get", "post"}, "api:location-detail": {"get", "put", "patch"},
    "api:room-list": {"get", "post"}, "api:room-detail": {"get", "put", "patch"},
    # the waitlist: its page lists, adds, changes and withdraws (PAIRS); one entry
    # is read on its change page; its offers show there and on the calendar page;
    # the patient's link is public
    "api:waitlist-entry-detail": {"get", "put"},
    "api:waitlist-offer-list": {"get"}, "api:waitlist-offer-detail": {"get"},
    "api:waitlist-offer-accept": {"post"},
}  # fmt: skip
# no record behind them: signing in and out, the schema, secret-token feeds and links, the admin
UNSCOPED = {"api:token", "api:logout", "api:logout-all", "api:schema", "api:docs"}
UNSCOPED_PREFIXES = ("admin/", "calendar/", "visit/", "sign/")


def patterns(resolver=None, prefix="", namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(UNSCOPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, route, inner)
        elif isinstance(entry, URLPattern) and "format" not in entry.pattern.regex.groupindex:
            yield namespace + (entry.name or route), entry


def api_methods(entry) -> set:
    actions = getattr(entry.callback, "actions", None)
    if actions:
        return set(actions) - {"head", "options"}
    view = entry.callback.view_class
    return {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def test_every_url_pattern_is_classified():
    # given every page and every API action of the app
    paired_api = {(api, method) for _, api, method in PAIRS.values()}
    unclassified = []
    for name, entry in patterns():
        # then each is paired, alone on purpose, or an account page
        if name.startswith("api:"):
            if name in UNSCOPED:
                continue
            for method in api_methods(entry):
                if (name, method) in paired_api or method in API_ONLY.get(name, ()):
                    continue
                if method not in PATIENT_API.get(name, ()):
                    unclassified.append(f"{method.upper()} {name}")
        elif is_provider_webhook(name):
            continue
        elif name not in PAIRS and name not in PATIENT_PAGES | PAGE_ONLY | ACCOUNT:
            unclassified.append(name)
    assert unclassified == []


def test_only_the_providers_webhooks_skip_the_csrf_check():
    # the API's views are DRF's (token or session with CSRF); every page checks CSRF
    exempt = {
        name
        for name, entry in patterns()
        if not name.startswith("api:") and getattr(entry.callback, "csrf_exempt", False)
    }
    assert exempt and all(is_provider_webhook(name) for name in exempt)
    assert exempt >= PROVIDER_WEBHOOKS


def test_every_page_names_its_action_in_its_apps_policy():
    # the pages' doors are generated from the policy tables: none decides alone
    for name, entry in patterns():
        if name.startswith("api:") or name in ACCOUNT or is_provider_webhook(name):
            continue
        policy, verb = entry.callback.access
        assert verb in policy.verbs, name
        # a patient page's policy grants no staff role anything, and a staff page's no patient
        assert (name in PATIENT_PAGES) == (policy.roles(verb) == {"patient"}), name


def _url(name, entry=None, ids=None):
    resolver_entry = entry or dict(patterns())[name]
    arguments = {
        p: str((ids or {}).get(p) or uuid.uuid4()) for p in resolver_entry.pattern.regex.groupindex
    }
    return reverse(name, kwargs=arguments)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_a_page_and_its_api_action_refuse_the_same_roles(request, role):
    # given one member of the cast, and ids that name nothing
    user = request.getfixturevalue(role)
    client = _client(user)
    disagreements = []
    for page, (page_method, api, api_method) in PAIRS.items():
        # when they try the page and the API action
        on_page = getattr(client, page_method)(_url(page))
        on_api = getattr(client, api_method)(_url(api), {}, content_type="application/json")
        # then both refuse, or neither does
        if (on_page.status_code == 403) != (on_api.status_code == 403):
            disagreements.append(
                f"{page} {on_page.status_code} / {api_method.upper()} {api} {on_api.status_code}"
            )
    assert disagreements == []


READS = {
    "patient_detail": ("api:patient-detail", "patient_id", "patient"),
    "patient_billing": ("api:patient-ledger", "patient_id", "patient"),
    "claim_detail": ("api:claim-detail", "claim_id", "claim"),
    "referral_detail": ("api:referral-detail", "referral_id", "referral"),
    "plan_detail": ("api:treatment-plan-detail", "plan_id", "plan"),
    "plan_progress": ("api:treatment-plan-progress", "plan_id", "plan"),
    "note_detail": ("api:session-note-detail", "note_id", "note"),
    "appointment_detail": ("api:appointment-detail", "appointment_id", "appointment"),
    "progress_report": ("api:progress-report-detail", "report_id", "report"),
    "document_view": ("api:document-content", "document_id", "document"),
    "document_preview": ("api:document-preview", "document_id", "document"),
}


@pytest.mark.parametrize("role", [*ROLES, "glass", "intake"])
def test_a_page_and_its_api_read_open_the_same_records(request, record, doctor, role):
    # given Pat's record; "glass" is Otto after breaking the glass, "intake" is
    # Tess while a new referral of Pat waits in the intake queue
    user = request.getfixturevalue(
        {"glass": "other_doctor", "intake": "other_therapist"}.get(role, role)
    )
    if role == "glass":
        from clinic.break_glass import break_the_glass

        break_the_glass(patient=record["patient"], reason="An emergency, for the test.", by=user)
    if role == "intake":
        record = {**record, "referral": ReferralFactory(patient=record["patient"], doctor=doctor)}
    client = _client(user)
    disagreements = []
    for page, (api, parameter, kind) in READS.items():
        # when they read the same record on the page and in the API
        on_page = client.get(reverse(page, kwargs={parameter: record[kind].pk}))
        on_api = client.get(reverse(api, kwargs={"pk": record[kind].pk}))
        # then both open it, or neither does
        if (on_page.status_code == 200) != (on_api.status_code == 200):
            disagreements.append(f"{page} {on_page.status_code} / {api} {on_api.status_code}")
    assert disagreements == []
    assert BreakGlass.objects.exists() == (role == "glass")
