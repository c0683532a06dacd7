"""Helpers shared by the api tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

API = "/api/v1"


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def fields_of(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.get_json())
    error = error_of(response)
    assert error["code"] == "validation_error"
    return error["fields"]


GOOD_BODIES = {
    "sessions": {
        "date": "2026-03-01",
        "duration_minutes": 45,
        "modality": "phone",
        "kind": "coaching",
        "outcome": "completed",
    },
    "appointments": {"scheduled_at": "2026-03-03T10:00:00", "kind": "medical"},
    "goals": {"domain": "housing", "description": "A place of my own"},
    "assessments": {"administered_on": "2026-03-03", "items": [4] * 10},
}
