"""Single-line text: names, phone numbers and email addresses.

A line break in a patient's name becomes a line break in an email subject
or a calendar line (header injection, a forged field); other control
characters hide text on screen. Free text (notes, precautions) keeps its
newlines and does not use this."""

import re

from django.core.exceptions import ValidationError

# C0 controls (\r, \n, \t, \x00 ...), DEL, C1 controls (incl. NEL \x85) and
# the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line(value) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            "Line breaks and control characters are not allowed here.",
            code="control_characters",
        )
