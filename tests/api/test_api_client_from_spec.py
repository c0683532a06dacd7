"""A client of the JSON API written from api.md and metrics.md alone.

It bootstraps an admin and tokens with the command line (api.md: tokens come from the profile
page or ``flask tokens create EMAIL``), sets up a program and its staff over HTTP, back-enters
several months of one program's history as its coaches would, and reads back the outcome
report as the program manager. Every figure is worked out by hand below from the records
loaded and metrics.md's definitions, never taken from the application's own code.

The program runs on America/New_York time: the period is 2025-03-01 … 2025-05-31, all in the
past, so nothing here depends on the day the test runs.
"""

from __future__ import annotations

from typing import Any

import pytest

BASE = "/api/v1"
PASSWORD = "lantern river quiet stone 2025"
START, END = "2025-03-01", "2025-05-31"


class ApiError(AssertionError):
    pass


class Api:
    """A minimal JSON client: bearer token, JSON bodies, pages followed by page number."""

    def __init__(self, http, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: dict | None = None, expect=(200,)) -> Any:
        response = self.http.open(
            BASE + path, method=method, json=body, headers=self.headers, follow_redirects=False
        )
        if response.status_code not in expect:
            raise ApiError(
                f"{method} {path} -> {response.status_code} {response.get_data(as_text=True)}"
            )
        assert response.is_json, response.get_data(as_text=True)
        return response.get_json()

    def get(self, path: str, **query: Any) -> Any:
        if query:
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return self.call("GET", path)

    def create(self, path: str, body: dict) -> dict:
        # api.md does not say 200 or 201 for a create; both are a success.
        return self.call("POST", path, body, expect=(200, 201))

    def patch(self, path: str, body: dict) -> dict:
        return self.call("PATCH", path, body)

    def status(self, method: str, path: str, body: dict | None = None) -> int:
        return self.http.open(
            BASE + path, method=method, json=body, headers=self.headers
        ).status_code

    def all_pages(self, path: str, per_page: int) -> tuple[list[dict], int, int]:
        """Every item of a list, a page at a time: (items, total, pages read)."""
        items: list[dict] = []
        page = 1
        sep = "&" if "?" in path else "?"
        while True:
            body = self.call("GET", f"{path}{sep}page={page}&per_page={per_page}")
            assert body["page"] == page and body["per_page"] == per_page
            assert len(body["items"]) <= per_page
            items.extend(body["items"])
            if not body["items"] or len(items) >= body["total"]:
                return items, body["total"], page
            page += 1


def barc_items(total: int) -> list[int]:
    """Ten answers 1..6 that add up to ``total`` (10..60)."""
    base, extra = divmod(total, 10)
    items = [base + 1] * extra + [base] * (10 - extra)
    assert sum(items) == total and all(1 <= i <= 6 for i in items)
    return items


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def token_for(app, email: str) -> str:
    # ``flask tokens create EMAIL`` prints the token once, as its last line.
    return cli(app, "tokens", "create", email).strip().splitlines()[-1].strip()


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


