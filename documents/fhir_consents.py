"""The consents the patient signed as FHIR R4 `Consent` resources (API.md,
Outside physicians and documents), added to the FHIR export of the record.

A `Consent` records a person's decision, so only signatures become resources:
a consent the patient was asked for and has not signed is absent (nothing was
decided). The clinic never edits a consent: it publishes a new version and asks
again, and a signature is never withdrawn (clinic.consents; both are
append-only). So the signature of the current version is `active`, and the
signature of a version since replaced is `inactive`, its provision ending when
the newer version was published (the patient must sign that one again).

Every reference points at the bundle's own Patient; the signature's image stays
out of the bundle (its scan or drawing is read through the consent door)."""

from clinic.models import ConsentDocument, ConsentKind, ConsentSignature, ConsentSource

LOINC = "http://loinc.org"
SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
POLICY = "http://terminology.hl7.org/CodeSystem/consentpolicycodes"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/consentverification"

# scope and LOINC category per kind of consent document
KINDS = {
    ConsentKind.TREATMENT: (
        ("treatment", "Treatment"),
        ("59284-0", "Consent Document"),
    ),
    ConsentKind.PRIVACY: (
        ("patient-privacy", "Privacy Consent"),
        ("57016-8", "Privacy policy acknowledgement Document"),
    ),
}


def _instant(value) -> str:
    return value.isoformat(timespec="seconds")


def _policy_rule(document: ConsentDocument) -> dict:
    """What was agreed to: the clinic's document by title and version (the
    privacy notice is the HIPAA notice of privacy practices)."""
    rule = {"text": str(document)}
    if document.kind == ConsentKind.PRIVACY:
        rule["coding"] = [
            {"system": POLICY, "code": "hipaa-npp", "display": "HIPAA Notice of Privacy Practices"}
        ]
    return rule


def consent_resource(signature: ConsentSignature, *, replaced_at=None) -> dict:
    """`replaced_at`: when a newer version of the signed document was published
    (None while the signed version is the current one)."""
    document = signature.document
    (scope_code, scope_display), (loinc, loinc_display) = KINDS[ConsentKind(document.kind)]
    patient = {"reference": f"urn:uuid:{signature.patient_id}"}
    period = {"start": _instant(signature.signed_at)}
    if replaced_at is not None:
        period["end"] = _instant(replaced_at)
    return {
        "resourceType": "Consent",
        "id": str(signature.pk),
        "status": "inactive" if replaced_at is not None else "active",
        "scope": {
            "coding": [{"system": SCOPE, "code": scope_code, "display": scope_display}],
            "text": ConsentKind(document.kind).label,
        },
        "category": [{"coding": [{"system": LOINC, "code": loinc, "display": loinc_display}]}],
        "patient": patient,
        "dateTime": _instant(signature.signed_at),
        "performer": [patient],
        "policyRule": _policy_rule(document),
        "sourceAttachment": {
            "contentType": signature.image_type,
            "title": f"{document} - {ConsentSource(signature.source).label}",
            "creation": _instant(signature.signed_at),
        },
        # on screen the patient signed in person; on paper the front desk checked the scan
        "verification": [
            {
                "verified": True,
                "verifiedWith": patient,
                "verificationDate": _instant(signature.signed_at),
            }
        ],
        "provision": {"type": "permit", "period": period},
    }


def _replaced_at(signatures) -> dict:
    """For each signed document that is no longer its kind's newest version, when
    the version after it was published (one query)."""
    kinds = {s.document.kind for s in signatures}
    versions = ConsentDocument.objects.filter(kind__in=kinds).values_list(
        "kind", "version", "created_at"
    )
    published = {(kind, version): at for kind, version, at in versions}
    replaced = {}
    for s in signatures:
        following = [
            (version, at)
            for (kind, version), at in published.items()
            if kind == s.document.kind and version > s.document.version
        ]
        if following:
            replaced[s.pk] = min(following)[1]
    return replaced


def add_consents(bundle: dict, *, patient) -> dict:
    """The patient's signed consents appended to `bundle`, whose Patient they
    reference. Two queries whatever the number of signatures."""
    signatures = list(
        ConsentSignature.objects.filter(patient=patient)
        .select_related("document")
        .defer("image")
        .order_by("signed_at")
    )
    replaced = _replaced_at(signatures)
    bundle["entry"] += [
        {
            "fullUrl": f"urn:uuid:{s.pk}",
            "resource": consent_resource(s, replaced_at=replaced.get(s.pk)),
        }
        for s in signatures
    ]
    return bundle
