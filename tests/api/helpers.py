"""Helpers shared by the api tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from coachapp.extensions import db as _db

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


SESSION = {"duration_minutes": 30, "modality": "phone", "kind": "coaching", "outcome": "completed"}

# endpoint: (who, method, url, a valid body, the resource's read-only fields for that body)
ENDPOINTS = {
    "api.create_program": (
        "admin",
        "POST",
        "/api/v1/programs",
        {"name": "Lakeside", "timezone": "UTC"},
        {"id"},
    ),
    "api.patch_program": ("admin", "PATCH", "/api/v1/programs/{program}", {}, {"id"}),
    "api.create_user": (
        "admin",
        "POST",
        "/api/v1/users",
        {
            "email": "new@example.org",
            "name": "New Manager",
            "role": "program_manager",
            "program_id": "{program}",
            "password": "a long and unusual passphrase 42",
        },
        {"id"},
    ),
    "api.patch_user": ("admin", "PATCH", "/api/v1/users/{coach}", {}, {"id", "email"}),
    "api.create_client": (
        "coach",
        "POST",
        "/api/v1/clients",
        {"first_name": "Ana", "last_name": "Lima"},
        # status and the discharge: the enrollment endpoints'; version: 1 on create.
        {"id", "code", "status", "discharge_date", "discharge_reason", "version"},
    ),
    "api.patch_client": (
        "coach",
        "PATCH",
        "/api/v1/clients/{client}",
        {},
        # intake and discharge: the enrollment endpoints'; the coach: a reassignment's.
        {"id", "code", "intake_date", "discharge_date", "discharge_reason", "coach_id"}
        | {"program_id"},
    ),
    "api.create_session": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/sessions",
        SESSION,
        {"id", "client_id", "coach_id", "signed_at", "cosigned_at", "addenda", "version"},
    ),
    "api.patch_session": (
        "coach",
        "PATCH",
        "/api/v1/sessions/{session}",
        {},
        {"id", "client_id", "coach_id", "signed_at", "cosigned_at", "addenda"},
    ),
    "api.sign_session": ("coach", "POST", "/api/v1/sessions/{session}/sign", {}, set()),
    "api.cosign_session": (
        "supervisor",
        "POST",
        "/api/v1/sessions/{signed_session}/cosign",
        {},
        set(),
    ),
    "api.add_addendum": (
        "coach",
        "POST",
        "/api/v1/sessions/{signed_session}/addenda",
        {"text": "Also called the landlord.", "reason": "Left out of the note"},
        set(),
    ),
    "api.create_appointment": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/appointments",
        {"scheduled_at": "2026-06-01T10:00:00", "kind": "medical"},
        {"id", "client_id", "version"},
    ),
    "api.patch_appointment": (
        "coach",
        "PATCH",
        "/api/v1/appointments/{appointment}",
        {},
        {"id", "client_id"},
    ),
    "api.create_referral": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/referrals",
        {"resource_id": "{resource}"},
        {"id", "client_id", "category", "history", "version"},
    ),
    "api.patch_referral": (
        "coach",
        "PATCH",
        "/api/v1/referrals/{referral}",
        {},
        {"id", "client_id", "resource_id", "category", "referred_on", "history"},
    ),
    "api.create_goal": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/goals",
        {"domain": "housing", "description": "Keep the lease"},
        {"id", "client_id", "version"},
    ),
    "api.patch_goal": ("coach", "PATCH", "/api/v1/goals/{goal}", {}, {"id", "client_id"}),
    # Recovery plans: ``version`` is the plan's number; signatures and status are the signing's.
    "api.create_plan": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/plans",
        {"strengths": "Patience"},
        {"id", "client_id", "version", "status", "signed_by_client_at", "signed_by_coach_at"},
    ),
    "api.patch_plan": (
        "coach",
        "PATCH",
        "/api/v1/plans/{plan}",
        {},
        {"id", "client_id", "version", "status", "signed_by_client_at", "signed_by_coach_at"},
    ),
    "api.sign_plan": (
        "coach",
        "POST",
        "/api/v1/plans/{plan}/sign",
        {"signer": "client", "typed_name": "Ana Lima", "attested": True},
        set(),
    ),
    "api.create_assessment": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/assessments",
        {"items": [4] * 10},
        {"id", "client_id", "total"},
    ),
    "api.create_consent": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/consents",
        {"recipient": "Harbor Clinic", "purpose": "Care coordination", "categories": ["goals"]},
        {"id", "client_id", "revoked_on", "statements_version"},
    ),
    "api.revoke_consent": (
        "coach",
        "POST",
        "/api/v1/consents/{consent}/revoke",
        {"revoked_on": datetime.now(timezone.utc).date().isoformat()},
        set(),
    ),
    "api.create_followup": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/followups",
        {"kind": "six_month"},
        {"id", "client_id", "in_window", "note"},
    ),
    "api.patch_profile": (
        "coach",
        "PATCH",
        "/api/v1/clients/{client}/profile",
        {},
        {"client_id", "age_band"}
        | {"housing_now", "housing_at_intake", "employment_now", "employment_at_intake"},
    ),
    "api.create_status": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/statuses",
        {"kind": "employment", "status": "part_time"},
        {"id", "client_id"},
    ),
    "api.create_resource": (
        "admin",
        "POST",
        "/api/v1/resources",
        {"name": "Food bank", "category": "food"},
        {"id"},
    ),
    "api.patch_resource": ("admin", "PATCH", "/api/v1/resources/{resource}", {}, {"id"}),
    "api.create_note": (
        "supervisor",
        "POST",
        "/api/v1/supervision-notes",
        {"duration_minutes": 45, "format": "individual", "coach_ids": ["{coach}"]},
        {"id", "supervisor_id", "acknowledged_at"},
    ),
    "api.patch_note": (
        "supervisor",
        "PATCH",
        "/api/v1/supervision-notes/{note}",
        {},
        {"id", "supervisor_id", "acknowledged_at"},
    ),
    # Actions, not resources: their bodies name no field of the client they answer with.
    "api.discharge_client": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/discharge",
        {"discharge_date": "2026-03-01", "discharge_reason": "moved"},
        set(),
    ),
    "api.reenroll_client": (
        "coach",
        "POST",
        "/api/v1/clients/{client}/reenroll",
        {"intake_date": "2026-03-01"},
        set(),
    ),
    "api.reassign_client": (
        "supervisor",
        "POST",
        "/api/v1/clients/{client}/reassign",
        {"coach_id": "{second_coach}", "reason": "Caseload balance"},
        set(),
    ),
    "api.merge_client": (
        "supervisor",
        "POST",
        "/api/v1/clients/{client}/merge",
        {"duplicate_id": "{duplicate}", "keep": {"phone": "duplicate"}},
        set(),
    ),
    "api.undo_merge": ("supervisor", "POST", "/api/v1/merges/{merge}/undo", {}, set()),
}


def fill(value, ids: dict):
    """``"{client}"`` -> the world's client id, in a value, a list or a dict."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def row_counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }
