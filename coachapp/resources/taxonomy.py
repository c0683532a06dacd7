"""The default mapping from HSDS taxonomy terms to the directory's categories.

A service's terms are matched by code first (the longest 211/AIRS code prefix in
``AIRS_PREFIXES``; Open Eligibility's numeric ids are matched through their names), then by name
(``TERM_NAMES``: Open Eligibility's top-level terms and a few synonyms, case-insensitive), then by
words in the name (``NAME_PATTERNS``). ``None`` when no term maps (the importer then uses
"other").

This default is code; what a program edits is the ``TaxonomyMapping`` table (the directory's
"Taxonomy mapping" page), whose lines ``Overrides`` holds: an import consults them first (its
program's, then the shared ones), then this default.

A service that no term places (it has none, or none maps) gets a category guessed from its own
words (``guess_category``): its name, then its description, then its organization's name, read
through the edited "word" lines (the program's, then the shared ones), then ``SERVICE_WORDS``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
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


# A service's own words -> category, for a service that no taxonomy term places. Compared word
# by word (see ``words``): case and accents ignored, a plural's "s" dropped ("Meals" is "meal"),
# a phrase is a run of whole words. Where two match, the earlier in the text wins; at one place
# the longer ("mental health" before "mental", "food stamps" before "food").
SERVICE_WORDS: dict[str, str] = {
    # housing
    "housing": "housing",
    "shelter": "housing",
    "homeless": "housing",
    "homelessness": "housing",
    "rent": "housing",
    "rental": "housing",
    "eviction": "housing",
    "tenant": "housing",
    # employment
    "job": "employment",
    "employment": "employment",
    "unemployed": "employment",
    "career": "employment",
    "vocational": "employment",
    "workforce": "employment",
    "resume": "employment",
    "apprenticeship": "employment",
    "internship": "employment",
    # health care
    "health": "healthcare",
    "healthcare": "healthcare",
    "health care": "healthcare",
    "clinic": "healthcare",
    "medical": "healthcare",
    "dental": "healthcare",
    "dentist": "healthcare",
    "doctor": "healthcare",
    "physician": "healthcare",
    "hospital": "healthcare",
    "nurse": "healthcare",
    "pharmacy": "healthcare",
    "prescription": "healthcare",
    "vaccination": "healthcare",
    "immunization": "healthcare",
    "hiv": "healthcare",
    "primary care": "healthcare",
    "urgent care": "healthcare",
    "physical therapy": "healthcare",
    "physical rehabilitation": "healthcare",
    "speech therapy": "healthcare",
    "occupational therapy": "healthcare",
    # mental health
    "mental": "mental_health",
    "mental health": "mental_health",
    "behavioral health": "mental_health",
    "behavioural health": "mental_health",
    "counseling": "mental_health",
    "counselling": "mental_health",
    "counselor": "mental_health",
    "counsellor": "mental_health",
    "therapy": "mental_health",
    "therapist": "mental_health",
    "psychiatric": "mental_health",
    "psychiatrist": "mental_health",
    "psychologist": "mental_health",
    "depression": "mental_health",
    "suicide": "mental_health",
    # treatment of substance use
    "treatment": "treatment",
    "detox": "treatment",
    "detoxification": "treatment",
    "withdrawal management": "treatment",
    "rehab": "treatment",
    "rehabilitation": "treatment",
    "addiction": "treatment",
    "substance": "treatment",
    "alcoholism": "treatment",
    "drug abuse": "treatment",
    "opioid": "treatment",
    "methadone": "treatment",
    "buprenorphine": "treatment",
    "suboxone": "treatment",
    "naloxone": "treatment",
    # recovery support
    "recovery": "recovery_support",
    "sober": "recovery_support",
    "sobriety": "recovery_support",
    "support group": "recovery_support",
    "peer support": "recovery_support",
    "mutual aid": "recovery_support",
    "12 step": "recovery_support",
    "twelve step": "recovery_support",
    "al-anon": "recovery_support",
    "alateen": "recovery_support",
    "nar-anon": "recovery_support",
    "alcoholics anonymous": "recovery_support",
    "narcotics anonymous": "recovery_support",
    # legal
    "legal": "legal",
    "court": "legal",
    "lawyer": "legal",
    "attorney": "legal",
    "law": "legal",
    "expungement": "legal",
    "immigration": "legal",
    "public defender": "legal",
    "probation": "legal",
    "parole": "legal",
    "reentry": "legal",
    # benefits
    "benefit": "benefits",
    "food stamps": "benefits",
    "snap": "benefits",
    "medicaid": "benefits",
    "medicare": "benefits",
    "ssi": "benefits",
    "ssdi": "benefits",
    "social security": "benefits",
    "welfare": "benefits",
    "tanf": "benefits",
    "cash assistance": "benefits",
    "financial assistance": "benefits",
    "public assistance": "benefits",
    "health insurance": "benefits",
    "insurance": "benefits",
    "unemployment": "benefits",
    "utility": "benefits",
    "utilities": "benefits",
    "loan": "benefits",
    "tax preparation": "benefits",
    # food
    "food": "food",
    "food bank": "food",
    "pantry": "food",
    "meal": "food",
    "grocery": "food",
    "groceries": "food",
    "soup kitchen": "food",
    "nutrition": "food",
    "hunger": "food",
    "breakfast": "food",
    "lunch": "food",
    "dinner": "food",
    "wic": "food",
    # transportation
    "transport": "transportation",
    "transportation": "transportation",
    "transit": "transportation",
    "paratransit": "transportation",
    "bus": "transportation",
    "buses": "transportation",
    "ride": "transportation",
    "shuttle": "transportation",
    "taxi": "transportation",
    # education
    "education": "education",
    "educational": "education",
    "school": "education",
    "high school": "education",
    "teacher": "education",
    "tutor": "education",
    "tutoring": "education",
    "literacy": "education",
    "ged": "education",
    "class": "education",
    "classes": "education",
    "college": "education",
    "university": "education",
    "library": "education",
    "esl": "education",
    "scholarship": "education",
    "student": "education",
}


def _singular(word: str) -> str:
    """A plural's "s" dropped, simply: "meals" -> "meal", "pantries" -> "pantry"; "homeless",
    "class" and words of three letters ("bus") are left as they are."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of ``text`` as compared: lower case, accents off ("Clínica" is "clinica"),
    apostrophes dropped ("City's" is "city"), each made singular (``_singular``)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’]", "", text)
    return [_singular(word) for word in _WORD.findall(text)]


