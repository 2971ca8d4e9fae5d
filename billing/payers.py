"""The manager's catalog: payers with their fee schedules, and service codes."""

from django.db import transaction
from django.db.models import F

from clinic.audit import record
from clinic.errors import Invalid
from clinic.models import User

from .models import Fee, Payer, PayerKind, ServiceCode

PAYER_FIELDS = ("name", "kind", "payer_id", "unit_rule", "requires_authorization",
                "line_modifiers", "is_active")  # fmt: skip


def _payer_errors(data: dict, *, payer: Payer | None = None) -> dict:
    errors: dict = {}
    kind = data.get("kind", payer.kind if payer else None)
    payer_id = data.get("payer_id", payer.payer_id if payer else "")
    if kind != PayerKind.SELF_PAY and not (payer_id or "").strip():
        errors["payer_id"] = ["An insurer needs its electronic payer id for claims."]
    fees = data.get("fees")
    if fees is not None:
        codes = [fee["service_code_id"] for fee in fees]
        known = set(ServiceCode.objects.filter(code__in=codes).values_list("code", flat=True))
        problems = [
            {"code": [f"{code!r} is not a service code."]} if code not in known else {}
            for code in codes
        ]
        if any(problems):
            errors["fees"] = problems
        elif len(set(codes)) != len(codes):
            errors["fees"] = ["Each code once."]
    return errors


def _set_fees(payer: Payer, fees) -> None:
    payer.fees.all().delete()
    Fee.objects.bulk_create(
        Fee(payer=payer, service_code_id=f["service_code_id"], per_unit=f["per_unit"]) for f in fees
    )


@transaction.atomic
def create_payer(*, data: dict, by: User) -> Payer:
    data = dict(data)
    if errors := _payer_errors(data):
        raise Invalid(errors)
    fees = data.pop("fees", None) or []
    payer = Payer.objects.create(**data)
    _set_fees(payer, fees)
    record(actor=by, action="payer.create", target=payer)
    return payer


@transaction.atomic
def update_payer(*, payer: Payer, data: dict, by: User) -> Payer:
    data = dict(data)
    if errors := _payer_errors(data, payer=payer):
        raise Invalid(errors)
    fees = data.pop("fees", None)
    Payer.objects.filter(pk=payer.pk).update(**data, version=F("version") + 1)
    if fees is not None:
        _set_fees(payer, fees)
    record(actor=by, action="payer.update", target=payer)
    payer.refresh_from_db()
    return payer


@transaction.atomic
def save_service_code(*, code: str, data: dict, by: User, create: bool) -> ServiceCode:
    if create and ServiceCode.objects.filter(pk=code).exists():
        raise Invalid.field("code", f"{code} is already a service code.")
    if not (len(code) == 5 and code.isalnum() and code.isascii()):
        raise Invalid.field("code", "A CPT or HCPCS code is five letters or digits.")
    service_code, _ = ServiceCode.objects.update_or_create(code=code, defaults=data)
    record(actor=by, action="service_code.save", target=service_code)
    return service_code
