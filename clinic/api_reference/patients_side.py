"""The patient's side: the front desk's invite and paper consent, the exercise
library and a plan's home programme, and the patient's own /api/v1/portal/."""

from .words import Doc

# every /api/v1/portal/ operation but signing in
PATIENT = (
    "With a patient token (from signing in with the link), for the signed-in patient's "
    "own record only; a staff token is a 401 here, a staff member's browser session a 403. "
)

OPERATIONS = {
    # --- the front desk, for the patient --------------------------------------------------
    "patients_invite_create": Doc(
        "Send a patient their sign-in link",
        "Sends the patient a single-use sign-in link by their reminder channel (email or "
        "text); it lasts `PATIENT_LINK_HOURS` (72 by default), and signing in with it also "
        "asks the date of birth (five wrong answers lock it). No body. The front desk only "
        "(403 for other roles); a patient outside the directory is a 404. Answers 202 with "
        "the `channel` it went by; a patient with neither an email address nor a phone "
        "number is a 400 naming `contact`.",
    ),
    "patients_consents_create": Doc(
        "Record a consent signed on paper",
        "For a patient who signed a consent document on paper: `consent` (the document's "
        "id, from the documents the patient is asked to sign) and `document`, the signed "
        "page's scan as base64 PDF, PNG or JPEG. It counts as signing the document, so a "
        "session note is no longer refused for a missing consent to treatment. The front "
        "desk only; a patient outside the directory is a 404, an unknown document a 400. "
        "Answers 201 with the signature (`source`: paper).",
    ),
    # --- the exercise library and a plan's home programme ----------------------------------
    "exercises_list": Doc(
        "List the exercise library",
        "The clinic's rehabilitative stretches, each with its region, instructions, hold "
        "time, repetitions, times a day, picture (`image_url`) and whether it is still "
        "offered (`is_active`). Every staff role.",
    ),
    "exercises_retrieve": Doc(
        "Read an exercise",
        "One exercise of the library, with its instructions and picture. Every staff role.",
    ),
    "exercises_create": Doc(
        "Add an exercise to the library",
        "A new stretch: a unique `code` (its picture is the one of that name), name, "
        "region, instructions and the default dose. The manager only. Answers 201.",
    ),
    "exercises_update": Doc(
        "Replace an exercise",
        "Changes an exercise of the library; `is_active` false stops offering it for new "
        "home programmes. The manager only.",
    ),
    "exercises_partial_update": Doc(
        "Change some of an exercise",
        "As the full update, with only the fields sent. The manager only.",
    ),
    "treatment_plans_home_programme_create": Doc(
        "Set a plan's home programme",
        "The stretches the patient does at home, as a list of up to 12 `{exercise, "
        "hold_seconds, repetitions, times_per_day}` (the dose defaults to the library's); "
        "it replaces the plan's current programme, and the patient sees it in the portal. "
        "The plan's own therapist only (403 for anyone else), on an approved plan (else "
        "400); an inactive or unknown exercise is a 400 naming its item. Answers 201 with "
        "the programme.",
    ),
    # --- the patient: signing in and out ---------------------------------------------------
    "portal_session_create": Doc(
        "Sign in with the link",
        "The patient exchanges the link's token and their date of birth for a patient "
        "token and its `expires_at`: send it as `Authorization: Token <token>`; it opens "
        "/api/v1/portal/ only and lapses after 30 minutes without a request. No credentials "
        "needed. A wrong date of birth is a 400 (five lock the link); a used, expired or "
        "locked link is a 410: the front desk sends a new one.",
    ),
    "portal_session_destroy": Doc(
        "Sign out of the portal",
        PATIENT + "Ends the patient token this request presents. Answers 204.",
    ),
    # --- the patient's details and visits ----------------------------------------------------
    "portal_me_retrieve": Doc(
        "Read my details",
        PATIENT + "The patient's name, email, phone, reminder channel and consent to "
        "reminders, and the address of their calendar of visits (`calendar_url`).",
    ),
    "portal_me_partial_update": Doc(
        "Change my contact and reminder preferences",
        PATIENT + "Changes any of `email`, `phone`, `reminder_channel` and "
        "`reminder_consent` (the name and date of birth stay the front desk's). Reminders "
        "not yet sent are replanned. A channel without its address (email with no email "
        "address, text with no phone) is a 400.",
    ),
    "portal_appointments_list": Doc(
        "List my upcoming visits",
        PATIENT + "The patient's visits from today on, soonest first: start, end, status, the "
        "therapist's name, when the patient confirmed, and whether and until when "
        "(`cancel_until`) they may still cancel here.",
    ),
    "portal_appointments_confirm_create": Doc(
        "Confirm a visit",
        PATIENT + "The patient says they will come; no body. Confirming again changes "
        "nothing (the first time stands). Answers 200 with the visit. A visit that is no "
        "longer booked or has begun is a 409 `invalid_transition`; another patient's visit "
        "is a 404.",
    ),
    "portal_appointments_cancel_create": Doc(
        "Cancel a visit",
        PATIENT + "Cancels a booked visit; no body. Allowed up to `LATE_CANCEL_HOURS` "
        "before it, or later where the clinic allows late cancellations; otherwise a 409 "
        "`invalid_transition` (the patient calls the clinic). Answers 200 with the "
        "cancelled visit; another patient's visit is a 404.",
    ),
    # --- forms to fill and sign ----------------------------------------------------------------
    "portal_intake_retrieve": Doc(
        "Read the health-history form",
        PATIENT + "The form's `version`, its questions (`id`, a stable slug; `text`; "
        "`kind`: yes_no, text, region or side; whether it is required; the choices) and "
        "when the patient last signed it (`last_signed_at`, null: never).",
    ),
    "portal_intake_create": Doc(
        "Answer the health-history form",
        PATIENT + 'Send `{"answers": {question id: value}}` (yes/no as true or false) and '
        "the typed `full_name` as signature; it is stored dated and signed. Red-flag "
        "answers raise precautions for the therapist: a blood clot or unexplained calf "
        "swelling, or a fever or infection, stop treatment until the doctor clears it; "
        "recent surgery, an open wound or cancer keep hands off the named area; blood "
        "thinners, fragile bones or pregnancy mean no firm pressure. A missing or invalid "
        "answer is a 400 naming it. Answers 201 with the `red_flags` raised.",
    ),
    "portal_consents_list": Doc(
        "List the documents to sign",
        PATIENT + "The clinic's current consent documents (`id`, `kind`, `title`, "
        "`version`, `text` and its SHA-256), each with when this patient signed it "
        "(`signed_at`, null: not yet). Until the current consent to treatment is signed, "
        "the therapist cannot write a visit's session note.",
    ),
    "portal_consents_sign_create": Doc(
        "Sign a consent document",
        PATIENT + "Signs a current document with the typed `full_name` and "
        "`signature_png`, the drawn signature as a base64 PNG (a data URL is fine). The "
        "signature keeps the document's SHA-256, the time, the address and the browser. A "
        "missing name or an empty drawing is a 400; a document that is not current is a "
        "404. Answers 201 with the signature.",
    ),
    "portal_questionnaires_list": Doc(
        "List the questionnaires due",
        PATIENT + "The outcome questionnaires the patient's plans ask for now (pain, "
        "neck or back disability, the activities they find hard), each with its items "
        "and their scales. They fall due before the first visit, every "
        "`QUESTIONNAIRE_EVERY_VISITS` visits and before the last one.",
    ),
    "portal_questionnaires_answers_create": Doc(
        "Answer a questionnaire",
        PATIENT + 'Send `{"items": [{"score": n}, ...]}`, one per item (the activities '
        'questionnaire also names each `"activity"`). It becomes an outcome measurement '
        "of the plan, answered by the patient, and counts in the plan's progress. A "
        "score outside its scale is a 400 naming the item; a questionnaire not due is a "
        "404. Answers 201 with the `score`.",
    ),
    # --- the home programme and the whole record ------------------------------------------
    "portal_home_programme_list": Doc(
        "List my stretches",
        PATIENT + "The exercises the therapist assigned: name, region, instructions, "
        "hold time, repetitions, times a day, picture, and how many times they were done "
        "today (`done_today`).",
    ),
    "portal_home_programme_done_create": Doc(
        "Log a stretch done",
        PATIENT + "Records one completion of a stretch of the current programme; no "
        "body. The therapist sees adherence on the plan's progress. Answers 201 with when "
        "it was done; a stretch not in the patient's programme is a 404.",
    ),
    "portal_record_retrieve": Doc(
        "Download my whole record",
        PATIENT + "The patient's whole clinical record as a FHIR R4 bundle (their right "
        "of access): referrals, diagnoses, plans and goals, visits, notes, measurements "
        "and precautions, the consents they signed (`Consent`), and their superbills and "
        "signed progress reports (`DocumentReference`, each with the address of its PDF "
        "under /api/v1/portal/documents/, opened with the same token). The staff's scans "
        "are not the patient's to download, so none is named. JSON, or "
        "`application/fhir+json` for a FHIR client that asks for it. Audited.",
    ),
    "portal_documents_list": Doc(
        "List the patient's documents",
        PATIENT + "Their superbills (one per billed visit, not voided) and their signed "
        "progress reports, newest first, each with its `kind`, `title`, `date` and the `url` "
        "of its PDF. Audited on the patient.",
    ),
    "portal_documents_retrieve": Doc(
        "Download one of the patient's documents",
        PATIENT + "The PDF of a superbill (to send to their plan) or of a signed progress "
        "report. An id that is not one of the patient's own documents is a 404. Audited on "
        "the patient.",
    ),
}