class WordList:
    """Words and phrases -> category, found in a text's words (``words``)."""

    def __init__(self, lines: Iterable[tuple[str, str]] = ()) -> None:
        # first word -> [(words, term as written, category)], longest phrase first
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for term, category in lines:
            self.add(term, category)

    def add(self, term: str, category: str) -> None:
        key = tuple(words(term))
        if not key:
            return
        found = self._by_first.setdefault(key[0], [])
        if any(known == key for known, _, _ in found):
            return  # the first line for a word stands, as in the other matches
        found.append((key, term, category))
        found.sort(key=lambda line: -len(line[0]))

    def find(self, found: Sequence[str]) -> tuple[str, str] | None:
        """(term, category) of the earliest word or phrase of a text's ``words`` in the list;
        at one place, the longest phrase."""
        for start, word in enumerate(found):
            for key, term, category in self._by_first.get(word, ()):
                if tuple(found[start : start + len(key)]) == key:
                    return term, category
        return None


DEFAULT_WORDS = WordList(SERVICE_WORDS.items())


@dataclass(frozen=True)
class Guess:
    """A category read from a service's own words: which ``field`` and which word said it."""

    category: str
    word: str
    field: str  # "name", "description", "organization's name"


def guess_category(
    fields: Sequence[tuple[str, str | None]], overrides: Overrides | None = None
) -> Guess | None:
    """The category a service's own words suggest, for a service no taxonomy term places.

    ``fields`` are (label, text) in the order read: the service's name, its description, its
    organization's name. The edited "word" lines are consulted first (the program's, then the
    shared ones: a line a program added to fix a guess wins over the default list wherever its
    word is), then ``SERVICE_WORDS``; within one list the first field with a match decides, and
    in it the earliest word. ``None`` when no word matches."""
    lists = [scope.service_words for scope in overrides.scopes] if overrides else []
    texts = [(label, words(text or "")) for label, text in fields]
    for word_list in (*lists, DEFAULT_WORDS):
        for label, text_words in texts:
            found = word_list.find(text_words)
            if found:
                return Guess(category=found[1], word=found[0], field=label)
    return None


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
    service_words: WordList = field(default_factory=WordList)  # the same words, for guesses

    def add(self, match: str, term: str, category: str) -> None:
        term = normalise_term(match, term)
        if match == "code":
            self.codes[term] = category
        elif match == "name":
            self.names[term] = category
        else:
            self.words.append((re.compile(rf"(?<!\w){re.escape(term)}(?!\w)"), category))
            self.service_words.add(term, category)

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
