"""The authorization matrix: every route of ``app.url_map``, asked by every kind of viewer, answers
the status written down here (security.md, "Access"; product.md, "Assignments and access").

One world is built for the whole module: a program with two teams, a client of ``coach`` with one
record of every kind, and a viewer for each way into that client and for each way of being
outside it. Every route is requested by every viewer with its URL parameters filled from that
world: GET for pages; POST with an empty form for HTML actions (CSRF is off in ``TestConfig``);
a valid JSON body for API creations and an empty one for API PATCHes, so that an API refusal is
the access rule's and not the body's.

The table ``EXPECTED`` (in tests/platform/matrix_expected.py) has one row per endpoint. A new
route without a row fails ``test_every_route_has_a_row`` (and a row for a route that is gone
fails it too), so a route cannot ship without someone deciding, there, who may reach it.

Status words in the rows: a number is that status; ``login`` is a redirect to the sign-in page
(a browser that is not signed in); ``302`` is a redirect anywhere else.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from coachapp.spreadsheets import XLSX_MIME
from tests.matrix_world import (
    BILLED_NOTE,
    CLINICAL_TEXT,
    FIXED_PARAMS,
    MISSING_ID,
    SESSION_NOTE,
    ask,
    method_of,
    status_word,
)
from tests.platform.matrix_expected import EXPECTED, VIEWERS

# --- The tests ----------------------------------------------------------------------------------


def rules_by_endpoint(app) -> dict[str, list]:
    found: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.endpoint, []).append(rule)
    return found


def test_every_route_has_a_row(_app):
    """A route added without a row here fails, and so does a row for a route that is gone."""
    endpoints = set(rules_by_endpoint(_app))
    missing = sorted(endpoints - set(EXPECTED))
    stale = sorted(set(EXPECTED) - endpoints)
    assert not missing, (
        "routes with no row in EXPECTED of tests/platform/matrix_expected.py "
        "(decide who may "
        "reach them and add one): " + ", ".join(missing)
    )
    assert not stale, "rows in EXPECTED for routes that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize(
    ("endpoint", "viewer"),
    [pytest.param(e, v, id=f"{e}-{v}") for e in sorted(EXPECTED) for v in VIEWERS],
)
def test_route_answers_as_the_table_says(matrix, endpoint, viewer):
    app, world = matrix
    rules = rules_by_endpoint(app).get(endpoint)
    assert rules, f"{endpoint} has a row but no route"
    expected = EXPECTED[endpoint][viewer]
    for rule in rules:
        response = ask(app, world, rule, viewer)
        got = status_word(response)
        assert got == expected, (
            f"{method_of(rule)} {rule.rule} ({endpoint}) as {viewer}: "
            f"expected {expected}, got {got}"
        )


def test_a_missing_record_answers_like_one_outside_the_rule(matrix):
    """For a viewer the row lets in, every route with ids in its URL answers 404 when the ids
    match no row: a record outside the rule and a missing one look the same (security.md)."""
    app, world = matrix
    inside = ("200", "201", "302", "422")
    checked, wrong = 0, []
    for endpoint, rules in sorted(rules_by_endpoint(app).items()):
        viewer = next((v for v in VIEWERS if EXPECTED[endpoint][v] in inside), None)
        for rule in rules:
            params = [arg for arg in rule.arguments if arg not in FIXED_PARAMS]
            if viewer is None or not params:
                continue
            ids = dict(world.ids) | {param: MISSING_ID for param in params}
            response = ask(app, world, rule, viewer, ids=ids)
            checked += 1
            if response.status_code != 404:
                wrong.append(f"{method_of(rule)} {rule.rule} as {viewer}: {response.status_code}")
    assert checked >= 60, checked
    assert wrong == [], "missing records not answered 404: " + "; ".join(wrong)


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_a_deactivated_account_reaches_only_what_anonymous_does(matrix, endpoint):
    """A deactivated coach's cookie and token open nothing: every route answers them as it
    answers a browser or API client that is not signed in."""
    app, world = matrix
    for rule in rules_by_endpoint(app)[endpoint]:
        got = status_word(ask(app, world, rule, "deactivated_coach"))
        assert got == EXPECTED[endpoint]["anonymous"], (
            f"{method_of(rule)} {rule.rule} as a deactivated coach: {got}"
        )


def text_of(response) -> str:
    """A response's text; an XLSX download's cells, read back."""
    if response.mimetype == XLSX_MIME:
        book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.get_data().decode("utf-8", errors="replace")


def test_the_billing_specialist_sees_no_clinical_text_anywhere(matrix):
    """Every route asked by the billing specialist (pages, downloads, the API): no note, plan
    text or supervision note of the world appears in any answer, though the worksheet they may
    read names the client whose records hold that text. The coach, asked the same routes, does
    meet the text: the strings are really in the world."""
    app, world = matrix
    seen_by_billing: list[str] = []
    seen_by_coach: set[str] = set()
    worksheet_names_the_client = False
    for endpoint, rules in sorted(rules_by_endpoint(app).items()):
        for rule in rules:
            if method_of(rule) != "GET":
                continue
            body = text_of(ask(app, world, rule, "billing"))
            seen_by_billing += [f"{rule.rule}: {t}" for t in CLINICAL_TEXT if t in body]
            if endpoint == "api.worksheet":
                worksheet_names_the_client = "MATRIXMEMBER1" in body
            coach_body = text_of(ask(app, world, rule, "coach"))
            seen_by_coach |= {t for t in CLINICAL_TEXT if t in coach_body}
    # The billed session's own page, as its coach (other tests of the module add sessions, so
    # the client page may list it no more).
    billed = dict(world.ids, session_id=world.ids["billed_session_id"])
    for rule in rules_by_endpoint(app)["sessions.edit"]:
        if method_of(rule) == "GET":
            coach_body = text_of(ask(app, world, rule, "coach", ids=billed))
            seen_by_coach |= {t for t in CLINICAL_TEXT if t in coach_body}
    assert seen_by_billing == []
    assert worksheet_names_the_client
    assert {SESSION_NOTE, BILLED_NOTE} <= seen_by_coach
