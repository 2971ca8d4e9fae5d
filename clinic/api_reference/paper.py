"""Outside physicians, documents, and the records as PDFs (API.md, Outside
physicians and documents)."""

from .words import ETAG, NO_FRONT_DESK, OWN, Doc

PRINTED = "Audited. Whoever may read the record: " + OWN

OPERATIONS = {
    # --- referring physicians outside the clinic ----------------------------------------
    "physicians_list": Doc(
        "List outside physicians",
        "The referring physicians outside the clinic (name, NPI, practice, email, "
        "phone, fax), searchable by name or NPI with `search`. All staff but the biller.",
    ),
    "physicians_create": Doc(
        "Add an outside physician",
        "A referring physician to the directory; an NPI that fails its check digit is "
        "a 400 naming `npi`. Doctors, therapists and the front desk; the manager only "
        "reads (403). Answers 201 with its `ETag`.",
    ),
    "physicians_retrieve": Doc(
        "Read an outside physician", "One physician. All staff but the biller. " + ETAG
    ),
    # --- documents ------------------------------------------------------------------------
    "documents_list": Doc(
        "List documents",
        "Scans and files of patients' records (metadata only: patient, referral, kind, "
        "type, size, SHA-256, who uploaded it and when), filterable by `patient`, "
        "`referral` and `kind`. Each read is audited. "
        + OWN
        + "Therapists also see prescriptions waiting to be transcribed; the front desk, "
        "which files the paper, lists every document's metadata. The biller may not (403).",
    ),
    "documents_create": Doc(
        "Upload a document",
        "A `multipart/form-data` upload of `file` for a `patient` (and a `referral` of "
        "that patient, optionally) of a `kind`. Only PDF, JPEG and PNG, judged by the "
        "content rather than the name (else a 400 naming `file`); past "
        "`DOCUMENT_MAX_MB` (default 10) a 413. Doctors, therapists and the front desk. "
        "Answers 201 with its `ETag`.",
    ),
    "documents_retrieve": Doc(
        "Read a document's details",
        "One document's metadata; audited. " + OWN + ETAG,
    ),
    "documents_content_retrieve": Doc(
        "Download a document",
        "The file itself, as an attachment with its own content type; never from a "
        "public address. Audited. " + OWN + NO_FRONT_DESK,
    ),
    "documents_preview_retrieve": Doc(
        "Preview a document",
        "A small JPEG of the document (an image scaled down, a PDF's first page), at most "
        "320 px on its longer side, as the lists show it; never from a public address. "
        "Audited as each read of the file is. A document with no preview possible (a "
        "malformed file) is a 404, the same answer as one out of reach. "
        + OWN
        + "The front desk and the biller may not (403).",
    ),
    # --- the records on paper --------------------------------------------------------------
    "referrals_pdf_retrieve": Doc(
        "Print a referral", "The referral as a PDF, with its diagnoses and areas. " + PRINTED
    ),
    "treatment_plans_pdf_retrieve": Doc(
        "Print the plan of care",
        "The plan of care as a PDF, with its certification period and signature block. " + PRINTED,
    ),
    "treatment_plans_discharge_pdf_retrieve": Doc(
        "Print a discharge summary",
        "The discharge summary of a plan that has ended, as a PDF; 404 while therapy "
        "goes on. " + PRINTED,
    ),
    "progress_reports_pdf_retrieve": Doc(
        "Print a progress report",
        "The progress report as a PDF, with the progress it reported. " + PRINTED,
    ),
    "treatment_plans_request_signature_create": Doc(
        "Ask the outside physician to sign a plan",
        "Emails the referral's outside physician a single-use link to the plan of care "
        "(valid `PHYSICIAN_LINK_DAYS`, default 14), where they approve or request "
        "changes after a code sent to the same address. The plan's therapist only, for "
        "a proposed plan whose physician is outside the clinic (else 409 "
        "`invalid_transition`); a physician with no email is a 400 naming `email`. "
        "Answers 201 with the link's id, address and expiry.",
    ),
}
