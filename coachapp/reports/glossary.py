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
