"""What the API reference (the OpenAPI schema, /api/v1/docs/) says about each
operation, for the people who call it: what it does, who may, what it answers.
Keyed by operation id; clinic.api_schema reads it, and a test checks that every
operation has its words here.

"Own" follows API.md: clinical records are scoped by care episode (a referral
opens one); outside the caller's scope is a 404, the same as missing."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    summary: str
    description: str


OWN = (
    "Doctors read the records of the episodes whose referral they wrote; therapists "
    "those of the plans they hold and the visits they give; the manager reads all; a "
    "break-the-glass grant opens one patient's whole record, for reading. "
)
NO_FRONT_DESK = "The front desk may not (403). "
ETAG = "Answers the record with its `ETag`. "
IF_MATCH = (
    "Send the `ETag` you read as `If-Match`: if the record changed since, the answer is "
    "412 and nothing changes. A body that changes nothing keeps the record's version. "
)
LOCKED = "A signed record never changes: 409 `locked`. "

OPERATIONS = {
    # --- signing in, who am I, staff, catalogs --------------------------------------
    "auth_token_create": Doc(
        "Sign in for a token",
        "Exchange a username and password (and the six-digit code, for an account with "
        "two-factor sign-in) for a token and its `expires_at`; send it as "
        "`Authorization: Token <key>`. After it expires, or once revoked (sign-out, a "
        "password change, deactivation), it is a 401. Anyone may call it. Wrong "
        "credentials are a 400; repeated failures lock the account for a while (429).",
    ),
    "auth_logout_create": Doc(
        "Sign out",
        "Revokes the token this request presents (or ends the browser session). Every "
        "role. Answers 204.",
    ),
    "auth_logout_all_create": Doc(
        "Sign out everywhere",
        "Revokes every token of the caller, e.g. after losing a tablet. Every role. Answers 204.",
    ),
    "me_retrieve": Doc(
        "Who am I",
        "The signed-in person: id (the one records use for `doctor`, `therapist`, "
        "`actor`), name and role; for a therapist also the secret calendar address. "
        "Every role.",
    ),
    "staff_list": Doc(
        "List staff",
        "Active staff, filterable by `role` (e.g. `?role=therapist` to book a visit). Every role.",
    ),
    "staff_retrieve": Doc("Read a staff member", "One staff member. Every role. " + ETAG),
    "modalities_list": Doc(
        "List the modality catalog",
        "The techniques a referral recommends and a plan or note records, by `code`. Every role.",
    ),
    "diagnoses_list": Doc(
        "Look up ICD-10-CM diagnoses",
        "Billable ICD-10-CM codes whose code or description matches `search` (at most "
        "50), for a referral's `diagnoses`. Every role.",
    ),
    # --- patients -----------------------------------------------------------------------
    "patients_list": Doc(
        "List patients",
        "The patient directory (demographics only), searchable by name with `search`. "
        "Doctors, the front desk and the manager see the whole directory; a therapist "
        "the patients of their plans and visits.",
    ),
    "patients_create": Doc(
        "Register a patient",
        "Adds a patient to the directory. Doctors and the front desk. Answers 201 with "
        "the patient and its `ETag`.",
    ),
    "patients_retrieve": Doc(
        "Read a patient",
        "A patient's demographics, for whoever may list them. " + ETAG,
    ),
    "patients_update": Doc(
        "Replace a patient's details",
        "Changes demographics, contact and reminder channel; reminders not yet sent are "
        "replanned. The front desk only. " + IF_MATCH,
    ),
    "patients_partial_update": Doc(
        "Change some of a patient's details",
        "As the full update, with only the fields sent. The front desk only. " + IF_MATCH,
    ),
    "patients_episodes_list": Doc(
        "List a patient's episodes of care",
        "A bare list of every referral of the patient (`id`, `doctor`, `status`, "
        "`signed_at`, `valid_until`) and whether it is `in_scope` for the caller; no "
        "clinical content. Doctors, therapists and the manager, for a patient in their "
        "directory or scope (else 404).",
    ),
    "patients_break_glass_create": Doc(
        "Break the glass for a patient",
        "With a `reason` (at least 10 characters), opens the patient's whole clinical "
        "record to the caller, read-only, for `BREAK_GLASS_MINUTES` (default 240). Each "
        "use is audited (`access.break_glass`) and reviewed by the manager; every read "
        "under it is audited as usual. Doctors and therapists only (else 403). Answers "
        "201 with `expires_at`.",
    ),
    "break_glass_list": Doc(
        "List break-the-glass uses",
        "Every break-the-glass, newest first: who, which patient, the reason, when, and "
        "until when. The manager only.",
    ),
    "patients_fhir_retrieve": Doc(
        "Export a patient's record as FHIR",
        "The patient's clinical record as an HL7 FHIR R4 `Bundle` (type `collection`): "
        "Patient, Conditions, ServiceRequests, CarePlans, Appointments, Encounters and "
        "pain Observations, referencing one another inside the bundle; only what the "
        "caller may read is in it. "
        + OWN
        + NO_FRONT_DESK
        + "Audited. The `ETag` follows the record's content.",
    ),
    # --- referrals ---------------------------------------------------------------------
    "referrals_list": Doc(
        "List referrals",
        "Referrals, newest first, filterable by `patient`; each read is audited. "
        + OWN
        + "Therapists also see signed referrals with no plan yet (the intake queue). "
        "The front desk receives the status fields only (`ReferralStatus`).",
    ),
    "referrals_create": Doc(
        "Write a referral",
        "A draft referral for a patient: billable ICD-10-CM diagnoses, target areas, "
        "recommended modalities, precautions, visits and frequency, valid until a date "
        "after today. Doctors only; the writer is its doctor. Answers 201 with its `ETag`.",
    ),
    "referrals_retrieve": Doc(
        "Read a referral",
        "One referral with its diagnoses, areas and flags; audited. "
        + OWN
        + "The front desk receives the status fields only (`ReferralStatus`). "
        + ETAG,
    ),
    "referrals_update": Doc(
        "Replace a draft referral's content",
        "Its doctor edits a draft. " + LOCKED + IF_MATCH,
    ),
    "referrals_partial_update": Doc(
        "Change part of a draft referral",
        "As the full update, with only the fields sent. Its doctor only. " + LOCKED + IF_MATCH,
    ),
    "referrals_sign_create": Doc(
        "Sign a referral",
        "`draft -> signed`: the referral can now carry a plan and visits, and its "
        "content is locked. Its doctor only; signing twice is 409 `invalid_transition`.",
    ),
    "referrals_complete_create": Doc(
        "Complete a referral",
        "`signed -> completed`: the therapy has ended. Its doctor only; from another "
        "status, 409 `invalid_transition`.",
    ),
    # --- treatment plans ---------------------------------------------------------------
    "treatment_plans_list": Doc(
        "List treatment plans",
        "Plans, newest first, filterable by `patient`, `referral` and `status`; each read "
        "is audited. "
        + OWN
        + "The front desk receives the status fields only (`TreatmentPlanStatus`).",
    ),
    "treatment_plans_create": Doc(
        "Write a treatment plan",
        "A draft plan under a signed referral: areas among the referral's target areas, "
        "goals, frequency, planned visits (at most the referral's) and start date. "
        "Therapists only; the writer is its therapist. Answers 201 with its `ETag`.",
    ),
    "treatment_plans_retrieve": Doc(
        "Read a treatment plan",
        "One plan with its areas and goals; audited. "
        + OWN
        + "The front desk receives the status fields only (`TreatmentPlanStatus`). "
        + ETAG,
    ),
    "treatment_plans_update": Doc(
        "Replace a draft plan's content",
        "Its therapist edits a draft; a plan past draft is 409 `locked`. " + IF_MATCH,
    ),
    "treatment_plans_partial_update": Doc(
        "Change part of a draft plan",
        "As the full update, with only the fields sent. Its therapist only. " + IF_MATCH,
    ),
    "treatment_plans_propose_create": Doc(
        "Propose a plan to the doctor",
        "`draft -> proposed`. Its therapist only; from another status, 409 `invalid_transition`.",
    ),
    "treatment_plans_approve_create": Doc(
        "Approve a plan",
        "`proposed -> approved`, certified for `certify_days` (default: the longest "
        "allowed); visits can now be booked. The referral's doctor only.",
    ),
    "treatment_plans_request_changes_create": Doc(
        "Send a plan back with a comment",
        "`proposed -> draft`, with the doctor's `comment` for the therapist. The "
        "referral's doctor only.",
    ),
    "treatment_plans_complete_create": Doc(
        "Complete a plan",
        "`approved -> completed`, with an optional `summary`. Its therapist or the "
        "referral's doctor.",
    ),
    "treatment_plans_discontinue_create": Doc(
        "Discontinue a plan",
        "`draft|proposed|approved -> discontinued`, with a `reason`. Its therapist or the "
        "referral's doctor.",
    ),
    "treatment_plans_progress_retrieve": Doc(
        "Read a plan's progress",
        "Visits planned, completed and remaining; each session's pain before and after "
        "and response (oldest first); the change in pain; flags calling for a decision "
        "(e.g. `no_improvement`, `progress_report_due`); outcome trends and goals. "
        + OWN
        + NO_FRONT_DESK
        + "Audited. The `ETag` follows the answer.",
    ),
    # --- appointments and series ---------------------------------------------------------
    "appointments_list": Doc(
        "List appointments",
        "Visits in time order, filterable by `therapist`, `patient`, `status`, "
        "`start_after` and `start_before`. The front desk and the manager see all; a "
        "therapist their own; a doctor those of their episodes.",
    ),
    "appointments_create": Doc(
        "Book an appointment",
        "Books a visit `[start, end)` for a patient with a therapist, under an approved "
        "plan (or none). A clash with a live visit of the same therapist or patient is "
        "409 `conflict` listing the clashes; going past the plan's visits, the "
        "referral's visits or validity, or booking on a day already past, is a 400. "
        "The front desk only. Answers 201 with its `ETag`.",
    ),
    "appointments_retrieve": Doc(
        "Read an appointment", "One visit, for whoever may list it. " + ETAG
    ),
    "appointments_update": Doc(
        "Move an appointment",
        "A booked visit to a new `start` and `end`, under the same rules as booking "
        "(409 `conflict`, 400). The front desk only. " + IF_MATCH,
    ),
    "appointments_partial_update": Doc(
        "Move an appointment (start or end)",
        "As the move, with only the times sent. The front desk only. " + IF_MATCH,
    ),
    "appointments_cancel_create": Doc(
        "Cancel an appointment",
        "Cancels a booked or checked-in visit with an optional `reason`; its reminders "
        "are not sent. The front desk only; from another status, 409 `invalid_transition`.",
    ),
    "appointments_check_in_create": Doc(
        "Check a patient in",
        "`booked -> checked_in`. The front desk, or the visit's therapist; from another "
        "status, 409 `invalid_transition`.",
    ),
    "appointments_no_show_create": Doc(
        "Record a no-show",
        "`booked -> no_show`. The front desk, or the visit's therapist; from another "
        "status, 409 `invalid_transition`.",
    ),
    "appointments_reminders_list": Doc(
        "List a visit's reminders",
        "A bare list of the reminders planned for the visit: offset (`kind`), channel, "
        "due time, status and when sent. Whoever may read the visit.",
    ),
    "appointment_series_list": Doc(
        "List appointment series",
        "Recurring bookings with their visits, for whoever may read those visits.",
    ),
    "appointment_series_create": Doc(
        "Book a recurring series",
        "Expands an RFC 5545 `rrule` (e.g. `FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12`) in the "
        "clinic's time zone from `start` and books every occurrence, all or nothing: "
        "409 `conflict` lists every clash (each with its `occurrence`); 400 under the "
        "single-visit rules or for a rule that is not allowed. The front desk only. "
        "Answers 201 with the visits booked and the days skipped for closures.",
    ),
    "appointment_series_retrieve": Doc("Read a series", "One series with its visits. " + ETAG),
    "appointment_series_cancel_create": Doc(
        "Cancel a series from a date",
        "Cancels the series' booked visits from the date `from` on, with an optional "
        "`reason`. The front desk only.",
    ),
    # --- session notes and measurements ----------------------------------------------------
    "session_notes_list": Doc(
        "List session notes",
        "Notes, newest first; each read is audited. " + OWN + NO_FRONT_DESK,
    ),
    "session_notes_create": Doc(
        "Log a session",
        "The note of one of the therapist's own visits that has started and is not "
        "cancelled: pain before and after, areas with modalities and minutes, SOAP "
        "text, response, adverse reaction. It completes the visit; a second note for "
        "the visit is 409 `conflict`. Send an `Idempotency-Key` so a retry cannot log "
        "it twice. Therapists only. Answers 201 with its `ETag`.",
    ),
    "session_notes_retrieve": Doc(
        "Read a session note",
        "One note with its addenda; audited. " + OWN + NO_FRONT_DESK + ETAG,
    ),
    "session_notes_update": Doc(
        "Correct a draft note", "Its therapist, before signing. " + LOCKED + IF_MATCH
    ),
    "session_notes_partial_update": Doc(
        "Correct part of a draft note",
        "As the full correction, with only the fields sent. Its therapist only. "
        + LOCKED
        + IF_MATCH,
    ),
    "session_notes_sign_create": Doc(
        "Sign a session note",
        "Locks the note; afterwards only addenda may be added. Its therapist only; "
        "signing twice is 409 `invalid_transition`.",
    ),
    "session_notes_addenda_create": Doc(
        "Add an addendum to a note",
        "Appends dated `text` to a signed note (a draft is edited instead: 409 "
        "`invalid_transition`). Its therapist only. Answers 201 with its `ETag`.",
    ),
    "measurements_list": Doc(
        "List outcome measurements",
        "Scores of the standard measures (NPRS, NDI, ODI, PSFS, ROM) in time order. "
        + OWN
        + NO_FRONT_DESK,
    ),
    "measurements_create": Doc(
        "Record an outcome measurement",
        "A `score` within the measure's range (else 400), or the instrument's `items` "
        "from which the score is computed, taken at `taken_at` under a plan. Therapists "
        "only. Answers 201.",
    ),
    "measurements_retrieve": Doc(
        "Read an outcome measurement", "One measurement. " + OWN + NO_FRONT_DESK + ETAG
    ),
    # --- progress reports ------------------------------------------------------------------
    "progress_reports_list": Doc(
        "List progress reports",
        "The therapists' episode summaries to the referring doctor, filterable by "
        "`plan`, `patient` and `status`; each read is audited. " + OWN + NO_FRONT_DESK,
    ),
    "progress_reports_create": Doc(
        "Write a progress report",
        "A draft summary of an approved plan with a recommendation, and a snapshot of "
        "the progress so far. The plan's therapist. Answers 201 with its `ETag`.",
    ),
    "progress_reports_retrieve": Doc(
        "Read a progress report",
        "One report with the progress snapshot it reported; audited. " + OWN + NO_FRONT_DESK + ETAG,
    ),
    "progress_reports_update": Doc(
        "Replace a draft report's text",
        "Its author, before signing; the snapshot is refreshed. " + LOCKED + IF_MATCH,
    ),
    "progress_reports_partial_update": Doc(
        "Change part of a draft report",
        "As the full update, with only the fields sent. Its author only. " + LOCKED + IF_MATCH,
    ),
    "progress_reports_sign_create": Doc(
        "Sign a progress report",
        "`draft -> signed`: the report and its snapshot no longer change. Its author "
        "only; from another status, 409 `invalid_transition`.",
    ),
    "progress_reports_send_create": Doc(
        "Send a progress report to the doctor",
        "`signed -> sent`: the referring doctor is emailed a link. Its author only.",
    ),
    "progress_reports_acknowledge_create": Doc(
        "Acknowledge a progress report",
        "The referring doctor's `decision` (continue, with `certify_days` to recertify; "
        "modify, with a `note`; or end, with a `discharge_summary`). The referral's "
        "doctor only.",
    ),
    # --- precautions -----------------------------------------------------------------------
    "precautions_list": Doc(
        "List precautions",
        "Contraindication flags in effect (from signed referrals and therapists' "
        "findings), filterable by `patient`, `kind`, `cleared` and `waiting` (stop flags "
        "awaiting the doctor). Each gates the sessions: stop, avoid an area, or modify. "
        + OWN
        + NO_FRONT_DESK,
    ),
    "precautions_create": Doc(
        "Record a finding",
        "A clinician raises a flag on a patient of their own episodes (`kind`, the "
        "site for an avoided area, a note). Doctors and therapists. Answers 201.",
    ),
    "precautions_retrieve": Doc(
        "Read a precaution", "One flag and its rule, in words. " + OWN + NO_FRONT_DESK + ETAG
    ),
    "precautions_clear_create": Doc(
        "Clear a precaution",
        "The patient's doctor clears a flag with an optional `note`; it stops gating "
        "the sessions. Doctors only.",
    ),
    # --- audit -------------------------------------------------------------------------------
    "audit_events_list": Doc(
        "List audit events",
        "Who read or changed which clinical record, when and from where, newest first; "
        "filterable by `patient`, `actor` and `action`. Append-only. The manager only.",
    ),
    "audit_events_retrieve": Doc("Read an audit event", "One event. The manager only. " + ETAG),
}
