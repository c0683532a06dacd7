"""Each figure of the report in plain language, for the people who hand the numbers on: what
it means first, then the formula, its numerator and denominator, and metrics.md's worked
example where it has one. metrics.md stays the exact definition; these texts say the same
thing in words and are shown before it on the definitions page and in every XLSX's
"Definitions" sheet.

Keys are figure keys of metrics.md; ``referrals.by_category.*`` and ``retention.*`` are
written once for every category and every N (``entry_for`` finds them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Plain:
    name: str
    meaning: str
    formula: str = ""
    numerator: str = ""
    denominator: str = ""
    example: str = ""


ENROLLED = "clients enrolled at any time during the period"
ATTENDED_OR_MISSED = "appointments in the period that were attended or missed (no-show)"

GLOSSARY: dict[str, Plain] = {
    "clients.enrolled": Plain(
        "Clients enrolled",
        "How many clients were on the program's books at any time during the period, whether "
        "they joined before it or during it.",
        "Clients with an episode overlapping the period",
        example="4 (a client discharged on the first day still counts)",
    ),
    "clients.new_intakes": Plain(
        "New intakes",
        "How many episodes began in the period; a client who comes back counts again.",
        "Episodes with an intake date in the period",
        example="2",
    ),
    "clients.engaged": Plain(
        "Clients engaged",
        "Of the clients enrolled, how many had at least one completed session in the period.",
        "Enrolled clients with a completed session in the period",
        example="2",
    ),
    "clients.engagement_rate": Plain(
        "Engagement rate",
        "Of the clients enrolled, the share who had at least one completed session.",
        "engaged ÷ enrolled",
        "clients engaged",
        ENROLLED,
        "2 of 4 = 50.0%",
    ),
    "sessions.completed": Plain(
        "Completed sessions", "Coaching sessions held in the period.", example="3"
    ),
    "sessions.attempted": Plain(
        "Attempted sessions",
        "Sessions the coach tried to hold in the period but that did not take place (no "
        "answer, client unavailable).",
        example="2",
    ),
    "sessions.minutes": Plain(
        "Minutes of completed sessions",
        "Total length of the sessions held in the period, in minutes.",
        "Sum of the completed sessions' minutes",
        example="135",
    ),
    "sessions.per_enrolled_client": Plain(
        "Completed sessions per enrolled client",
        "On average, how many sessions each enrolled client had in the period.",
        "completed sessions ÷ clients enrolled",
        "completed sessions",
        ENROLLED,
        "3 ÷ 4 = 0.75",
    ),
    "time_to_first_contact_days.median": Plain(
        "Median days to first contact",
        "For clients who started in the period and have been seen, the typical number of days "
        "from intake to their first completed session (half waited less, half more).",
        "Median of (first completed session − intake date) in days",
        example="4 (one new client, intake 03-05, first session 03-09)",
    ),
    "time_to_first_contact_days.n": Plain(
        "Intakes with a first contact",
        "How many of the period's new intakes had their first completed session by the end.",
        example="1",
    ),
    "appointments.total": Plain(
        "Appointments",
        "All appointments dated in the period, whatever happened to them.",
        example="5",
    ),
    "appointments.attended": Plain(
        "Attended appointments", "Appointments the client went to.", example="2"
    ),
    "appointments.no_show": Plain(
        "No-shows", "Appointments the client missed without cancelling.", example="1"
    ),
    "appointments.cancelled": Plain("Cancelled appointments", "Appointments called off."),
    "appointments.rescheduled": Plain(
        "Rescheduled appointments", "Appointments moved to another date."
    ),
    "appointments.pending": Plain(
        "Pending appointments",
        "Appointments whose outcome has not been recorded yet.",
        example="1",
    ),
    "appointments.no_show_rate": Plain(
        "No-show rate",
        "Of the appointments that happened or were missed, the share the client missed. "
        "Cancelled, rescheduled and not-yet-recorded appointments are left out.",
        "no-shows ÷ (attended + no-shows)",
        "no-shows",
        ATTENDED_OR_MISSED,
        "1 of 3 = 33.3%",
    ),
    "appointments.no_show_rate_accompanied": Plain(
        "No-show rate, accompaniment planned",
        "The no-show rate of the appointments where the coach planned to go along.",
        "no-shows ÷ (attended + no-shows), accompaniment planned",
        "no-shows, accompaniment planned",
        "attended or missed appointments, accompaniment planned",
        "0 of 1 = 0.0%",
    ),
    "appointments.no_show_rate_unaccompanied": Plain(
        "No-show rate, accompaniment not planned",
        "The no-show rate of the appointments the client was to attend alone.",
        "no-shows ÷ (attended + no-shows), accompaniment not planned",
        "no-shows, accompaniment not planned",
        "attended or missed appointments, accompaniment not planned",
        "1 of 2 = 50.0%",
    ),
    "appointments.accompanied": Plain(
        "Attended with the coach",
        "Attended appointments where the coach went along.",
        example="1",
    ),
    "referrals.made": Plain(
        "Referrals made", "Referrals to a service made in the period.", example="4"
    ),
    "referrals.linked": Plain(
        "Referrals linked",
        "Of the referrals made in the period, how many the client had actually connected to by "
        "the end of the period.",
        example="2 (one connected after the end does not count)",
    ),
    "referrals.linkage_rate": Plain(
        "Linkage rate",
        "Of the referrals made in the period, the share that led to the client connecting with "
        "the service by the end of the period.",
        "linked ÷ made",
        "referrals linked",
        "referrals made in the period",
        "2 of 4 = 50.0%",
    ),
    "referrals.median_days_to_link": Plain(
        "Median days to link",
        "For linked referrals, the typical number of days from referral to connection.",
        "Median of (connected on − referred on) in days",
        example="5 (10 days and 0 days)",
    ),
    "referrals.by_category.made": Plain(
        "Referrals made, by category", "Referrals made in the period to that kind of service."
    ),
    "referrals.by_category.linked": Plain(
        "Referrals linked, by category",
        "Of those, the ones connected by the end of the period.",
    ),
    "referrals.by_category.linkage_rate": Plain(
        "Linkage rate, by category",
        "The linkage rate for that kind of service.",
        "linked ÷ made",
        "referrals linked in the category",
        "referrals made in the category",
        "housing: 1 of 2 = 50.0%",
    ),
    "retention.eligible": Plain(
        "Intakes eligible for retention",
        "Intakes in the period old enough to be checked at N days by the end of the period.",
    ),
    "retention.retained": Plain(
        "Intakes retained",
        "Of those, the ones whose client had a completed session in the 30 days up to day N.",
    ),
    "retention.rate": Plain(
        "Retention rate",
        "Of the clients who started in the period and have been with us N days, the share "
        "still having sessions around day N.",
        "retained ÷ eligible",
        "intakes retained at N days",
        "intakes eligible at N days",
        "no intake is old enough in a one-month period: no rate (blank)",
    ),
    "goals.opened": Plain("Goals opened", "Goals set with clients in the period.", example="1"),
    "goals.achieved": Plain("Goals achieved", "Goals reached in the period.", example="1"),
    "goals.discontinued": Plain("Goals discontinued", "Goals given up or replaced in the period."),
    "goals.achievement_rate": Plain(
        "Goal achievement rate",
        "Of the goals closed in the period, the share that were reached.",
        "achieved ÷ (achieved + discontinued)",
        "goals achieved",
        "goals achieved or discontinued in the period",
        "1 of 1 = 100.0%",
    ),
    "recovery_capital.clients_with_two_or_more": Plain(
        "Clients with two or more BARC-10 check-ins",
        "Clients whose recovery capital was measured at least twice by the end of the period, "
        "so change can be seen.",
        example="1",
    ),
    "recovery_capital.mean_change": Plain(
        "Mean change in recovery capital",
        "For those clients, the average rise (or fall) in BARC-10 total from their first "
        "check-in to their latest.",
        "Mean of (latest total − first total)",
        example="+10 (30 → 40)",
    ),
    "recovery_capital.improved": Plain(
        "Clients improved",
        "Of the clients with two or more check-ins, how many scored higher at the latest.",
        example="1",
    ),
    "recovery_capital.mean_latest": Plain(
        "Mean latest BARC-10 total",
        "The average of each client's latest BARC-10 total (10 to 60; higher is more recovery "
        "capital).",
        example="45 (40 and 50)",
    ),
    "supervision.coaches": Plain("Coaches", "Active coaches in the scope.", example="1"),
    "supervision.coaches_supervised": Plain(
        "Coaches supervised",
        "Of those coaches, how many had at least one supervision note in the period.",
        example="1",
    ),
    "supervision.coverage": Plain(
        "Supervision coverage",
        "The share of coaches who received supervision in the period.",
        "coaches supervised ÷ coaches",
        "coaches supervised",
        "coaches in scope",
        "1 of 1 = 100.0%",
    ),
    "supervision.minutes": Plain(
        "Supervision minutes",
        "Total minutes of supervision of these coaches in the period (a group session counts "
        "once).",
        example="60",
    ),
    "barc10.mean_first": Plain(
        "Mean first BARC-10 total",
        "The average of each client's first BARC-10 total, over clients with a check-in by the "
        "end.",
    ),
    "barc10.mean_latest": Plain(
        "Mean latest BARC-10 total",
        "The average of each client's latest BARC-10 total by the end.",
    ),
    "barc10.clients": Plain(
        "Clients with a BARC-10 check-in", "Clients with at least one BARC-10 by the end."
    ),
    # --- Funder figures (coachapp/reports/outcomes.py) --------------------------------------
    "housing.with_status": Plain(
        "Clients with a housing status at intake",
        "Clients enrolled in the period with a housing status recorded at intake (an answer "
        'of "declined" included: it counts under "other or declined"). Housing at intake is '
        "the latest housing status recorded on or before the intake day of the client's latest "
        "episode that began by the end of the period; when there is none, the first status "
        "recorded within 30 days after intake (day 30 counts, day 31 does not). Archived "
        "(mistaken) entries and entries dated after the period's end are never counted.",
        "Enrolled clients with a housing status at intake",
        example="4 (a fifth client has no housing status recorded)",
    ),
    "housing.matrix": Plain(
        "Housing at intake by latest housing",
        "A table of the clients with a housing status at intake: the group of their status at "
        "intake (homeless, institutional, temporary, permanent, other or declined) against the "
        "group of their latest status by the end of the period.",
        "Clients counted once, in the cell of their intake group and latest group",
        example="homeless → permanent 1, homeless → temporary 1, homeless → homeless 1, "
        "permanent → permanent 1",
    ),
    "housing.homeless_at_intake": Plain(
        "Homeless at intake",
        "Clients whose housing at intake was a place not meant for habitation, an emergency "
        "shelter or a safe haven.",
        example="3",
    ),
    "housing.homeless_to_permanent": Plain(
        "Moved from homelessness to permanent housing",
        "Clients homeless at intake whose latest housing by the end of the period is permanent "
        "(their own or a rented home, with or without a subsidy, or staying with family or "
        "friends permanently). Temporary housing does not count here; it does in the next "
        "figure.",
        example="1",
    ),
    "housing.homeless_to_permanent_rate": Plain(
        "Homelessness to permanent housing rate",
        "Of the clients homeless at intake, the share in permanent housing at the latest.",
        "moved to permanent housing ÷ homeless at intake",
        "clients homeless at intake and in permanent housing at the latest",
        "clients homeless at intake (enrolled in the period)",
        "A: shelter → rented home; B: street → transitional housing; C: street, moved "
        "after the period's end (not counted yet): 1 of 3 = 33.3%",
    ),
    "housing.homeless_to_housed": Plain(
        "Moved from homelessness to any housing",
        "Clients homeless at intake whose latest housing is temporary or permanent.",
        example="2",
    ),
    "housing.homeless_to_housed_rate": Plain(
        "Homelessness to any housing rate",
        "Of the clients homeless at intake, the share in temporary or permanent housing at the "
        "latest.",
        "moved to any housing ÷ homeless at intake",
        "clients homeless at intake and in temporary or permanent housing at the latest",
        "clients homeless at intake (enrolled in the period)",
        "A and B of the example above: 2 of 3 = 66.7%",
    ),
    "employment.not_employed_at_intake": Plain(
        "Not employed at intake",
        "Clients enrolled in the period whose employment status at intake (same rule as "
        "housing) is known and is not full-time or part-time work. A client who declined to "
        "answer is not counted.",
        example="2",
    ),
    "employment.gained": Plain(
        "Employment gained",
        "Of the clients not employed at intake, those working full or part time at the latest "
        "status by the end of the period.",
        example="1",
    ),
    "employment.gained_rate": Plain(
        "Employment gained rate",
        "Of the clients not employed at intake, the share employed at the latest.",
        "employment gained ÷ not employed at intake",
        "clients not employed at intake and employed at the latest",
        "clients not employed at intake (status known, not declined)",
        "unemployed → part time; not in the labour force → unchanged; declined → full "
        "time (not counted); full time → full time (not counted): 1 of 2 = 50.0%",
    ),
    "breakdowns.by_group": Plain(
        "Figures by group",
        "Each figure of the report for the clients of one group of a demographic field "
        "(gender identity, race and ethnicity, veteran status, primary substance, insurance, "
        "referral source, age at intake). Each client is in one group of each field, so a "
        "field's groups add up to the report's figure; rates are worked out from the group's "
        'own numerator and denominator. "Not asked" (no answer recorded) and "Declined to '
        'answer" are groups of their own. Medians cannot be added up and are left out, as are '
        "referral categories and supervision.",
        "A figure computed over the group's clients only",
        example="10 clients enrolled: woman 2, man 2, non-binary 2, declined 2, not asked 2",
    ),
    "breakdowns.age_band": Plain(
        "Age at intake",
        "Age in whole years on the intake day of the client's latest episode by the end of the "
        "period (a birthday on the intake day counts as the new age), in bands: under 18, "
        "18–24, 25–34, 35–44, 45–54, 55–64, 65 and over; unknown without a date of birth.",
        example="born 2008-03-10, intake 2026-03-10: 18–24",
    ),
    "breakdowns.small_cell_rule": Plain(
        "Small-cell rule",
        "In downloads, in the API for program managers and admins, and on their report page, "
        "a figure of a group (or a cell of the housing table) that rests on fewer than 11 "
        'clients (0 included) shows "<11", and a rate or mean resting on such a count is '
        "left blank, so no one can be picked out. A count of sessions or appointments is "
        "judged by how many clients they belong to. Complementary suppression is not done: a "
        "hidden cell can sometimes be worked out from the report's totals.",
        "Shown when the group's figure rests on 11 clients or more",
        example='10 veterans: "<11"; 11 non-veterans: 11',
    ),
}


# SUPRT follow-up interviews (coachapp/followups/metrics.md): one entry per kind and count.
_INTERVIEWS = {
    "baseline": ("baseline interview", "within 30 days of intake", "1 of 3 = 33.3%"),
    "six_month": (
        "six-month reassessment",
        "6 months after intake, give or take 30 days",
        "3 of 5 = 60.0% (one done late, one missed; target 80%)",
    ),
    "closeout": ("closeout interview", "within 30 days of discharge", "1 of 1 = 100.0%"),
}
for _kind, (_what, _when, _example) in _INTERVIEWS.items():
    _due = f"{_what}s due whose window closed in the period"
    _name = "Follow-up rate (six-month)" if _kind == "six_month" else f"{_what.capitalize()} rate"
    GLOSSARY[f"followups.{_kind}.rate"] = Plain(
        _name,
        f"Of the {_what}s that had to be done ({_when}) and whose window has closed, the "
        "share done inside the window. One done outside it is kept but does not count."
        + (" SAMHSA's SUPRT target is 80%." if _kind == "six_month" else ""),
        "done inside the window ÷ due",
        f"{_what}s done inside the window",
        _due,
        _example,
    )
    GLOSSARY[f"followups.{_kind}.due"] = Plain(
        f"{_what.capitalize()}s due",
        f"{_due.capitalize()} (and before today); one that is not due (replaced by the "
        "closeout, or an episode still open) never counts.",
    )
    GLOSSARY[f"followups.{_kind}.done"] = Plain(
        f"{_what.capitalize()}s done in the window", "Of those due, done inside the window."
    )
    GLOSSARY[f"followups.{_kind}.outside_window"] = Plain(
        f"{_what.capitalize()}s done outside the window",
        "Of those due, recorded early or late: kept, shown, not counted as done.",
    )
    GLOSSARY[f"followups.{_kind}.not_done"] = Plain(
        f"{_what.capitalize()}s not done", "Of those due, nothing recorded (missed)."
    )
GLOSSARY["followups.target"] = Plain(
    "Follow-up rate target", "SAMHSA holds the SUPRT follow-up (six-month) rate to 80%."
)


def stem(key: str) -> str:
    """The glossary key of a figure key: ``referrals.by_category.housing.made`` →
    ``referrals.by_category.made``; ``retention.30.rate`` → ``retention.rate``."""
    key = re.sub(r"^referrals\.by_category\.[a-z_]+\.", "referrals.by_category.", key)
    return re.sub(r"^retention\.\d+\.", "retention.", key)


def entry_for(key: str) -> Plain | None:
    return GLOSSARY.get(stem(key))


def name_for(key: str) -> str:
    """A reader's name for ``key``: ``Linkage rate: housing``, ``Retention rate at 30 days``."""
    entry = entry_for(key)
    if entry is None:
        return key
    if match := re.match(r"^referrals\.by_category\.([a-z_]+)\.", key):
        return f"{entry.name}: {match.group(1).replace('_', ' ')}"
    if match := re.match(r"^retention\.(\d+)\.", key):
        return f"{entry.name} at {match.group(1)} days"
    return entry.name
