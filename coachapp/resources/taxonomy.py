"""The default mapping from HSDS taxonomy terms to the directory's categories.

A service's terms are matched by code first (the longest 211/AIRS code prefix in
``AIRS_PREFIXES``; Open Eligibility's numeric ids are matched through their names), then by name
(``TERM_NAMES``: Open Eligibility's top-level terms and a few synonyms, case-insensitive), then by
words in the name (``NAME_PATTERNS``). ``None`` when no term maps (the importer then uses
"other").

This default is code; what a program edits is the ``TaxonomyMapping`` table (the directory's
"Taxonomy mapping" page), whose lines ``Overrides`` holds: an import consults them first (its
program's, then the shared ones), then this default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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


MATCHES = {
    "code": "Code prefix (211/AIRS)",
    "name": "Whole term name",
    "word": "Word in the term's name",
}
CODE_TERM = re.compile(r"^[A-Z0-9][A-Z0-9.\-]*$")


def normalise_term(match: str, term: str) -> str:
    """A term as stored and compared: codes in upper case, names and words in lower case, runs
    of spaces made one."""
    text = re.sub(r"\s+", " ", term.strip())
    return text.upper() if match == "code" else text.lower()


@dataclass
class Scope:
    """The edited lines of one scope (a program's, or the shared ones)."""

    codes: dict[str, str] = field(default_factory=dict)  # code prefix -> category
    names: dict[str, str] = field(default_factory=dict)  # whole name -> category
    words: list[tuple[re.Pattern, str]] = field(default_factory=list)

    def add(self, match: str, term: str, category: str) -> None:
        term = normalise_term(match, term)
        if match == "code":
            self.codes[term] = category
        elif match == "name":
            self.names[term] = category
        else:
            self.words.append((re.compile(rf"(?<!\w){re.escape(term)}(?!\w)"), category))

    def category(self, codes: list[str], names: list[str]) -> str | None:
        """By code (longest prefix), then whole name, then word, in the terms' order."""
        for code in codes:
            code = normalise_term("code", code)
            prefixes = [p for p in self.codes if code.startswith(p)]
            if prefixes:
                return self.codes[max(prefixes, key=len)]
        keys = [normalise_term("name", n) for n in names]
        for key in keys:
            if key in self.names:
                return self.names[key]
        for key in keys:
            for pattern, category in self.words:
                if pattern.search(key):
                    return category
        return None


@dataclass
class Overrides:
    """The edited mapping an import consults before the default: its program's lines first,
    then the shared ones."""

    scopes: list[Scope] = field(default_factory=list)

    def category(self, codes: Iterable[str], names: Iterable[str]) -> str | None:
        codes, names = [c for c in codes if c], [n for n in names if n]
        for scope in self.scopes:
            found = scope.category(codes, names)
            if found:
                return found
        return None


def default_lines() -> list[tuple[str, str, str]]:
    """The default mapping as (match, term, category) lines, for the mapping page. The word
    patterns are shown as their regular expressions' text."""
    lines = [("code", code, category) for code, category in AIRS_PREFIXES.items()]
    lines += [("name", name, category) for name, category in TERM_NAMES.items()]
    lines += [("word", pattern.pattern, category) for category, pattern in NAME_PATTERNS]
    return lines


def category_for(
    codes: Iterable[str], names: Iterable[str], overrides: Overrides | None = None
) -> str | None:
    """The category of a service's terms: the edited mapping's when a line matches, else the
    default's: by code first, then by name, in the terms' order. In the default, a term that
    maps to "other" (Goods, Care, ...) counts only when nothing maps better."""
    codes, names = list(codes), list(names)
    if overrides is not None:
        found = overrides.category(codes, names)
        if found:
            return found
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
