"""Billing: service codes, payers, coverages, authorizations, charges, claims,
payments and the patient's ledger (API.md, Billing)."""

from .words import ETAG, IF_MATCH, Doc

BILLING_READERS = (
    "The biller, the front desk and the manager read all; doctors and therapists "
    "those of their own episodes. "
)
AMOUNTS = 'Money is a decimal string ("42.00"). '

OPERATIONS = {
    # --- the catalog: service codes and payers -------------------------------------------
    "service_codes_list": Doc(
        "List service codes",
        "The CPT codes the clinic bills (`97140`, `97110`, ...), each with its "
        "description and whether it is `timed` (billed in 15-minute units). Every role.",
    ),
    "service_codes_create": Doc(
        "Add a service code",
        "A five-character CPT or HCPCS code the clinic bills from now on; a code "
        "already in the catalog is a 400 naming `code`. The manager only. Answers 201.",
    ),
    "service_codes_retrieve": Doc(
        "Read a service code",
        "One code, its description and whether it is timed. Every role. " + ETAG,
    ),
    "service_codes_update": Doc(
        "Replace a service code's description",
        "Changes the description and whether it is timed; the code itself stays. The "
        "manager only. " + IF_MATCH,
    ),
    "service_codes_partial_update": Doc(
        "Change part of a service code",
        "As the full update, with only the fields sent. The manager only. " + IF_MATCH,
    ),
    "payers_list": Doc(
        "List payers",
        "The insurers and other payers the clinic bills: kind (commercial, Medicare, "
        "Medicaid, auto, workers' comp, self-pay), payer id, unit rule (`cms`: the "
        "8-minute rule, or `ama`: per code), whether visits need an authorization, the "
        "modifiers of timed lines and the fee schedule. Every role.",
    ),
    "payers_create": Doc(
        "Add a payer",
        "A payer with its unit rule, line modifiers and fees per unit of each service "
        "code; an unknown code in `fees`, or a code twice, is a 400. The manager only. "
        "Answers 201 with its `ETag`.",
    ),
    "payers_retrieve": Doc("Read a payer", "One payer with its fee schedule. Every role. " + ETAG),
    "payers_update": Doc(
        "Replace a payer's terms",
        "Changes the payer's details, unit rule, modifiers and, when sent, the whole fee "
        "schedule; charges already made keep their amounts. The manager only. " + IF_MATCH,
    ),
    "payers_partial_update": Doc(
        "Change part of a payer's terms",
        "As the full update, with only the fields sent. The manager only. " + IF_MATCH,
    ),
    # --- coverages and authorizations ------------------------------------------------------
    "coverages_list": Doc(
        "List coverages",
        "Patients' insurance, filterable by `patient`: payer, primary or secondary, "
        "member and group numbers, subscriber, dates, and for auto and workers' comp the "
        "claim number, date of injury and adjuster. Each read is audited. " + BILLING_READERS,
    ),
    "coverages_create": Doc(
        "Record a patient's coverage",
        "A payer covering a patient from `valid_from` (until `valid_until`, if given). "
        "Auto and workers' comp need `claim_number` and `date_of_injury`; a second "
        "coverage of the same priority over the same dates is a 400 naming `priority`. "
        "The front desk only. Answers 201 with its `ETag`.",
    ),
    "coverages_retrieve": Doc(
        "Read a coverage", "One coverage; audited. " + BILLING_READERS + ETAG
    ),
    "coverages_update": Doc(
        "Replace a coverage's details",
        "Changes everything but the patient, under the same rules as recording it. The "
        "front desk only. " + IF_MATCH,
    ),
    "coverages_partial_update": Doc(
        "Change part of a coverage",
        "As the full update, with only the fields sent. The front desk only. " + IF_MATCH,
    ),
    "authorizations_list": Doc(
        "List authorizations",
        "The payers' prior authorizations, filterable by `coverage` and `patient`: "
        "number, codes, visits and units granted and used, dates. Each read is audited. "
        + BILLING_READERS,
    ),
    "authorizations_create": Doc(
        "Record an authorization",
        "A payer's authorization under a coverage: its number, the codes it covers, "
        "visits and units (1 to 999 each) and dates. While a coverage that requires one "
        "has none valid with a visit left, a booking is a 400 naming `authorization`. "
        "The front desk only. Answers 201 with its `ETag`.",
    ),
    "authorizations_retrieve": Doc(
        "Read an authorization",
        "One authorization with the visits and units used so far; audited. "
        + BILLING_READERS
        + ETAG,
    ),
    "authorizations_update": Doc(
        "Replace an authorization's terms",
        "Changes everything but the coverage, under the same rules as recording it. "
        "The front desk only. " + IF_MATCH,
    ),
    "authorizations_partial_update": Doc(
        "Change part of an authorization",
        "As the full update, with only the fields sent. The front desk only. " + IF_MATCH,
    ),
    # --- charges -------------------------------------------------------------------------------
    "charges_list": Doc(
        "List charges",
        "What signed session notes (and missed-visit fees) charge, newest first, "
        "filterable by `patient`, `note` and `status`: the payer and coverage, each "
        "line's code, modifiers, minutes, units, diagnosis pointers and amount, the "
        "total and warnings (e.g. `over_authorization`). Each read is audited. "
        + BILLING_READERS
        + "The front desk receives no diagnoses (`Charge`); the others also the "
        "diagnoses the pointers name (`ChargeWithDiagnoses`). " + AMOUNTS,
    ),
    "charges_retrieve": Doc(
        "Read a charge",
        "One charge with its lines; audited. "
        + BILLING_READERS
        + "The front desk receives no diagnoses. "
        + ETAG,
    ),
    "charges_void_create": Doc(
        "Void a charge",
        "Voids an open charge with a `reason` (else 400); it leaves the ledger's "
        "balance. A charge not open, or on a live claim, is 409 `invalid_transition`. "
        "The biller; the front desk only the fees of missed visits (else 403).",
    ),
    "charges_superbill_retrieve": Doc(
        "Print a charge's superbill",
        "A PDF for the patient to claim with: the clinic's name, address, NPI and tax "
        "id, the therapist's NPI, the date, each diagnosis with its letter, each line "
        "and the total. Audited. The biller, the manager and the episode's clinicians; "
        "not the front desk (403).",
    ),
    # --- claims --------------------------------------------------------------------------------
    "claims_list": Doc(
        "List claims",
        "Claims to payers, newest first, filterable by `status` and `patient`. Each read "
        "is audited. The biller and the manager read all; doctors and therapists those "
        "holding charges of their episodes; not the front desk (403).",
    ),
    "claims_create": Doc(
        "Claim charges from a payer",
        "A draft claim of `charges`: open charges of one coverage (else a 400 naming "
        "`charges`, also for a charge already on a claim or not visible to the caller). "
        "The biller only. Answers 201 with its `ETag`.",
    ),
    "claims_retrieve": Doc(
        "Read a claim",
        "One claim: payer, coverage, status, charges, total, the payer's answer. Audited. " + ETAG,
    ),
    "claims_submit_create": Doc(
        "Mark a claim submitted",
        "`draft -> submitted`; its charges become `claimed`. The biller only; from "
        "another status, 409 `invalid_transition`.",
    ),
    "claims_deny_create": Doc(
        "Record a denial",
        "`submitted -> denied`, with the payer's `reason`; its charges are open again, "
        "to correct and claim anew. The biller only; from another status, 409 "
        "`invalid_transition`.",
    ),
    "claims_paid_create": Doc(
        "Record a payment of a claim",
        "`submitted -> paid`; its charges are paid, and an `amount` (with its "
        "`reference`) is also recorded as the payer's payment on the patient's ledger. "
        "The biller only; from another status, 409 `invalid_transition`.",
    ),
    "claims_secondary_create": Doc(
        "Claim the rest from the secondary coverage",
        "Once the primary payer has answered (paid or denied), the same charges are "
        "claimed from the patient's secondary coverage valid on their dates (none: 400 "
        "naming `coverage`); a second secondary claim is 409 `conflict`, an unanswered "
        "primary 409 `invalid_transition`. The biller only. Answers 201 with its `ETag`.",
    ),
    "claims_x12_retrieve": Doc(
        "Export a claim as an 837P",
        "The claim as an ANSI X12 837P (005010X222A1) interchange, `text/plain`, for "
        "the clearinghouse. Audited. The biller and the manager only.",
    ),
    "claims_pdf_retrieve": Doc(
        "Print a claim",
        "A CMS-1500-style PDF summary of the claim. Audited. The biller, the manager "
        "and the episode's clinicians.",
    ),
    # --- payments and the ledger --------------------------------------------------------
    "payments_list": Doc(
        "List payments",
        "Payments received, newest first, filterable by `patient`. The biller, the "
        "front desk and the manager; clinicians may not (403). " + AMOUNTS,
    ),
    "payments_create": Doc(
        "Record a payment",
        "A payment from or for a patient: a positive `amount` (two decimals at most), "
        "the `method` (cash, card, check, insurance, adjustment), a `reference`, and "
        "optionally the "
        "patient's `claim` it pays. The front desk and the biller. Answers 201 with its "
        "`ETag`.",
    ),
    "payments_retrieve": Doc(
        "Read a payment",
        "One payment. The biller, the front desk and the manager. " + ETAG,
    ),
    "patients_ledger_retrieve": Doc(
        "Read a patient's ledger",
        "The patient's charges (no diagnoses) and payments, and the balance: charges "
        "not void minus payments. Audited. The biller, the front desk and the manager; "
        "clinicians may not (403). " + AMOUNTS,
    ),
}
