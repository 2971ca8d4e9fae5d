"""ICD-10-CM: only billable codes (leaves such as M62.830, not the header M62.83)
may stand on a referral. The codes live in the database (IcdCode, loaded from
the simple-icd-10-cm code set by a migration) and are found through its
full-text index; nothing here loads the code set into the process."""

import re

from django.db import connection

from .models import IcdCode


def normalise(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def descriptions(codes) -> dict[str, str]:
    """The description of each billable code among `codes` (normalised), in one query."""
    wanted = {normalise(code) for code in codes if isinstance(code, str)} - {""}
    if not wanted:
        return {}
    return dict(IcdCode.objects.filter(code__in=wanted).values_list("code", "description"))


def is_billable(code: str) -> bool:
    return bool(descriptions([code]))


def describe(code: str) -> str:
    return descriptions([code]).get(normalise(code), "")


_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z]?\.?[0-9A-Za-z]*$")
_WORD = re.compile(r"[a-z0-9]+")
# Codes hold only A-Z, 0-9 and ".", all below "~": [prefix, prefix + "~") is
# "starts with prefix", and an index range on both databases.
_AFTER_EVERY_CODE_CHAR = "~"

_BY_WORDS = {
    "sqlite": (
        "SELECT c.code, c.description FROM referrals_icdcode_fts f"
        " JOIN referrals_icdcode c ON c.id = f.rowid"
        " WHERE referrals_icdcode_fts MATCH %s"
        " ORDER BY length(c.description), c.code LIMIT %s"
    ),
    "postgresql": (
        "SELECT code, description FROM referrals_icdcode WHERE search @@ %s::tsquery"
        " ORDER BY length(description), code LIMIT %s"
    ),
}


def _match_expression(words: list[str]) -> str:
    """Every word as the start of a word of the row; the words are [a-z0-9]+, so
    nothing in them needs escaping in either query language."""
    if connection.vendor == "postgresql":
        return " & ".join(f"'{word}':*" for word in words)
    return " AND ".join(f'"{word}"*' for word in words)


def search(term: str, limit: int = 50) -> list[dict]:
    """Billable codes starting with a code-like `term` (`m54.5`, `M6283`), or whose
    code, description or inclusion terms have a word starting with each word of
    `term`, shortest description (most general) first."""
    term = (term or "").strip()
    if not term:
        return []
    if _CODE_LIKE.match(term):
        prefix = normalise(term).rstrip(".")
        hits = (
            IcdCode.objects.filter(code__gte=prefix, code__lt=prefix + _AFTER_EVERY_CODE_CHAR)
            .order_by("code")
            .values_list("code", "description")[:limit]
        )
    else:
        words = _WORD.findall(term.lower())
        if not words:
            return []
        with connection.cursor() as cursor:
            cursor.execute(_BY_WORDS[connection.vendor], [_match_expression(words), limit])
            hits = cursor.fetchall()
    return [{"code": c, "description": d} for c, d in hits]
