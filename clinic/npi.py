"""The National Provider Identifier's check digit (CMS, "Requirements for NPI
check digit"): the Luhn formula over the prefix 80840 and the NPI's first nine
digits gives the tenth."""


def luhn_check_digit(payload: str) -> int:
    total = 0
    # the rightmost payload digit is doubled, because the check digit follows it
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return (10 - total % 10) % 10


def is_valid_npi(value: str) -> bool:
    if not (isinstance(value, str) and len(value) == 10 and value.isascii() and value.isdigit()):
        return False
    return luhn_check_digit("80840" + value[:9]) == int(value[9])


NPI_MESSAGE = "An NPI is 10 digits whose last one is its check digit."


def validate_npi(value: str) -> None:
    """A model field's validator: blank is allowed, anything else must check."""
    from django.core.exceptions import ValidationError

    if value and not is_valid_npi(value):
        raise ValidationError(NPI_MESSAGE, code="invalid_npi")
