"""Phone numbers in one form, E.164 (+15550100100), from the moment they are
entered: providers want it, and a patient's reply is matched by it."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

from .validators import single_line


class BadPhoneNumber(ValueError):
    pass


def to_e164(raw: str) -> str:
    """'(212) 555-0134' -> '+12125550134' (a number without a country code is read
    in PHONE_REGION). Possible numbers are accepted: validity tables lag behind
    new ranges, and a wrong-but-possible number shows up as a failed delivery."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise BadPhoneNumber(f"{text!r} is not a phone number.") from None
    # a number missing its area code is "possible locally" only: not enough to text
    if (
        phonenumbers.is_possible_number_with_reason(number)
        != phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        raise BadPhoneNumber(f"{text!r} is not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def e164_or_blank(raw: str, error: type[Exception]) -> str:
    """For a form or serializer field: blank stays blank, else E.164 or `error`."""
    if not (raw or "").strip():
        return ""
    try:
        single_line(raw)  # its own message first: a line break is not a typo
    except ValidationError as bad:
        raise error(bad.messages[0]) from None
    try:
        return to_e164(raw)
    except BadPhoneNumber as bad:
        raise error(f"{bad} Write it with its area code, e.g. +1 212 555 0134.") from None
