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

START, END = "2025-03-01", "2025-05-31"


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
