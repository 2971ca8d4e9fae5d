"""Signing in, staff, catalogs, patients, referrals, plans, appointments and series."""

from .words import ETAG, IF_MATCH, LOCKED, NO_FRONT_DESK, OWN, Doc

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
        "The techniques a referral recommends and a plan or note records, by `code`, "
        "each with its default `service_code` (null: not billed). Every role.",
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
        "Adds a patient to the directory. The same last name and date of birth as a "
        "patient already registered (case and accents ignored) is 409 `duplicate` with "
        'the `candidates`, unless the body says `"confirm_new": true`. Doctors and the '
        "front desk. Answers 201 with the patient and its `ETag`.",
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
        "pain Observations, and DocumentReferences, referencing one another inside the "
        "bundle; only what the caller may read is in it. `Accept: application/fhir+json` "
        "answers that content type. "
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
        "after today. Doctors write their own (the writer is its doctor). A therapist "
        "transcribes a prescription that came on paper: with `outside_physician` and "
        "the scanned `document` instead of a staff doctor. Answers 201 with its `ETag`.",
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
        "plan, or (`kind` `evaluation`) under a signed `referral` with no plan yet. A "
        "clash with a live visit of the same therapist or patient is 409 `conflict` "
        "listing the clashes, each with up to three free `suggestions`; going past the "
        "plan's visits, the referral's visits or validity, booking on a day already "
        "past, or a coverage that needs an authorization with none left, is a 400. "
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
        "`booked -> checked_in`, on the visit's own clinic day only. The front desk, or "
        "the visit's therapist; from another status or on another day, 409 "
        "`invalid_transition`.",
    ),
    "appointments_no_show_create": Doc(
        "Record a no-show",
        "`booked -> no_show`, once the visit has started; a fee may be charged "
        "(`NO_SHOW_FEE`). The front desk, or the visit's therapist; from another status "
        "or before the start, 409 `invalid_transition`.",
    ),
    "appointments_revert_create": Doc(
        "Undo a check-in, no-show or cancellation",
        "Books the visit again when the change was made in the last 24 hours and the "
        "slot is still free (else 409: `invalid_transition` or `conflict`); its "
        "reminders are replanned. The front desk only.",
    ),
    "availability_list": Doc(
        "Find a therapist's free starts",
        "A bare list of the free `[start, end)` of `duration_minutes` on a `date` for a "
        "`therapist`, with working hours, closures, time off and live visits "
        "considered. Every role but the biller.",
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
        "clinic's time zone from `start` and books its occurrences. With `on_conflict` "
        "`refuse` (the default) all or nothing: 409 `conflict` lists every clash (each "
        "with its `occurrence` and `suggestions`); with `skip` the free ones are booked "
        "and the others answered in `skipped`. With `extend`, occurrences skipped are "
        "made up after the last, within the plan's and referral's limits (what cannot "
        "be: `short_by`). 400 under the single-visit rules or for a rule that is not "
        "allowed. The front desk only. Answers 201 with the visits booked and `skipped`: "
        "each occurrence left out, why (`closure`, `conflict`, `unavailable`) and free "
        "starts that day. An optional `room` is taken by every visit (a live visit in it is "
        "a conflict `with` `room`). `moves` resolves clashes date by date: each "
        '`{"occurrence", "start"}` takes that occurrence at another start of the same '
        "day (a suggestion); an occurrence the rule has not, or another day, is a 400 naming "
        "`moves`.",
    ),
    "appointment_series_retrieve": Doc("Read a series", "One series with its visits. " + ETAG),
    "appointment_series_cancel_create": Doc(
        "Cancel a series from a date",
        "Cancels the series' booked visits from the date `from` on, with an optional "
        "`reason`. The front desk only.",
    ),
}
