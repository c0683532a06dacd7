"""The alerts live in the shared core (``coachapp.alerts``): the caseload, the team dashboard
and the task list all read them. Named here too for the code that imports them from here."""

from coachapp.alerts import (
    ALERT_LABELS,
    BARC_DUE_DAYS,
    CONSENT_EXPIRY_DAYS,
    QUIET_DAYS,
    REFERRAL_WAIT_DAYS,
    AlertContext,
    alert_columns,
    alert_counts,
    current_intake,
    last_completed_contact,
)

__all__ = [
    "ALERT_LABELS",
    "BARC_DUE_DAYS",
    "CONSENT_EXPIRY_DAYS",
    "QUIET_DAYS",
    "REFERRAL_WAIT_DAYS",
    "AlertContext",
    "alert_columns",
    "alert_counts",
    "current_intake",
    "last_completed_contact",
]
