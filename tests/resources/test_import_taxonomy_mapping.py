"""The taxonomy mapping a program edits: lines (a code prefix, a whole term name or a word) that
map HSDS taxonomy terms to directory categories, consulted by HSDS imports before the default
mapping of coachapp/resources/taxonomy.py; a service no term places, read from its own words
(name, description, organization's name) through the same "word" lines, then a default word
list; the page where supervisors, program managers and admins list, add, change and delete
them."""

from __future__ import annotations

import pytest

from coachapp.resources import services
from coachapp.resources.imports import ImportReport, category_from_terms
from coachapp.resources.queries import taxonomy_overrides
from coachapp.resources.taxonomy import (
    Guess,
    Overrides,
    Scope,
    default_lines,
    guess_category,
    words,
)
from tests import factories
from tests.resources.helpers import events, line, mappings

# --- Matching ---


def scope(*lines: tuple[str, str, str]) -> Scope:
    found = Scope()
    for match, term, category in lines:
        found.add(match, term, category)
    return found


def test_edited_lines_come_before_the_default():
    edited = Overrides([scope(("code", "bh", "other"), ("code", "BH-1800", "treatment"))])
    # The longest matching code prefix wins; case is ignored.
    assert category_from_terms([], ["BH-1800.8500"], edited) == "treatment"
    assert category_from_terms([], ["BH-3000"], edited) == "other"
    # No edited line matches: the default mapping answers.
    assert category_from_terms([], ["BD-1800"], edited) == "food"
    assert category_from_terms(["Food Pantries"], [], edited) == "food"


def test_whole_names_and_words():
    edited = Overrides(
        [scope(("name", "Emergency  Food", "benefits"), ("word", "detox", "healthcare"))]
    )
    assert category_from_terms(["emergency food"], [], edited) == "benefits"
    assert category_from_terms(["Emergency Food Boxes"], [], edited) == "food"  # default
    assert category_from_terms(["Medical Detox Units"], [], edited) == "healthcare"
    assert category_from_terms(["Detoxification"], [], edited) == "treatment"  # not a word
    # A whole name beats a word, a code beats both.
    both = Overrides([scope(("word", "food", "other"), ("name", "food", "housing"))])
    assert category_from_terms(["Food"], [], both) == "housing"
    coded = Overrides([scope(("name", "food", "housing"), ("code", "BD", "benefits"))])
    assert category_from_terms(["Food"], ["BD-1800"], coded) == "benefits"


def test_the_programs_lines_come_before_the_shared_ones():
    edited = Overrides([scope(("name", "food", "benefits")), scope(("name", "food", "other"))])
    assert category_from_terms(["Food"], [], edited) == "benefits"
    assert category_from_terms(["Food"], [], Overrides([Scope(), scope()])) == "food"


# --- A service no term places: its own words ---


def guess(name: str, description: str = "", organization: str = "", overrides=None):
    fields = (("name", name), ("description", description), ("organization's name", organization))
    return guess_category(fields, overrides)


def test_words_ignore_case_accents_apostrophes_and_a_plural_s():
    assert words("The City's MEALS, Clínica & pantries; homeless bus classes") == [
        "the", "city", "meal", "clinica", "pantry", "homeless", "bus", "classe",
    ]  # fmt: skip


def test_guess_takes_whole_words_name_first_then_the_earliest_word():
    assert guess("Seafood Festival") is None  # "food" only as a whole word
    assert guess("Hot MEALS daily") == Guess("food", "meal", "name")
    assert guess("Centro de Salud", "Clínica dental") == Guess(
        "healthcare", "dental", "description"
    )
    # The name decides before the description, the description before the organization.
    assert guess("Job Club", "Meals served") == Guess("employment", "job", "name")
    assert guess("Drop-in", "", "Riverbend Housing") == Guess(
        "housing", "housing", "organization's name"
    )
    # Within a field the earliest word; at one place the longest phrase.
    assert guess("Food and Shelter").category == "food"
    assert guess("Shelter and Food").category == "housing"
    assert guess("Mental Health Clinic") == Guess("mental_health", "mental health", "name")
    assert guess("Food stamps help") == Guess("benefits", "food stamps", "name")
    assert guess("Al-Anon Family Group") == Guess("recovery_support", "al-anon", "name")
    assert guess("Bubbles", "Laundry services", "Example Cross Trust") is None