def test_the_outcome_report_matches_the_history_worked_out_by_hand(world):
    pm = world["pm"]
    report = pm.get("/reports/outcomes", start=START, end=END)
    assert report["period"]["start"] == START and report["period"]["end"] == END

    # Episodes: C1 2024-11-04…; C2 2025-03-12…; C3 2024-09-02…2025-03-01 and 2025-04-07…;
    # C4 2025-01-15…2025-02-20; C5 2025-05-10…; C6 2025-02-01….
    # enrolled: intake <= 05-31 and (no discharge or discharge >= 03-01):
    #   C1 yes, C2 yes, C3 yes (discharged on start), C4 no (02-20 < 03-01), C5 yes, C6 yes -> 5
    # new_intakes: C2 03-12, C3's second episode 04-07, C5 05-10 -> 3
    # engaged: a completed session in the period: C1 (03-03), C2 (03-14), C3 (04-11),
    #   C6 (03-15); C5 none -> 4; rate 4/5 = 0.8
    assert report["clients"] == {
        "enrolled": 5,
        "new_intakes": 3,
        "engaged": 4,
        "engagement_rate": 0.8,
    }

    # Completed in the period: C1 03-03 45, 05-20 60; C2 03-14 60, 04-08 30; C3 04-11 40;
    #   C6 03-15 30 -> 6 sessions, 45+60+60+30+40+30 = 265 minutes
    #   (C1 2024-11-06, C3 2025-02-20 and C4 2025-02-01 are before the start)
    # Attempted: C1 04-10, C2 04-28, C3 04-07 -> 3.  Per enrolled client 6/5 = 1.2
    assert report["sessions"] == {
        "completed": 6,
        "attempted": 3,
        "minutes": 265,
        "per_enrolled_client": 1.2,
    }

    # Episodes with intake in the period and their first completed session on/after intake:
    #   C2 03-12 -> 03-14 = 2 days; C3 04-07 -> 04-11 = 4 days (04-07 was only attempted);
    #   C5 none. median of [2, 4] = 3.0, n = 2
    assert report["time_to_first_contact_days"] == {"median": 3.0, "n": 2}

    # Appointment dates in New York time, 03-01 … 05-31:
    #   C1 03-10 attended (planned, went), 04-14 no_show (not planned), 05-31 22:00 scheduled
    #   (planned); C2 03-20 no_show (planned), 04-22 attended (not planned), 03-31 23:30
    #   attended (not planned, went); C3 04-16 cancelled (planned); C5 05-12 rescheduled;
    #   C6 03-18 attended (not planned).
    #   Outside: C1 06-02; C6 02-28 22:30 (03:30 UTC on 03-01).
    # total 9 = attended 4 + no_show 2 + cancelled 1 + rescheduled 1 + pending 1
    # no_show_rate 2 / (4 + 2) = 0.3333
    # planned: attended C1 03-10, no_show C2 03-20 -> 1 / 2 = 0.5
    # not planned: attended C2 04-22, C2 03-31, C6 03-18; no_show C1 04-14 -> 1 / 4 = 0.25
    # accompanied (attended, coach went): C1 03-10, C2 03-31 -> 2
    appointments = report["appointments"]
    assert {
        k: appointments[k]
        for k in (
            "total",
            "attended",
            "no_show",
            "cancelled",
            "rescheduled",
            "pending",
            "no_show_rate",
            "no_show_rate_accompanied",
            "no_show_rate_unaccompanied",
            "accompanied",
        )
    } == {
        "total": 9,
        "attended": 4,
        "no_show": 2,
        "cancelled": 1,
        "rescheduled": 1,
        "pending": 1,
        "no_show_rate": 0.3333,
        "no_show_rate_accompanied": 0.5,
        "no_show_rate_unaccompanied": 0.25,
        "accompanied": 2,
    }

    # Referred in the period: C1 housing 03-04 (connected 03-18: 14 days), C1 employment
    #   04-01 (connected 06-10, after the end), C2 recovery_support 03-14 (still referred),
    #   C2 healthcare 03-20 (declined), C3 food 04-11 (connected 04-11: 0 days),
    #   C6 employment 05-02 (connected 05-09: 7 days). C1's housing referral of 02-25 is
    #   before the start.  made 6, linked 3, rate 0.5, median of [0, 7, 14] = 7.0
    referrals = report["referrals"]
    assert referrals["made"] == 6
    assert referrals["linked"] == 3
    assert referrals["linkage_rate"] == 0.5
    assert referrals["median_days_to_link"] == 7.0
    # by category: housing 1/1; employment 2 made, 1 linked; recovery_support 1/0;
    # healthcare 1/0; food 1/1; every other category of product.md 0, 0, null.
    expected_categories = {
        "housing": (1, 1, 1.0),
        "employment": (2, 1, 0.5),
        "recovery_support": (1, 0, 0.0),
        "healthcare": (1, 0, 0.0),
        "food": (1, 1, 1.0),
    }
    all_categories = {
        "housing",
        "employment",
        "healthcare",
        "mental_health",
        "treatment",
        "recovery_support",
        "legal",
        "benefits",
        "food",
        "transportation",
        "education",
        "other",
    }
    assert set(referrals["by_category"]) == all_categories
    for category in all_categories:
        made, linked, rate = expected_categories.get(category, (0, 0, None))
        assert referrals["by_category"][category] == {
            "made": made,
            "linked": linked,
            "linkage_rate": rate,
        }, category

    # Retention. Episodes with intake in the period: C2 03-12, C3 04-07, C5 05-10.
    #   30: intake+30 <= 05-31: C2 (04-11), C3 (05-07); C5 (06-09) no -> eligible 2.
    #       C2 window [03-13, 04-11]: completed 03-14 -> retained; C3 [04-08, 05-07]: 04-11 ->
    #       retained. 2/2 = 1.0
    #   60: C2 (05-11) yes; C3 (06-06) no -> eligible 1. C2 window [04-12, 05-11]: only the
    #       attempted 04-28 -> not retained. 0/1 = 0.0
    #   90: C2 06-10 > 05-31 -> eligible 0, rate null
    assert report["retention"] == {
        "30": {"eligible": 2, "retained": 2, "rate": 1.0},
        "60": {"eligible": 1, "retained": 0, "rate": 0.0},
        "90": {"eligible": 0, "retained": 0, "rate": None},
    }

    # Goals opened in the period: C1 employment 03-05, C2 substance_use 03-14, C3 mental_health
    #   04-11 -> 3.  Achieved in the period: C1 housing 04-15, C6 transportation 03-20 -> 2
    #   (C3's closed 06-05, after the end).  Discontinued: C1 employment 05-02 -> 1.
    #   rate 2 / (2 + 1) = 0.6667
    assert report["goals"] == {
        "opened": 3,
        "achieved": 2,
        "discontinued": 1,
        "achievement_rate": 0.6667,
    }

    # BARC-10 dated <= 05-31: C1 28, 35, 41 (the 50 of 06-15 is after the end); C2 33;
    #   C3 40, 36; C6 47, 52.  Two or more: C1, C3, C6 -> 3.
    #   changes 41-28 = 13, 36-40 = -4, 52-47 = 5 -> mean 14/3 = 4.67; improved C1, C6 -> 2
    #   mean latest over C1 41, C2 33, C3 36, C6 52 = 162/4 = 40.5
    assert report["recovery_capital"] == {
        "clients_with_two_or_more": 3,
        "mean_change": 4.67,
        "improved": 2,
        "mean_latest": 40.5,
    }

    # Coaches A and B, active. A named on the 04-03 note (60 min); the group note of 06-10
    #   is after the end. 1/2 = 0.5, 60 minutes.
    assert report["supervision"] == {
        "coaches": 2,
        "coaches_supervised": 1,
        "coverage": 0.5,
        "minutes": 60,
    }


