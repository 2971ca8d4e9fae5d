"""ICD-10-CM through the `simple-icd-10-cm` code set: only billable codes
(leaves such as M62.830, not the header M62.83) may stand on a referral."""

import re
from functools import cache

import simple_icd_10_cm as cm


def normalise(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def is_billable(code: str) -> bool:
    code = normalise(code)
    return bool(code) and cm.is_valid_item(code) and cm.is_leaf(code)


def describe(code: str) -> str:
    return cm.get_description(normalise(code))


_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z]?\.?[0-9A-Za-z]*$")


@cache
def _billable_index() -> list[tuple[str, str, str]]:
    rows = []
    for code in cm.get_all_codes(with_dots=True):
        if cm.is_leaf(code) and not cm.is_chapter_or_block(code):
            description = cm.get_description(code)
            rows.append((code, description, f"{code} {description}".lower()))
    return rows


def search(term: str, limit: int = 50) -> list[dict]:
    """Billable codes starting with a code-like `term` (`m54.5`, `M6283`), or whose
    description holds every word of `term`, shortest (most general) first."""
    term = (term or "").strip()
    if not term:
        return []
    if _CODE_LIKE.match(term):
        prefix = normalise(term).rstrip(".")
        hits = [(c, d) for c, d, _ in _billable_index() if c.startswith(prefix)]
    else:
        words = term.lower().split()
        hits = [(c, d) for c, d, text in _billable_index() if all(w in text for w in words)]
        hits.sort(key=lambda hit: (len(hit[1]), hit[0]))
    return [{"code": c, "description": d} for c, d in hits[:limit]]
