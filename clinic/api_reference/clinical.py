"""Session notes, measurements, progress reports, precautions and the audit trail."""

from .words import ETAG, IF_MATCH, LOCKED, NO_FRONT_DESK, OWN, Doc

OPERATIONS = {
    # --- session notes and measurements ----------------------------------------------------
    "session_notes_list": Doc(
        "List session notes",
        "Notes, newest first; each read is audited. " + OWN + NO_FRONT_DESK,
    ),
    "session_notes_create": Doc(
        "Log a session",
        "The note of one of the therapist's own visits that has started and is not "
        "cancelled: pain before and after, areas with modalities and minutes, SOAP "
        "text, response, adverse reaction, and the billable `services` (left out: "
        "derived from the areas). It completes the visit; a second note for the visit, "
        "or an uncleared stop flag (`precautions`), is 409 `conflict`; an avoided area "
        "is a 400. Send an `Idempotency-Key` so a retry cannot log it twice. Therapists "
        "only. Answers 201 with its `ETag`.",
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
        "Locks the note and its services, and makes its charge in the same step; "
        "afterwards only addenda may be added. Two codes of a distinct-procedure pair "
        "given to one region are a 400 naming `services`. Its therapist only; signing "
        "twice is 409 `invalid_transition`.",
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
        "`signed -> sent`: the referring doctor is emailed a link. Its author only. A "
        "physician outside the clinic is emailed a single-use link instead (as for the "
        "plan of care: a 6-digit code to the same address, reminders at 3 and 7 days) and "
        "acknowledges the report there with a typed name and a drawn signature: the report "
        "becomes `acknowledged`, with `acknowledged_at` and no `decision`. A physician "
        "with no email in the directory: 400 naming `email`, the report still `signed`.",
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