def _row_for(rows: list[dict], coach_id: int) -> dict:
    found = [r for r in rows if r["coach_id"] == coach_id]
    assert len(found) == 1, rows
    return found[0]


def test_the_report_breakdowns_by_coach_and_by_month(world):
    report = world["pm"].get("/reports/outcomes", start=START, end=END)

    # by_coach. Coach A has C1…C5: enrolled C1, C2, C3, C5 = 4; intakes 3; engaged C1, C2, C3
    #   -> 3/4 = 0.75. Appointments: attended C1 03-10, C2 04-22, C2 03-31 = 3; no_show 2
    #   -> 2/5 = 0.4. Referrals made 5 (C1 ×2, C2 ×2, C3), linked 2 (C1 housing 14 days,
    #   C3 food 0 days) -> 0.4, median 7.0.
    # Coach B has C6: enrolled 1, intakes 0, engaged 1 -> 1.0; attended 1 (03-18), no_show 0
    #   -> 0.0; referrals 1 made, 1 linked (7 days) -> 1.0, median 7.0.
    assert len(report["by_coach"]) == 2
    expected = {
        world["coach_a"]["id"]: ((4, 3, 3, 0.75), (3, 2, 0.4), (5, 2, 0.4, 7.0)),
        world["coach_b"]["id"]: ((1, 0, 1, 1.0), (1, 0, 0.0), (1, 1, 1.0, 7.0)),
    }
    for coach_id, (clients, appts, refs) in expected.items():
        row = _row_for(report["by_coach"], coach_id)
        c, a, r = row["clients"], row["appointments"], row["referrals"]
        assert (c["enrolled"], c["new_intakes"], c["engaged"], c["engagement_rate"]) == clients
        assert (a["attended"], a["no_show"], a["no_show_rate"]) == appts
        assert (r["made"], r["linked"], r["linkage_rate"], r["median_days_to_link"]) == refs
        assert "by_category" not in r

    # by_month, each month its own period:
    # March: enrolled C1, C2, C3 (discharged 03-01), C6 = 4; engaged C1 03-03, C2 03-14,
    #   C6 03-15 = 3 -> 0.75. Appointments C1 03-10 att, C2 03-20 no-show, C2 03-31 23:30 att,
    #   C6 03-18 att -> 1/4 = 0.25. Referrals C1 03-04 (linked 03-18), C2 03-14, C2 03-20
    #   -> 1/3 = 0.3333.
    # April: enrolled C1, C2, C3 (new episode), C6 = 4; engaged C2 04-08, C3 04-11 = 2 -> 0.5.
    #   Appointments C1 04-14 no-show, C2 04-22 att (C3's is cancelled) -> 1/2 = 0.5.
    #   Referrals C1 04-01 (connected 06-10, after April), C3 04-11 linked -> 1/2 = 0.5.
    # May: enrolled C1, C2, C3, C5, C6 = 5; engaged C1 05-20 = 1 -> 0.2. Appointments: C5
    #   rescheduled, C1 pending -> no attended or no-show, rate null. Referrals C6 05-02,
    #   linked 05-09 -> 1/1 = 1.0.
    # api.md and metrics.md leave a month row's shape open ("at least engagement_rate,
    # no_show_rate, linkage_rate with their counts"); the rows are flat, named by month.
    months = report["by_month"]
    assert [(m["month"], m["start"], m["end"]) for m in months] == [
        ("2025-03", "2025-03-01", "2025-03-31"),
        ("2025-04", "2025-04-01", "2025-04-30"),
        ("2025-05", "2025-05-01", "2025-05-31"),
    ]
    expected_months = [
        ((4, 3, 0.75), (3, 1, 0.25), (3, 1, 0.3333)),
        ((4, 2, 0.5), (1, 1, 0.5), (2, 1, 0.5)),
        ((5, 1, 0.2), (0, 0, None), (1, 1, 1.0)),
    ]
    for m, (clients, appts, refs) in zip(months, expected_months, strict=True):
        assert (m["enrolled"], m["engaged"], m["engagement_rate"]) == clients, m
        assert (m["attended"], m["no_show"], m["no_show_rate"]) == appts, m
        assert (m["referrals_made"], m["referrals_linked"], m["linkage_rate"]) == refs, m


