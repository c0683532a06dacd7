"""The default mapping from HSDS taxonomy terms to the directory's categories.

A service's terms are matched by code first (the longest 211/AIRS code prefix in
``AIRS_PREFIXES``; Open Eligibility's numeric ids are matched through their names), then by name
(``TERM_NAMES``: Open Eligibility's top-level terms and a few synonyms, case-insensitive), then by
words in the name (``NAME_PATTERNS``). ``None`` when no term maps (the importer then uses
"other"). The table is code, not a setting: a program cannot edit it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# 211/AIRS Taxonomy: top-level sections (one letter) and second-level codes (two letters).
AIRS_PREFIXES: dict[str, str] = {
    "B": "other",  # Basic Needs (its parts below)
    "BD": "food",  # Food
    "BH": "housing",  # Housing/Shelter
    "BM": "other",  # Material Goods
    "BT": "transportation",  # Transportation
    "BV": "benefits",  # Utilities (bill payment assistance)
    "D": "benefits",  # Consumer Services
    "F": "legal",  # Criminal Justice and Legal Services
    "H": "education",  # Education
    "L": "healthcare",  # Health Care
    "N": "benefits",  # Income Support and Employment
    "ND": "employment",  # Employment
    "R": "mental_health",  # Mental Health and Substance Use Disorder Services
    "RX": "treatment",  # Substance Use Disorder Services
}
AIRS_CODE = re.compile(r"^([A-Z]{1,2})(?:[A-Z]?-?[\d.\-]*)?$")

# Open Eligibility top-level terms and common synonyms (lower-case) -> category.
TERM_NAMES: dict[str, str] = {
    "housing": "housing",
    "shelter": "housing",
    "food": "food",
    "work": "employment",
    "employment": "employment",
    "jobs": "employment",
    "health": "healthcare",
    "health care": "healthcare",
    "healthcare": "healthcare",
    "medical care": "healthcare",
    "mental health": "mental_health",
    "mental health care": "mental_health",
    "substance abuse": "treatment",
    "substance use": "treatment",
    "addiction & recovery": "treatment",
    "education": "education",
    "legal": "legal",
    "money": "benefits",
    "financial assistance": "benefits",
    "public assistance": "benefits",
    "transit": "transportation",
    "transportation": "transportation",
    "care": "other",
    "goods": "other",
    "emergency": "other",
}

# Words in a term's name -> category; first match wins, so the specific come before the general.
NAME_PATTERNS: list[tuple[str, re.Pattern]] = [
    (category, re.compile(pattern, re.IGNORECASE))
    for category, pattern in [
        ("mental_health", r"\bmental health|\bcounsel+ing\b|\bpsychiatr|\bbehavioral health"),
        (
            "treatment",
            r"\bsubstance (use|abuse)|\baddiction|\bdetox|\brehab|\bopioid treatment"
            r"|\bmedications? for (opioid|alcohol)|\bresidential treatment|\btreatment\b"
            r"|\balcoholism\b|\bdrug abuse\b",
        ),
        (
            "recovery_support",
            r"\brecovery\b|\bmutual[- ]aid|\bsupport groups?\b|\b12[- ]step|\bpeer support",
        ),
        ("housing", r"\bhousing|\bshelters?\b|\brent(al)?\b|\bhomeless"),
        ("employment", r"\bemployment|\bjobs?\b|\bcareers?\b|\bvocational|\bworkforce"),
        ("food", r"\bfood|\bmeals?\b|\bnutrition|\bpantr(y|ies)|\bwic\b"),
        ("legal", r"\blegal\b|\bcourts?\b|\battorneys?\b|\blaw\b|\bexpungement|\bmediation"),
        (
            "benefits",
            r"\bbenefits?\b|\bincome support|\bpublic assistance|\bsnap\b|\bmedicaid|\bmedicare"
            r"|\bfinancial assistance|\butilit(y|ies)\b|\bloans?\b",
        ),
        ("transportation", r"\btransport|\btransit\b|\bbus\b|\brides?\b"),
        ("education", r"\beducation|\bschools?\b|\bliteracy|\bged\b|\bclasses\b|\blibrar"),
        (
            "healthcare",
            r"\bhealth ?care|\bmedical|\bclinics?\b|\bprimary care|\bdental|\bhealth\b",
        ),
    ]
]


def category_from_code(code: str) -> str | None:
    match = AIRS_CODE.match(code.strip())
    if not match:
        return None
    letters = match.group(1)
    return AIRS_PREFIXES.get(letters) or AIRS_PREFIXES.get(letters[0])


def category_from_name(name: str) -> str | None:
    key = re.sub(r"\s+", " ", name.strip().lower())
    if key in TERM_NAMES:
        return TERM_NAMES[key]
    for category, pattern in NAME_PATTERNS:
        if pattern.search(key):
            return category
    return None


def category_for(codes: Iterable[str], names: Iterable[str]) -> str | None:
    """The category of a service's terms: by code first, then by name, in the terms' order.
    A term that maps to "other" (Goods, Care, ...) counts only when nothing maps better."""
    fallback = None
    for found in (
        *(category_from_code(c) for c in codes if c),
        *(category_from_name(n) for n in names if n),
    ):
        if found == "other":
            fallback = fallback or found
        elif found:
            return found
    return fallback
