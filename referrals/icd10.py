"""ICD-10-CM through the `simple-icd-10-cm` code set: only billable codes
(leaves such as M62.830, not the header M62.83) may stand on a referral."""

import re
from bisect import bisect_left
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
    """(code, description, searchable text) of every billable code, sorted by code."""
    rows = []
    for code in cm.get_all_codes(with_dots=True):
        if cm.is_leaf(code) and not cm.is_chapter_or_block(code):
            description = cm.get_description(code)
            # inclusion terms ("Lumbago NOS" under M54.50) are searched, not shown
            also = " ".join(cm.get_inclusion_term(code))
            rows.append((code, description, f"{code} {description} {also}".lower()))
    return sorted(rows)


@cache
def _word_index() -> tuple[list[str], dict[str, list[int]]]:
    """Every word of the descriptions, sorted, with the rows it appears in: a
    search looks at the rows of its rarest word instead of all 74,000."""
    postings: dict[str, list[int]] = {}
    for i, (_, _, text) in enumerate(_billable_index()):
        for word in set(_WORD.findall(text)):
            postings.setdefault(word, []).append(i)
    return sorted(postings), postings


_WORD = re.compile(r"[a-z0-9]+")


def _rows_with_word_starting(prefix: str) -> set[int]:
    words, postings = _word_index()
    rows: set[int] = set()
    for word in words[bisect_left(words, prefix) :]:
        if not word.startswith(prefix):
            break
        rows.update(postings[word])
    return rows


def search(term: str, limit: int = 50) -> list[dict]:
    """Billable codes starting with a code-like `term` (`m54.5`, `M6283`), or whose
    description has a word starting with each word of `term`, shortest (most
    general) first."""
    term = (term or "").strip()
    if not term:
        return []
    index = _billable_index()
    if _CODE_LIKE.match(term):
        prefix = normalise(term).rstrip(".")
        start = bisect_left(index, (prefix,))
        hits = []
        for code, description, _ in index[start:]:
            if not code.startswith(prefix) or len(hits) >= limit:
                break
            hits.append((code, description))
    else:
        words = _WORD.findall(term.lower())
        if not words:
            return []
        candidates = min((_rows_with_word_starting(w) for w in words), key=len)
        hits = [index[i][:2] for i in candidates if all(w in index[i][2] for w in words)]
        hits.sort(key=lambda hit: (len(hit[1]), hit[0]))
    return [{"code": c, "description": d} for c, d in hits[:limit]]
