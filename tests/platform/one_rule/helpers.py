"""Helpers shared by the one_rule tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape

from coachapp import timeutil
from tests.helpers import count

FUTURE = "This date is in the future."


API = "/api/v1"


def tomorrow(program) -> str:
    return (timeutil.local_today(program) + timedelta(days=1)).isoformat()


def beside(response, field_id: str) -> list[str]:
    """The messages a page shows beside one field (the ``render_field`` macro)."""
    found = re.search(
        rf'<div id="{re.escape(field_id)}-errors"[^>]*>\s*((?:<div>.*?</div>)*)',
        response.get_data(as_text=True),
        re.S,
    )
    return [unescape(m) for m in re.findall(r"<div>(.*?)</div>", found.group(1))] if found else []


def above(response) -> list[str]:
    """The messages of a page's alert (the outcome page has hidden fields only)."""
    found = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>',
        response.get_data(as_text=True),
        re.S,
    )
    return [unescape(m) for m in re.findall(r"<p[^>]*>(.*?)</p>", found.group(1))] if found else []


def api_fields(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


@dataclass
class Case:
    """One rule: the page's post and the API's call with the same bad input, the field each
    names, and the message both show. ``page_field`` None: the page shows it above the form."""

    page_url: str
    page_data: dict
    page_field: str | None
    api_method: str
    api_url: str
    api_json: dict
    api_field: str
    message: str
    unchanged: list = field(default_factory=list)  # (model, how many rows) after both refusals


def assert_both_refuse(db, login, call, user, case: Case) -> None:
    page = login(user).post(case.page_url, data=case.page_data)
    assert page.status_code == 422
    shown = beside(page, case.page_field) if case.page_field else above(page)
    assert shown == [case.message], page.get_data(as_text=True)[:3000]
    api = call(user, case.api_method, case.api_url, case.api_json)
    assert api_fields(api) == {case.api_field: [case.message]}
    for model, rows in case.unchanged:
        assert count(db, model) == rows, model