def test_narrower_scopes_of_the_same_report(world):
    pm, coach_b = world["pm"], world["coach_b"]
    # The manager narrows to coach B: one coach, not named on any note in the period.
    only_b = pm.get("/reports/outcomes", start=START, end=END, coach_id=coach_b["id"])
    assert only_b["clients"] == {
        "enrolled": 1,
        "new_intakes": 0,
        "engaged": 1,
        "engagement_rate": 1.0,
    }
    assert only_b["supervision"] == {
        "coaches": 1,
        "coaches_supervised": 0,
        "coverage": 0.0,
        "minutes": 0,
    }
    # Coach A's own report covers their own caseload: as the by_coach row above.
    own = world["a"].get("/reports/outcomes", start=START, end=END)
    assert own["clients"]["enrolled"] == 4 and own["sessions"]["completed"] == 5
    assert own["referrals"]["made"] == 5 and own["referrals"]["linked"] == 2
    # Coach A's completed sessions: 45 + 60 + 60 + 30 + 40 = 235 minutes.
    assert own["sessions"]["minutes"] == 235


def test_lists_read_back_page_by_page(world):
    a, b = world["a"], world["b"]
    c1, c2, c3, c4, c5, c6 = world["clients"]

    # Coach A's clients, two per page: 5 clients, 3 pages, in code order; none of coach B's.
    clients, total, pages = a.all_pages("/clients", per_page=2)
    assert (total, pages, len(clients)) == (5, 3, 5)
    codes = [c["code"] for c in clients]
    assert codes == sorted(codes)
    assert {c["id"] for c in clients} == {c1["id"], c2["id"], c3["id"], c4["id"], c5["id"]}
    # Coach B sees only their own client, and a filter by status narrows the list.
    assert b.get("/clients")["total"] == 1
    assert a.get("/clients", status="discharged")["total"] == 1  # C4; C3 came back

    # C1's sessions, three per page: 2024-11-06, 03-03, 04-10, 05-20 -> 4, newest first.
    sessions, total, pages = a.all_pages(f"/clients/{c1['id']}/sessions", per_page=3)
    assert (total, pages) == (4, 2)
    assert [s["date"] for s in sessions] == ["2025-05-20", "2025-04-10", "2025-03-03", "2024-11-06"]
    assert [s["outcome"] for s in sessions] == ["completed", "attempted", "completed", "completed"]
    assert len(sessions[2]["goal_ids"]) == 1

    # C1's appointments: four; assessments: four with totals 50, 41, 35, 28 newest first.
    appts, total, _ = a.all_pages(f"/clients/{c1['id']}/appointments", per_page=1)
    assert total == 4 and len(appts) == 4
    assert sorted(x["outcome"] for x in appts) == ["attended", "no_show", "scheduled", "scheduled"]
    barcs, total, _ = a.all_pages(f"/clients/{c1['id']}/assessments", per_page=2)
    assert [x["total"] for x in barcs] == [50, 41, 35, 28]

    # C1's referrals: the early housing one, the housing one entered connected, employment.
    refs, total, pages = a.all_pages(f"/clients/{c1['id']}/referrals", per_page=2)
    assert (total, pages) == (3, 2)
    assert sorted(r["status"] for r in refs) == ["connected", "connected", "connected"]
    goals, total, _ = a.all_pages(f"/clients/{c1['id']}/goals", per_page=50)
    assert sorted(g["status"] for g in goals) == ["achieved", "discontinued"]

    # C3: two episodes, the latest open; the client shows the latest episode.
    episodes = a.get(f"/clients/{c3['id']}/enrollments")["items"]
    assert sorted((e["intake_date"], e["discharge_date"]) for e in episodes) == [
        ("2024-09-02", "2025-03-01"),
        ("2025-04-07", None),
    ]
    now = a.get(f"/clients/{c3['id']}")
    assert (now["status"], now["intake_date"], now["discharge_date"]) == (
        "active",
        "2025-04-07",
        None,
    )
    assert a.get(f"/clients/{c4['id']}")["discharge_reason"] == "moved"

    # The appointments entered in New York time read back as entered, in the program's zone.
    c2_appts = a.get(f"/clients/{c2['id']}/appointments")["items"]
    assert any(x["scheduled_at"].startswith("2025-03-31T23:30") for x in c2_appts)
    c6_appts = b.get(f"/clients/{c6['id']}/appointments")["items"]
    assert any(x["scheduled_at"].startswith("2025-02-28T22:30") for x in c6_appts)

    # Outside the access rule: another coach's client and its children are 404.
    assert b.status("GET", f"/clients/{c1['id']}") == 404
    assert b.status("GET", f"/clients/{c1['id']}/sessions") == 404
    assert a.status("GET", f"/clients/{c6['id']}/referrals") == 404
    # The supervisor of both coaches sees both caseloads.
    assert world["sup"].get("/clients", per_page=200)["total"] == 6
    assert c5["status"] == "active"


def test_stale_versions_and_refused_dates_come_back_in_the_error_shape(world):
    a = world["a"]
    c2 = world["clients"][1]
    (goal,) = a.get(f"/clients/{c2['id']}/goals")["items"]
    changed = a.patch(
        f"/goals/{goal['id']}", {"target_date": "2025-09-30", "version": goal["version"]}
    )
    assert changed["target_date"] == "2025-09-30"
    # The same old version again: someone else changed the record in between.
    response = a.http.patch(
        f"{BASE}/goals/{goal['id']}",
        json={"target_date": "2025-10-31", "version": goal["version"]},
        headers=a.headers,
    )
    assert response.status_code == 409
    assert set(response.get_json()) == {"error"}
    # A session dated in the future has not happened: 422, naming the field.
    response = a.http.post(
        f"{BASE}/clients/{c2['id']}/sessions",
        json={
            "date": "2099-01-01",
            "duration_minutes": 30,
            "modality": "phone",
            "kind": "coaching",
            "outcome": "completed",
        },
        headers=a.headers,
    )
    assert response.status_code == 422
    assert "date" in response.get_json()["error"]["fields"]
    assert a.get(f"/clients/{c2['id']}/sessions")["total"] == 3
