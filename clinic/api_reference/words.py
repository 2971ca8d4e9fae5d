"""The shape of an operation's words, and the phrases many operations share."""

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
