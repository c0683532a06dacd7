"""How the report page names each figure, and how the headline is laid out.

Names only: what a figure *means* is metrics.md (the definitions page), reached from every
figure by its key.
"""

from __future__ import annotations

from coachapp.reports.sources import CATEGORIES, RETENTION_DAYS

KIND_COUNT, KIND_RATE, KIND_RATIO, KIND_VALUE = "count", "rate", "ratio", "value"

# (group heading, [(figure key, label, kind)])
HEADLINE: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Clients",
        [
            ("clients.enrolled", "Clients enrolled in the period", KIND_COUNT),
            ("clients.new_intakes", "New intakes (episodes)", KIND_COUNT),
            ("clients.engaged", "Clients engaged (a completed session)", KIND_COUNT),
            ("clients.engagement_rate", "Engagement rate", KIND_RATE),
        ],
    ),
    (
        "Sessions",
        [
            ("sessions.completed", "Completed sessions", KIND_COUNT),
            ("sessions.attempted", "Attempted sessions", KIND_COUNT),
            ("sessions.minutes", "Minutes of completed sessions", KIND_VALUE),
            ("sessions.per_enrolled_client", "Completed sessions per enrolled client", KIND_RATIO),
            ("time_to_first_contact_days.n", "Intakes with a first contact", KIND_COUNT),
            ("time_to_first_contact_days.median", "Median days to first contact", KIND_VALUE),
        ],
    ),
    (
        "Appointments",
        [
            ("appointments.total", "Appointments", KIND_COUNT),
            ("appointments.attended", "Attended", KIND_COUNT),
            ("appointments.no_show", "No-show", KIND_COUNT),
            ("appointments.cancelled", "Cancelled", KIND_COUNT),
            ("appointments.rescheduled", "Rescheduled", KIND_COUNT),
            ("appointments.pending", "Pending (outcome not recorded)", KIND_COUNT),
            ("appointments.no_show_rate", "No-show rate", KIND_RATE),
            (
                "appointments.no_show_rate_accompanied",
                "No-show rate, accompaniment planned",
                KIND_RATE,
            ),
            (
                "appointments.no_show_rate_unaccompanied",
                "No-show rate, accompaniment not planned",
                KIND_RATE,
            ),
            ("appointments.accompanied", "Attended with the coach", KIND_COUNT),
        ],
    ),
    (
        "Referrals (linkage)",
        [
            ("referrals.made", "Referrals made", KIND_COUNT),
            ("referrals.linked", "Linked (connected by the end)", KIND_COUNT),
            ("referrals.linkage_rate", "Linkage rate", KIND_RATE),
            ("referrals.median_days_to_link", "Median days to link", KIND_VALUE),
        ],
    ),
    (
        "Goals",
        [
            ("goals.opened", "Goals opened", KIND_COUNT),
            ("goals.achieved", "Goals achieved", KIND_COUNT),
            ("goals.discontinued", "Goals discontinued", KIND_COUNT),
            ("goals.achievement_rate", "Achievement rate", KIND_RATE),
        ],
    ),
    (
        "Recovery capital (BARC-10)",
        [
            (
                "recovery_capital.clients_with_two_or_more",
                "Clients with two or more check-ins",
                KIND_COUNT,
            ),
            ("recovery_capital.mean_change", "Mean change, first to latest", KIND_VALUE),
            ("recovery_capital.improved", "Clients improved", KIND_COUNT),
            ("recovery_capital.mean_latest", "Mean latest total", KIND_VALUE),
        ],
    ),
    (
        "Supervision",
        [
            ("supervision.coaches", "Coaches", KIND_COUNT),
            ("supervision.coaches_supervised", "Coaches supervised in the period", KIND_COUNT),
            ("supervision.coverage", "Supervision coverage", KIND_RATE),
            ("supervision.minutes", "Supervision minutes", KIND_VALUE),
        ],
    ),
]

ROWSET_TITLES: dict[str, str] = {
    key: label for _, figures in HEADLINE for key, label, kind in figures if kind == KIND_COUNT
}
ROWSET_TITLES.update(
    {
        "appointments.no_show_rate.denominator": "Appointments attended or no-show",
        "appointments.no_show_rate_accompanied.numerator": ("No-shows with accompaniment planned"),
        "appointments.no_show_rate_accompanied.denominator": (
            "Appointments attended or no-show, accompaniment planned"
        ),
        "appointments.no_show_rate_unaccompanied.numerator": (
            "No-shows without accompaniment planned"
        ),
        "appointments.no_show_rate_unaccompanied.denominator": (
            "Appointments attended or no-show, accompaniment not planned"
        ),
        "goals.achievement_rate.denominator": "Goals achieved or discontinued",
        "recovery_capital.with_an_assessment": "Clients with a BARC-10 check-in",
        "supervision.notes": "Supervision notes naming a coach in scope",
    }
)
for _category in CATEGORIES:
    _name = _category.replace("_", " ")
    ROWSET_TITLES[f"referrals.by_category.{_category}.made"] = f"Referrals made: {_name}"
    ROWSET_TITLES[f"referrals.by_category.{_category}.linked"] = f"Referrals linked: {_name}"
for _n in RETENTION_DAYS:
    ROWSET_TITLES[f"retention.{_n}.eligible"] = f"Intakes eligible for {_n}-day retention"
    ROWSET_TITLES[f"retention.{_n}.retained"] = f"Intakes retained at {_n} days"
