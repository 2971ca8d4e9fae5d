"""What the API reference (the OpenAPI schema, /api/v1/docs/) says about each
operation, for the people who call it: what it does, who may, what it answers.
Keyed by operation id; clinic.api_schema reads it, and a test checks that every
operation has its words here.

"Own" follows API.md: clinical records are scoped by care episode (a referral
opens one); outside the caller's scope is a 404, the same as missing."""

from . import billing, clinical, paper, patients_side, people_and_scheduling, places
from .words import Doc

OPERATIONS: dict[str, Doc] = {
    **people_and_scheduling.OPERATIONS,
    **clinical.OPERATIONS,
    **paper.OPERATIONS,
    **billing.OPERATIONS,
    **patients_side.OPERATIONS,
    **places.OPERATIONS,
}
