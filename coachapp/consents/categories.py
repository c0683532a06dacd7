"""What a consent may let the program disclose, in the words the form and the summary use."""

from __future__ import annotations

from coachapp.models.enums import ConsentCategory

# (label, hint) per category, in the order the form and the summary show them.
CATEGORIES: dict[ConsentCategory, tuple[str, str]] = {
    ConsentCategory.ATTENDANCE: (
        "Attendance",
        "The dates the client met their coach (no notes, no content).",
    ),
    ConsentCategory.ENROLLMENT: (
        "Enrollment",
        "When the client joined the program and, if so, when and why they left.",
    ),
    ConsentCategory.GOALS: ("Recovery goals", "Each goal in the client's words, and its status."),
    ConsentCategory.APPOINTMENTS: (
        "Appointments",
        "Dates, kinds and outcomes of appointments the coach helped with.",
    ),
    ConsentCategory.REFERRALS: (
        "Referrals",
        "Dates, kinds and status of referrals to other services.",
    ),
    ConsentCategory.ASSESSMENTS: (
        "Assessment scores",
        "Dates and total scores of recovery capital (BARC-10) check-ins.",
    ),
    ConsentCategory.NOTES: (
        "Session notes",
        "What the coach wrote after each session. The most sensitive: tick only if needed.",
    ),
}

ORDER = list(CATEGORIES)


def parse(stored: str | None) -> list[ConsentCategory]:
    """The categories a consent names (stored comma-separated), in display order; a value no
    longer known is ignored (it permits nothing)."""
    names = {part.strip() for part in (stored or "").split(",") if part.strip()}
    return [category for category in ORDER if category.value in names]


def store(values) -> str:
    """Sorted, comma-separated, no duplicates: how a consent keeps its categories."""
    return ",".join(sorted({str(v) for v in values}))


def label(category: ConsentCategory | str) -> str:
    return CATEGORIES[ConsentCategory(category)][0]


def labels(categories) -> list[str]:
    return [label(c) for c in categories]
