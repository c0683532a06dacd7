"""Fixtures shared by the from_spec tests."""

from __future__ import annotations

import pytest

from tests.api.from_spec.helpers import PASSWORD, Api, barc_items, cli, token_for


@pytest.fixture
def world(app, anon):
    """The program set up, the history loaded; returns what the assertions need."""
    # --- Bootstrap: the first admin and their token from the command line ------------------
    cli(
        app,
        "users",
        "create",
        "--email",
        "admin@riverbend.example.org",
        "--role",
        "admin",
        "--name",
        "Ari Admin",
        "--password",
        PASSWORD,
    )
    admin = Api(anon, token_for(app, "admin@riverbend.example.org"))
    assert admin.get("/me")["role"] == "admin"

    # --- The admin sets up the program, its staff and the resource directory ---------------
    program = admin.create(
        "/programs", {"name": "Riverbend Peer Recovery", "timezone": "America/New_York"}
    )
    assert program["timezone"] == "America/New_York"
    assert program["id"] in {p["id"] for p in admin.get("/programs")["items"]}

    def staff(email: str, name: str, role: str, supervisor_id: int | None = None) -> dict:
        body = {
            "email": email,
            "name": name,
            "role": role,
            "program_id": program["id"],
            "password": PASSWORD,
        }
        if supervisor_id is not None:
            body["supervisor_id"] = supervisor_id
        user = admin.create("/users", body)
        assert user["role"] == role and user["program_id"] == program["id"]
        assert user["active"] is True and "password" not in user
        return user

    sup = staff("sky@riverbend.example.org", "Sky Supervisor", "supervisor")
    coach_a = staff("alex@riverbend.example.org", "Alex Coach", "coach", sup["id"])
    coach_b = staff("bo@riverbend.example.org", "Bo Coach", "coach", sup["id"])
    manager = staff("pm@riverbend.example.org", "Pat Manager", "program_manager")
    assert coach_a["supervisor_id"] == sup["id"]
    assert admin.get(f"/users/{coach_b['id']}")["email"] == "bo@riverbend.example.org"

    resources = {
        category: admin.create(
            "/resources",
            {
                "name": f"{category.replace('_', ' ').title()} Desk",
                "category": category,
                "organization": "Synthetic Services Co-op",
                "active": True,
            },
        )
        for category in ("housing", "employment", "recovery_support", "healthcare", "food")
    }

    # Tokens for the staff, the way a user makes their own (the command line).
    api_a = Api(anon, token_for(app, coach_a["email"]))
    api_b = Api(anon, token_for(app, coach_b["email"]))
    api_sup = Api(anon, token_for(app, sup["email"]))
    api_pm = Api(anon, token_for(app, manager["email"]))
    me = api_a.get("/me")
    assert me["id"] == coach_a["id"] and me["role"] == "coach"

    # --- Coach A back-enters a caseload's history -------------------------------------------
    def new_client(api: Api, first: str, last: str, intake: str, dob: str) -> dict:
        row = api.create(
            "/clients",
            {
                "first_name": first,
                "last_name": last,
                "date_of_birth": dob,
                "intake_date": intake,
                "consent_on_file": True,
                "consent_date": intake,
            },
        )
        assert row["intake_date"] == intake and row["status"] == "active"
        return row

    def session(api: Api, client: dict, on: str, minutes: int, outcome: str, **extra) -> dict:
        body = {
            "date": on,
            "duration_minutes": minutes,
            "modality": "in_person",
            "kind": "coaching",
            "outcome": outcome,
            "note": "Synthetic note.",
            **extra,
        }
        row = api.create(f"/clients/{client['id']}/sessions", body)
        assert row["date"] == on and row["outcome"] == outcome
        return row

    def appointment(
        api: Api,
        client: dict,
        at: str,
        kind: str,
        planned: bool,
        outcome: str | None = None,
        went: bool = False,
    ) -> dict:
        row = api.create(
            f"/clients/{client['id']}/appointments",
            {
                "scheduled_at": at,
                "kind": kind,
                "location": "Main St clinic",
                "accompaniment_planned": planned,
            },
        )
        assert row["outcome"] == "scheduled"
        if outcome is not None:  # the outcome is recorded after the fact
            row = api.patch(
                f"/appointments/{row['id']}",
                {"outcome": outcome, "coach_accompanied": went, "version": row["version"]},
            )
            assert row["outcome"] == outcome
            if outcome == "attended":  # api.md leaves the flag of an unattended one open
                assert row["coach_accompanied"] is went
        return row

    def referral(api: Api, client: dict, category: str, on: str, **extra) -> dict:
        row = api.create(
            f"/clients/{client['id']}/referrals",
            {"resource_id": resources[category]["id"], "referred_on": on, **extra},
        )
        assert row["category"] == category and row["referred_on"] == on
        return row

    def move_referral(api: Api, row: dict, **change) -> dict:
        return api.patch(f"/referrals/{row['id']}", {**change, "version": row["version"]})

    def goal(api: Api, client: dict, domain: str, opened: str) -> dict:
        row = api.create(
            f"/clients/{client['id']}/goals",
            {"domain": domain, "description": f"Work on {domain}", "opened_on": opened},
        )
        assert row["status"] == "active" and row["opened_on"] == opened
        return row

    def close_goal(api: Api, row: dict, status: str, on: str) -> dict:
        row = api.patch(
            f"/goals/{row['id']}", {"status": status, "closed_on": on, "version": row["version"]}
        )
        assert row["status"] == status and row["closed_on"] == on
        return row

    def barc(api: Api, client: dict, on: str, total: int) -> dict:
        row = api.create(
            f"/clients/{client['id']}/assessments",
            {"administered_on": on, "items": barc_items(total)},
        )
        assert row["total"] == total  # computed by the server from the ten items
        return row

    # C1 Avery: enrolled since 2024-11-04, busy all period.
    c1 = new_client(api_a, "Avery", "Lindqvist", "2024-11-04", "1988-02-14")
    g_housing = goal(api_a, c1, "housing", "2024-11-10")
    session(api_a, c1, "2024-11-06", 30, "completed")
    barc(api_a, c1, "2024-11-06", 28)
    session(api_a, c1, "2025-03-03", 45, "completed", goal_ids=[g_housing["id"]])
    barc(api_a, c1, "2025-03-03", 35)
    g_job = goal(api_a, c1, "employment", "2025-03-05")
    session(api_a, c1, "2025-04-10", 5, "attempted", modality="phone")
    close_goal(api_a, g_housing, "achieved", "2025-04-15")
    close_goal(api_a, g_job, "discontinued", "2025-05-02")
    session(api_a, c1, "2025-05-20", 60, "completed")
    barc(api_a, c1, "2025-05-20", 41)
    barc(api_a, c1, "2025-06-15", 50)  # after the period's end
    appointment(api_a, c1, "2025-03-10T10:00:00", "medical", True, "attended", went=True)
    appointment(api_a, c1, "2025-04-14T09:00:00", "housing", False, "no_show")
    # 22:00 in New York on 05-31 is 02:00 UTC on 06-01: still the program's 05-31, still pending.
    appointment(api_a, c1, "2025-05-31T22:00:00", "treatment", True)
    appointment(api_a, c1, "2025-06-02T10:00:00", "medical", False)  # after the end
    # A referral made before the period and connected inside it: neither made nor linked.
    early = referral(api_a, c1, "housing", "2025-02-25")
    move_referral(api_a, early, status="connected", connected_on="2025-03-05")
    # Entered as already connected, 14 days after the referral.
    r_house = referral(
        api_a, c1, "housing", "2025-03-04", status="connected", connected_on="2025-03-18"
    )
    assert r_house["status"] == "connected" and r_house["connected_on"] == "2025-03-18"
    # Connected on 06-10, after the end: made in the period but not linked in this report.
    r_job = referral(api_a, c1, "employment", "2025-04-01")
    assert r_job["status"] == "referred"
    r_job = move_referral(api_a, r_job, status="connected", connected_on="2025-06-10")
    assert [h["status"] for h in r_job["history"]] == ["referred", "connected"]

    # C2 Blake: intake in the period, 2025-03-12.
    c2 = new_client(api_a, "Blake", "Okonkwo", "2025-03-12", "1995-07-30")
    goal(api_a, c2, "substance_use", "2025-03-14")
    session(api_a, c2, "2025-03-14", 60, "completed")
    barc(api_a, c2, "2025-03-14", 33)
    session(api_a, c2, "2025-04-08", 30, "completed", modality="video")
    session(api_a, c2, "2025-04-28", 10, "attempted", modality="phone")
    appointment(api_a, c2, "2025-03-20T13:30:00", "mental_health", True, "no_show")
    appointment(api_a, c2, "2025-04-22T11:00:00", "benefits", False, "attended", went=False)
    # Late evening 03-31 in New York (03:30 UTC on 04-01): a March appointment for the program.
    appointment(api_a, c2, "2025-03-31T23:30:00", "legal_court", False, "attended", went=True)
    referral(api_a, c2, "recovery_support", "2025-03-14")  # still referred
    r_hc = referral(api_a, c2, "healthcare", "2025-03-20")
    r_hc = move_referral(api_a, r_hc, status="declined", closed_on="2025-03-25")
    assert r_hc["closed_on"] == "2025-03-25"
    assert [(h["status"], h["on"]) for h in r_hc["history"]] == [
        ("referred", "2025-03-20"),
        ("declined", "2025-03-25"),
    ]

    # C3 Devon: first episode 2024-09-02 … 2025-03-01 (completed), re-enrolled 2025-04-07.
    c3 = new_client(api_a, "Devon", "Marchetti", "2024-09-02", "1979-11-03")
    barc(api_a, c3, "2024-09-05", 40)
    session(api_a, c3, "2025-02-20", 30, "completed")
    out = api_a.create(
        f"/clients/{c3['id']}/discharge",
        {"discharge_date": "2025-03-01", "discharge_reason": "completed"},
    )
    assert out["discharge_date"] == "2025-03-01"
    c3_now = api_a.get(f"/clients/{c3['id']}")
    assert (c3_now["status"], c3_now["discharge_reason"]) == ("discharged", "completed")
    api_a.create(f"/clients/{c3['id']}/reenroll", {"intake_date": "2025-04-07"})
    session(api_a, c3, "2025-04-07", 5, "attempted", modality="text")
    session(api_a, c3, "2025-04-11", 40, "completed")
    barc(api_a, c3, "2025-04-11", 36)
    c3_goal = goal(api_a, c3, "mental_health", "2025-04-11")
    close_goal(api_a, c3_goal, "achieved", "2025-06-05")  # closed after the end
    appointment(api_a, c3, "2025-04-16T14:00:00", "treatment", True, "cancelled")
    referral(api_a, c3, "food", "2025-04-11", status="connected", connected_on="2025-04-11")

    # C4 Emery: one short episode before the period, 2025-01-15 … 2025-02-20 (moved).
    c4 = new_client(api_a, "Emery", "Szabo", "2025-01-15", "2000-01-21")
    session(api_a, c4, "2025-02-01", 30, "completed")
    api_a.create(
        f"/clients/{c4['id']}/discharge",
        {"discharge_date": "2025-02-20", "discharge_reason": "moved"},
    )

    # C5 Finley: intake 2025-05-10, no contact yet; one appointment rescheduled.
    c5 = new_client(api_a, "Finley", "Abernathy", "2025-05-10", "1992-05-05")
    appointment(api_a, c5, "2025-05-12T09:00:00", "employment", False, "rescheduled")

    # --- Coach B: one client -----------------------------------------------------------------
    c6 = new_client(api_b, "Gray", "Halvorsen", "2025-02-01", "1985-09-09")
    b_goal = goal(api_b, c6, "transportation", "2025-02-01")
    close_goal(api_b, b_goal, "achieved", "2025-03-20")
    session(api_b, c6, "2025-03-15", 30, "completed")
    barc(api_b, c6, "2025-03-15", 47)
    barc(api_b, c6, "2025-05-10", 52)
    appointment(api_b, c6, "2025-03-18T15:00:00", "medical", False, "attended", went=False)
    # An explicit offset: 03:30 UTC on 03-01 is 22:30 on 02-28 in New York, before the period.
    appointment(api_b, c6, "2025-03-01T03:30:00+00:00", "medical", True, "attended", went=True)
    r_b = referral(api_b, c6, "employment", "2025-05-02")
    move_referral(api_b, r_b, status="connected", connected_on="2025-05-09")

    # --- Supervision -------------------------------------------------------------------------
    api_sup.create(
        "/supervision-notes",
        {
            "coach_ids": [coach_a["id"]],
            "date": "2025-04-03",
            "duration_minutes": 60,
            "format": "individual",
            "topics": "Caseload review",
            "note": "Synthetic supervision note.",
        },
    )
    api_sup.create(
        "/supervision-notes",
        {
            "coach_ids": [coach_a["id"], coach_b["id"]],
            "date": "2025-06-10",
            "duration_minutes": 90,
            "format": "group",
            "topics": "Boundaries",
            "note": "Synthetic group note.",
        },
    )

    return {
        "admin": admin,
        "a": api_a,
        "b": api_b,
        "sup": api_sup,
        "pm": api_pm,
        "program": program,
        "coach_a": coach_a,
        "coach_b": coach_b,
        "clients": [c1, c2, c3, c4, c5, c6],
    }
