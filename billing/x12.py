"""A claim as an ANSI X12 837P interchange, version 005010X222A1 (the HIPAA
professional claim): ISA/GS/ST envelope, submitter and receiver, the clinic
as billing provider (2000A), the subscriber and payer (2000B), the patient
when not the subscriber (2000C), one claim (2300) with its diagnoses, and a
service line (2400) per charge line. Auto and workers' comp claims carry the
related cause, the accident date and the property-and-casualty claim number.
A secondary claim names the primary payer as the other payer (2320, 2330A/B)
with what it paid, and each line's adjudication by it (2430).

The tests run pyx12's validator over every kind of claim we export."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .claims import claim_diagnoses
from .models import Charge, ChargeLine, Claim, ClaimStatus, PayerKind, Relationship
from .rules import POINTER_LETTERS

ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~"
VERSION = "005010X222A1"
PLACE_OF_SERVICE = "11"  # office
# SBR09: how the payer is billed
FILING_CODES = {
    PayerKind.COMMERCIAL: "CI",
    PayerKind.MEDICARE: "MB",
    PayerKind.MEDICAID: "MC",
    PayerKind.AUTO: "AM",
    PayerKind.WORKERS_COMP: "WC",
}
# PAT01: the patient's relationship to the subscriber
RELATIONSHIP_CODES = {
    Relationship.SPOUSE: "01",
    Relationship.CHILD: "19",
    Relationship.OTHER: "G8",
}
RELATED_CAUSES = {PayerKind.AUTO: "AA", PayerKind.WORKERS_COMP: "EM"}
_UNSAFE = re.compile(r"[^A-Z0-9 !&'()+,\-./;?=#@%]")


def text(value, limit: int) -> str:
    """Upper-case ASCII of the basic character set, delimiters removed."""
    plain = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return " ".join(_UNSAFE.sub(" ", plain.upper()).split())[:limit]


def digits(value) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def amount(value: Decimal) -> str:
    """X12 decimal: no trailing zeros, no exponent ("85", "42.5")."""
    formatted = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return formatted or "0"


def ymd(day) -> str:
    return day.strftime("%Y%m%d")


def split_name(full: str) -> tuple[str, str]:
    """'Jane Q Doe' -> ('Doe', 'Jane Q')."""
    parts = full.split()
    return (parts[-1], " ".join(parts[:-1])) if parts else ("", "")


def segment(*elements) -> str:
    items = [str(e) if e is not None else "" for e in elements]
    while items and items[-1] == "":
        items.pop()  # trailing empty elements are left out
    return ELEMENT.join(items)


@dataclass
class Party:
    last: str
    first: str
    member_id: str


class Interchange:
    """Collects the segments of one 837P and counts the transaction's."""

    def __init__(self):
        self.segments: list[str] = []

    def add(self, *elements) -> None:
        self.segments.append(segment(*elements))

    def body(self) -> str:
        return TERMINATOR.join(self.segments) + TERMINATOR + "\n"


def claim_837p(claim: Claim, *, now: datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    charges = list(
        claim.charges.select_related("patient", "therapist", "authorization").order_by(
            "service_date", "created_at"
        )
    )
    lines = list(
        ChargeLine.objects.filter(charge__in=charges)
        .select_related("charge__therapist")
        .order_by("charge__service_date", "charge__created_at", "position")
    )
    x = Interchange()
    _envelope_start(x, claim, now)
    _billing_provider(x)
    _subscriber(x, claim, charges[0].patient)
    _claim(x, claim, charges, lines)
    x.add("SE", len(x.segments) - 2 + 1, "0001")  # from ST to SE, both counted
    x.add("GE", 1, claim.number)
    x.add("IEA", 1, f"{claim.number:09d}")
    return x.body()


def _envelope_start(x: Interchange, claim: Claim, now: datetime) -> None:
    sender = text(settings.X12_SENDER_ID, 15)
    receiver = text(claim.payer.payer_id, 15)
    x.add(
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
        now.strftime("%y%m%d"), now.strftime("%H%M"), REPETITION, "00501", f"{claim.number:09d}",
        "0", settings.X12_USAGE, COMPONENT,
    )  # fmt: skip
    x.add("GS", "HC", sender, receiver, ymd(now), now.strftime("%H%M"), claim.number, "X", VERSION)
    x.add("ST", "837", "0001", VERSION)
    x.add("BHT", "0019", "00", claim.number, ymd(now), now.strftime("%H%M"), "CH")
    clinic = text(settings.CLINIC_NAME, 60)
    x.add("NM1", "41", "2", clinic, "", "", "", "", "46", sender)
    x.add("PER", "IC", text(settings.CLINIC_NAME, 60), "TE", digits(settings.CLINIC_PHONE))
    x.add("NM1", "40", "2", text(claim.payer.name, 60), "", "", "", "", "46", receiver)


def _billing_provider(x: Interchange) -> None:
    x.add("HL", 1, "", "20", 1)
    x.add("PRV", "BI", "PXC", settings.CLINIC_TAXONOMY_CODE)
    x.add(
        "NM1", "85", "2", text(settings.CLINIC_NAME, 60), "", "", "", "", "XX", settings.CLINIC_NPI
    )
    x.add("N3", text(settings.CLINIC_ADDRESS, 55))
    x.add("N4", text(settings.CLINIC_CITY, 30), settings.CLINIC_STATE, settings.CLINIC_POSTAL_CODE)
    x.add("REF", "EI", settings.CLINIC_TAX_ID)


def _address(x: Interchange, patient) -> None:
    x.add("N3", text(patient.address_line, 55))
    x.add("N4", text(patient.city, 30), text(patient.state, 2), digits(patient.postal_code))
    x.add("DMG", "D8", ymd(patient.date_of_birth), patient.sex[:1].upper())


def _subscriber(x: Interchange, claim: Claim, patient) -> None:
    coverage, payer = claim.coverage, claim.payer
    is_patient = coverage.relationship == Relationship.SELF
    injury = payer.kind in RELATED_CAUSES
    x.add("HL", 2, 1, "22", 0 if is_patient else 1)
    # P: a claim goes to the coverage valid on the service date; S: the secondary
    # claim, after the primary payer answered
    responsibility = "S" if claim.primary_claim_id else "P"
    x.add("SBR", responsibility, "18" if is_patient else "", text(coverage.group_number, 50),
          "", "", "", "", "", FILING_CODES[payer.kind])  # fmt: skip
    if is_patient:
        last, first = patient.last_name, patient.first_name
    else:
        last, first = split_name(coverage.subscriber_name)
    member_id = text(coverage.member_id or coverage.claim_number, 80)
    x.add("NM1", "IL", "1", text(last, 60), text(first, 35), "", "", "", "MI", member_id)
    if is_patient:
        _address(x, patient)
        if injury:
            x.add("REF", "Y4", text(coverage.claim_number, 50))
    x.add("NM1", "PR", "2", text(payer.name, 60), "", "", "", "", "PI", text(payer.payer_id, 80))
    if not is_patient:
        x.add("HL", 3, 2, "23", 0)
        x.add("PAT", RELATIONSHIP_CODES.get(coverage.relationship, "G8"))
        x.add("NM1", "QC", "1", text(patient.last_name, 60), text(patient.first_name, 35))
        _address(x, patient)
        if injury:
            x.add("REF", "Y4", text(coverage.claim_number, 50))


def _claim(x: Interchange, claim: Claim, charges: list[Charge], lines: list[ChargeLine]) -> None:
    coverage, payer = claim.coverage, claim.payer
    cause = RELATED_CAUSES.get(payer.kind)
    related = ""
    if cause == "AA":
        state = text(charges[0].patient.state, 2) or settings.CLINIC_STATE
        related = COMPONENT.join(["AA", "", "", state])
    elif cause:
        related = cause
    total = sum((line.amount for line in lines), Decimal("0"))
    location = COMPONENT.join([PLACE_OF_SERVICE, "B", "1"])  # office, original claim
    x.add(
        "CLM", f"C{claim.number}", amount(total), "", "", location, "Y", "A", "Y", "Y", "", related
    )
    if cause and coverage.date_of_injury:
        x.add("DTP", "439", "D8", ymd(coverage.date_of_injury))
    authorization = next((c.authorization for c in charges if c.authorization), None)
    if authorization is not None:
        x.add("REF", "G1", text(authorization.number, 50))
    diagnoses = claim_diagnoses(charges)
    x.add("HI", *[
        COMPONENT.join(["ABK" if i == 0 else "ABF", d["code"].replace(".", "")])
        for i, d in enumerate(diagnoses)
    ])  # fmt: skip
    therapists = {c.therapist_id for c in charges}
    claim_level = charges[0].therapist if len(therapists) == 1 else None
    if claim_level is not None and claim_level.npi:
        _rendering_provider(x, claim_level)
    primary = claim.primary_claim
    paid = paid_shares(primary, lines) if primary else {}
    if primary is not None:
        _other_payer(x, primary, charges[0].patient, sum(paid.values(), Decimal("0")))
    letters = {d["code"]: POINTER_LETTERS[i] for i, d in enumerate(diagnoses)}
    for number, line in enumerate(lines, start=1):
        _service_line(x, number, line, letters, per_line=claim_level is None)
        if primary is not None:
            _line_adjudication(x, primary, line, paid[line.pk])


def paid_shares(primary: Claim, lines: list[ChargeLine]) -> dict:
    """What the primary payer paid, spread over the lines by their amounts (cents;
    the rest of the rounding on the last line); nothing when it denied."""
    total = sum((line.amount for line in lines), Decimal("0"))
    paid = min(primary.paid_amount or Decimal("0"), total)
    if primary.status != ClaimStatus.PAID or not total:
        return {line.pk: Decimal("0.00") for line in lines}
    shares, given = {}, Decimal("0.00")
    for line in lines[:-1]:
        shares[line.pk] = (paid * line.amount / total).quantize(Decimal("0.01"))
        given += shares[line.pk]
    shares[lines[-1].pk] = paid - given
    return shares


def _other_payer(x: Interchange, primary: Claim, patient, paid: Decimal) -> None:
    """2320/2330A/2330B: the primary coverage, its payer and what it paid."""
    coverage, payer = primary.coverage, primary.payer
    is_patient = coverage.relationship == Relationship.SELF
    relation = "18" if is_patient else RELATIONSHIP_CODES.get(coverage.relationship, "G8")
    x.add("SBR", "P", relation, text(coverage.group_number, 50), "", "", "", "", "",
          FILING_CODES[payer.kind])  # fmt: skip
    x.add("AMT", "D", amount(paid))
    x.add("OI", "", "", "Y", "", "", "Y")
    if is_patient:
        last, first = patient.last_name, patient.first_name
    else:
        last, first = split_name(coverage.subscriber_name)
    member_id = text(coverage.member_id or coverage.claim_number, 80)
    x.add("NM1", "IL", "1", text(last, 60), text(first, 35), "", "", "", "MI", member_id)
    x.add("NM1", "PR", "2", text(payer.name, 60), "", "", "", "", "PI", text(payer.payer_id, 80))


def _line_adjudication(x: Interchange, primary: Claim, line: ChargeLine, paid: Decimal) -> None:
    """2430: the primary payer's answer for the line; what it did not pay is a
    contractual adjustment (CO 45) when it paid, a denial (CO 96) when not."""
    procedure = COMPONENT.join(["HC", line.service_code_id, *line.modifiers[:4]])
    x.add("SVD", text(primary.payer.payer_id, 80), amount(paid), procedure, "", line.units)
    left = line.amount - paid
    if left > 0:
        reason = "45" if primary.status == ClaimStatus.PAID else "96"
        x.add("CAS", "CO", reason, amount(left))
    answered = timezone.localtime(primary.answered_at or timezone.now())
    x.add("DTP", "573", "D8", ymd(answered))


def _rendering_provider(x: Interchange, therapist) -> None:
    x.add("NM1", "82", "1", text(therapist.last_name, 60), text(therapist.first_name, 35),
          "", "", "", "XX", therapist.npi)  # fmt: skip
    if therapist.taxonomy_code:
        x.add("PRV", "PE", "PXC", therapist.taxonomy_code)


def _service_line(x: Interchange, number: int, line: ChargeLine, letters: dict, per_line: bool):
    charge = line.charge
    # the line's pointers name its charge's diagnoses; the claim numbers them anew
    codes = [charge.diagnoses[POINTER_LETTERS.index(p)]["code"] for p in line.diagnosis_pointers]
    pointers = [str(POINTER_LETTERS.index(letters[code]) + 1) for code in codes][:4] or ["1"]
    procedure = COMPONENT.join(["HC", line.service_code_id, *line.modifiers[:4]])
    x.add("LX", number)
    x.add("SV1", procedure, amount(line.amount), "UN", line.units, "", "", COMPONENT.join(pointers))
    x.add("DTP", "472", "D8", ymd(charge.service_date))
    if per_line and charge.therapist is not None and charge.therapist.npi:
        _rendering_provider(x, charge.therapist)