def test_an_edited_word_line_overrides_the_default_words():
    # The program's line, then the shared one, then the default list; an edited line is matched
    # the way the default words are ("CLÍNICAS" is "clinica"), and wins wherever its word is.
    edited = Overrides(
        [scope(("word", "clinica", "mental_health")), scope(("word", "meals", "benefits"))]
    )
    assert guess("CLÍNICAS del Valle", overrides=edited).category == "mental_health"
    assert guess("Food pantry", "Hot meals", overrides=edited) == Guess(
        "benefits", "meals", "description"
    )
    assert guess("Food pantry", overrides=edited) == Guess("food", "food", "name")
    # A term that maps is not a guess: the importer asks for one only when no term maps.
    assert category_from_terms(["Meals"], [], edited) == "benefits"


def test_report_lists_guesses_after_the_values_dropped_and_counts_past_fifty():
    report = ImportReport(source="HSDS import of x")
    report.warn("services.csv row 2", "url is not a web address: dropped")
    for row in range(2, 62):
        report.guess(
            f"services.csv row {row}", "category guessed from the service's name: meal (food)"
        )
    lines = report.lines()
    header = lines.index(
        "Categories of 60 services not placed by a taxonomy term, read from their own words "
        '(a "word" line of the taxonomy mapping changes one):'
    )
    assert lines.index("Values dropped (the rest of each record was imported):") < header
    assert (
        lines[header + 1]
        == "  services.csv row 2: category guessed from the service's name: meal (food)"
    )
    assert lines[header + 51] == "  ... and 10 more"
    assert report.summary().endswith("warnings=1 guessed=60")


def test_overrides_read_from_the_table_by_scope(db):
    home, away = factories.program("Home"), factories.program("Away")
    line(db, "food", "benefits")
    line(db, "food", "housing", program=home)
    line(db, "food", "education", program=away)
    assert category_from_terms(["Food"], [], taxonomy_overrides(None)) == "benefits"
    assert category_from_terms(["Food"], [], taxonomy_overrides(home.id)) == "housing"
    assert category_from_terms(["Food"], [], taxonomy_overrides(away.id)) == "education"


def test_default_lines_cover_the_default_mapping():
    lines = default_lines()
    assert ("code", "BH", "housing") in lines
    assert ("name", "substance abuse", "treatment") in lines
    assert any(match == "word" and category == "recovery_support" for match, _, category in lines)


# --- Services ---


def test_service_normalises_and_audits(db, admin, supervisor):
    shared = services.create_mapping(
        {"match": "code", "term": " bh-1800 ", "category": "treatment"}, actor=admin
    )
    own = services.create_mapping(
        {"match": "name", "term": "Emergency   FOOD", "category": "food"}, actor=supervisor
    )
    db.session.commit()
    assert (shared.program_id, shared.term) == (None, "BH-1800")
    assert (own.program_id, own.term) == (supervisor.program_id, "emergency food")
    assert len(events(db, "create")) == 2
    assert services.update_mapping(own, {"category": "benefits"}, actor=supervisor) == ["category"]
    assert services.update_mapping(own, {"category": "benefits"}, actor=supervisor) == []
    services.delete_mapping(own, actor=supervisor)
    db.session.commit()
    assert [e.fields for e in events(db, "update")] == ["category"]
    assert [e.detail for e in events(db, "archive")] == ["deleted"]
    assert mappings(db) == [(None, "code", "BH-1800", "treatment")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"match": "code", "term": "BH 1800", "category": "housing"}, "term"),
        ({"match": "code", "term": "", "category": "housing"}, "term"),
        ({"match": "word", "term": "--", "category": "housing"}, "term"),
        ({"match": "name", "term": "x" * 201, "category": "housing"}, "term"),
        ({"match": "name", "term": "a\x00b", "category": "housing"}, "term"),
        ({"match": "regex", "term": "food", "category": "housing"}, "match"),
        ({"match": "name", "term": "food", "category": "shelter"}, "category"),
    ],
)
def test_service_refuses_bad_lines(db, admin, data, field):
    with pytest.raises(services.MappingRuleError) as refused:
        services.create_mapping(data, actor=admin)
    assert field in refused.value.errors
    db.session.rollback()
    assert mappings(db) == []


def test_one_line_per_term_in_a_scope_but_a_program_may_override_a_shared_one(
    db, admin, supervisor, program_manager
):
    services.create_mapping({"match": "name", "term": "Food", "category": "food"}, actor=admin)
    with pytest.raises(services.MappingRuleError) as refused:
        services.create_mapping({"match": "name", "term": "FOOD", "category": "other"}, actor=admin)
    assert "term" in refused.value.errors
    services.create_mapping(
        {"match": "name", "term": "food", "category": "benefits"}, actor=supervisor
    )
    with pytest.raises(services.MappingRuleError):
        services.create_mapping(
            {"match": "name", "term": "food", "category": "other"}, actor=program_manager
        )
    # The same term matched another way is another line.
    services.create_mapping({"match": "word", "term": "food", "category": "food"}, actor=admin)
    db.session.commit()
    assert len(mappings(db)) == 3
