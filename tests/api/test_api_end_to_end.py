"""JSON API v1, end to end, written from api.md's text alone: metrics.md's worked example
entered through the API and read back as a report."""

from __future__ import annotations

from tests.api.helpers import API

# --- End to end, from api.md alone: metrics.md's worked example through the API ----------------


def test_a_client_of_the_api_loads_a_caseload_and_reads_the_report(app, anon, admin):
    """Written from api.md's text only: set up a program and its staff, load the worked
    example of metrics.md as a coach and a supervisor would, read the report as the program
    manager and check every figure of the example's table by hand."""

    def token_for(email: str) -> dict:
        result = app.test_cli_runner().invoke(args=["tokens", "create", email])
        assert result.exit_code == 0, result.output
        return {"Authorization": f"Bearer {result.output.strip()}"}

    def api(headers: dict, method: str, path: str, body=None, status=200) -> dict:
        response = getattr(anon, method)(API + path, headers=headers, json=body)
        assert response.status_code == status, (path, response.get_json())
        return response.get_json()

    as_admin = token_for(admin.email)
    program = api(as_admin, "post", "/programs", {"name": "Worked example", "timezone": "UTC"}, 201)
    password = "worked example passphrase"

    def staff(email, role, **extra):
        body = {
            "email": email,
            "name": email.split("@")[0].title(),
            "role": role,
            "program_id": program["id"],
            "password": password,
        } | extra
        return api(as_admin, "post", "/users", body, 201)

    sup = staff("sam@example.org", "supervisor")
    coach = staff("casey@example.org", "coach", supervisor_id=sup["id"])
    staff("pat@example.org", "program_manager")
    as_coach, as_sup, as_pm = (
        token_for(e) for e in ("casey@example.org", "sam@example.org", "pat@example.org")
    )
    housing = api(as_admin, "post", "/resources", {"name": "Harbor", "category": "housing"}, 201)
    jobs = api(as_admin, "post", "/resources", {"name": "Jobs", "category": "employment"}, 201)
    meeting = api(
        as_admin,
        "post",
        "/resources",
        {"name": "Tuesday group", "category": "recovery_support"},
        201,
    )

    def client(name: str, intake: str) -> int:
        body = {"first_name": name, "last_name": "Example", "intake_date": intake}
        return api(as_coach, "post", "/clients", body, 201)["id"]

    def session(cid, day, outcome, minutes):
        api(
            as_coach,
            "post",
            f"/clients/{cid}/sessions",
            {
                "date": day,
                "duration_minutes": minutes,
                "modality": "in_person",
                "kind": "coaching",
                "outcome": outcome,
            },
            201,
        )

    def appointment(cid, day, planned, **outcome):
        body = {
            "scheduled_at": f"{day}T10:00:00",
            "kind": "medical",
            "accompaniment_planned": planned,
        } | outcome
        return api(as_coach, "post", f"/clients/{cid}/appointments", body, 201)

    def referral(cid, resource, day, **extra):
        body = {"resource_id": resource["id"], "referred_on": day} | extra
        return api(as_coach, "post", f"/clients/{cid}/referrals", body, 201)

    def barc(cid, day, answer):
        body = {"administered_on": day, "items": [answer] * 10}
        assert (
            api(as_coach, "post", f"/clients/{cid}/assessments", body, 201)["total"] == 10 * answer
        )

    # C-1
    c1 = client("One", "2026-01-10")
    session(c1, "2026-03-01", "completed", 45)
    session(c1, "2026-03-31", "attempted", 5)
    appointment(c1, "2026-03-03", True, outcome="attended", coach_accompanied=True)
    later = appointment(c1, "2026-03-17", False)  # its outcome recorded afterwards
    api(
        as_coach,
        "patch",
        f"/appointments/{later['id']}",
        {"outcome": "no_show", "version": later["version"]},
    )
    c1_housing = referral(c1, housing, "2026-03-02")
    connected = api(
        as_coach,
        "patch",
        f"/referrals/{c1_housing['id']}",
        {"status": "connected", "connected_on": "2026-03-12", "version": c1_housing["version"]},
    )
    assert [h["status"] for h in connected["history"]] == ["referred", "connected"]
    goal = api(
        as_coach,
        "post",
        f"/clients/{c1}/goals",
        {"domain": "housing", "description": "Own place", "opened_on": "2026-01-15"},
        201,
    )
    api(
        as_coach,
        "patch",
        f"/goals/{goal['id']}",
        {"status": "achieved", "closed_on": "2026-03-12", "version": goal["version"]},
    )
    barc(c1, "2026-01-15", 3)
    barc(c1, "2026-03-03", 4)
    # C-2
    c2 = client("Two", "2026-03-05")
    session(c2, "2026-03-09", "completed", 60)
    session(c2, "2026-03-16", "completed", 30)
    appointment(c2, "2026-03-12", False, outcome="attended", coach_accompanied=False)
    appointment(c2, "2026-03-26", True)
    c2_jobs = referral(c2, jobs, "2026-03-10")
    api(
        as_coach,
        "patch",
        f"/referrals/{c2_jobs['id']}",
        {"status": "connected", "connected_on": "2026-04-02"},
    )
    c2_housing = referral(c2, housing, "2026-03-10")
    api(
        as_coach,
        "patch",
        f"/referrals/{c2_housing['id']}",
        {"status": "declined", "closed_on": "2026-03-11"},
    )
    api(
        as_coach,
        "post",
        f"/clients/{c2}/goals",
        {"domain": "employment", "description": "Work", "opened_on": "2026-03-09"},
        201,
    )
    barc(c2, "2026-03-09", 5)
    # C-3
    c3 = client("Three", "2025-12-01")
    session(c3, "2026-02-20", "completed", 30)
    api(
        as_coach,
        "post",
        f"/clients/{c3}/discharge",
        {"discharge_date": "2026-03-01", "discharge_reason": "completed"},
    )
    # C-4: two episodes
    c4 = client("Four", "2026-01-02")
    api(
        as_coach,
        "post",
        f"/clients/{c4}/discharge",
        {"discharge_date": "2026-02-15", "discharge_reason": "disengaged"},
    )
    api(as_coach, "post", f"/clients/{c4}/reenroll", {"intake_date": "2026-03-20"})
    session(c4, "2026-03-25", "attempted", 10)
    appointment(c4, "2026-03-27", False, outcome="cancelled")
    referral(c4, meeting, "2026-03-21", status="connected", connected_on="2026-03-21")
    # Supervision
    api(
        as_sup,
        "post",
        "/supervision-notes",
        {
            "date": "2026-03-04",
            "duration_minutes": 60,
            "format": "individual",
            "coach_ids": [coach["id"]],
        },
        201,
    )

    report = api(as_pm, "get", "/reports/outcomes?start=2026-03-01&end=2026-03-31")

    assert report["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    assert report["scope"]["program_id"] == program["id"]
    assert report["clients"] == {
        "enrolled": 4,
        "new_intakes": 2,
        "engaged": 2,
        "engagement_rate": 0.5,
    }
    assert report["sessions"] == {
        "completed": 3,
        "attempted": 2,
        "minutes": 135,
        "per_enrolled_client": 0.75,
    }
    assert report["time_to_first_contact_days"] == {"median": 4, "n": 1}
    assert report["appointments"] == {
        "total": 5,
        "attended": 2,
        "no_show": 1,
        "cancelled": 1,
        "rescheduled": 0,
        "pending": 1,
        "no_show_rate": 0.3333,
        "no_show_rate_accompanied": 0.0,
        "no_show_rate_unaccompanied": 0.5,
        "accompanied": 1,
    }
    referrals = report["referrals"]
    assert {k: referrals[k] for k in ("made", "linked", "linkage_rate", "median_days_to_link")} == {
        "made": 4,
        "linked": 2,
        "linkage_rate": 0.5,
        "median_days_to_link": 5.0,
    }
    by_category = referrals["by_category"]
    assert by_category["housing"] == {"made": 2, "linked": 1, "linkage_rate": 0.5}
    assert by_category["employment"] == {"made": 1, "linked": 0, "linkage_rate": 0.0}
    assert by_category["recovery_support"] == {"made": 1, "linked": 1, "linkage_rate": 1.0}
    others = set(by_category) - {"housing", "employment", "recovery_support"}
    assert len(others) == 9
    assert all(by_category[c] == {"made": 0, "linked": 0, "linkage_rate": None} for c in others)
    assert report["retention"] == {
        n: {"eligible": 0, "retained": 0, "rate": None} for n in ("30", "60", "90")
    }
    assert report["goals"] == {
        "opened": 1,
        "achieved": 1,
        "discontinued": 0,
        "achievement_rate": 1.0,
    }
    assert report["recovery_capital"] == {
        "clients_with_two_or_more": 1,
        "mean_change": 10,
        "improved": 1,
        "mean_latest": 45,
    }
    assert report["supervision"] == {
        "coaches": 1,
        "coaches_supervised": 1,
        "coverage": 1.0,
        "minutes": 60,
    }
    assert [row["coach_id"] for row in report["by_coach"]] == [coach["id"]]
    assert report["by_coach"][0]["clients"]["enrolled"] == 4
    assert len(report["by_month"]) == 1
    march = report["by_month"][0]
    assert (march["engaged"], march["enrolled"], march["no_show"], march["referrals_linked"]) == (
        2,
        4,
        1,
        2,
    )
    # The coach reads back the caseload's history, newest first.
    sessions = api(as_coach, "get", f"/clients/{c1}/sessions")
    assert [s["date"] for s in sessions["items"]] == ["2026-03-31", "2026-03-01"]
    # The program manager reads aggregates, never a client record.
    assert anon.get(f"{API}/clients/{c1}/sessions", headers=as_pm).status_code == 404
