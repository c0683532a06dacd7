"""The demo's scales, its public constants and the plan of one client, decided before any
row is written."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timezone

from coachapp.models.enums import (
    Role,
)


@dataclass(frozen=True)
class DemoScale:
    """How big a demo program is. Sessions are a target: the build lands within 2% of it."""

    coaches: int
    clients: int
    sessions: int
    coaches_per_supervisor: int = 7
    batch_clients: int = 250  # clients generated and inserted together (~12,000 sessions)

    @property
    def supervisors(self) -> int:
        return max(1, math.ceil(self.coaches / self.coaches_per_supervisor))


SCALES: dict[str, DemoScale] = {
    "small": DemoScale(coaches=5, clients=60, sessions=3_000),
    "medium": DemoScale(coaches=40, clients=2_000, sessions=100_000),
    "large": DemoScale(coaches=200, clients=20_000, sessions=1_000_000),
}

DEMO_PASSWORD = "recovery-demo-2026"  # noqa: S105  # nosec B105
DEMO_USERS: list[tuple[str, str]] = [
    (Role.ADMIN.value, "admin@demo.coachapp.example"),
    (Role.PROGRAM_MANAGER.value, "manager@demo.coachapp.example"),
    (Role.SUPERVISOR.value, "supervisor@demo.coachapp.example"),
    (Role.COACH.value, "coach@demo.coachapp.example"),
    (Role.BILLING.value, "billing@demo.coachapp.example"),
]
DEMO_PROGRAM_NAME = "Riverton Peer Recovery Coaching (demo)"
DEMO_TIMEZONE = "America/Chicago"


class DemoError(Exception):
    """The demo cannot be built here: a database with data already, or an unknown scale."""


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)  # rows written, per table name
    seconds: float = 0.0


HISTORY_DAYS = 548  # about 18 months of history before today
FUTURE_DAYS = 42  # appointments are booked up to four weeks ahead
CHUNK_ROWS = 10_000  # rows per INSERT executemany
DEMO_COACH_ACTIVE_CLIENTS = 12
MAX_ASSESSMENTS = 5
UTC = timezone.utc
RESET_SEQUENCE = (
    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
    "(SELECT COALESCE(MAX(id), 1) FROM {table}))"
)


# --- The plan of one client, decided before any row is written -------------------------------


@dataclass(slots=True)
class Episode:
    intake: int  # day index (0 = HISTORY_DAYS before today)
    discharge: int | None
    reason: str | None
    contact_end: int  # last day a completed session may fall on
    weight: float = 0.0  # share of the session target
    sessions: int = 0
    # Outreach attempts after contact stopped (after ``contact_end``), outside the target share.
    attempts_after: int = 0


@dataclass(slots=True)
class ClientPlan:
    number: int  # 1-based: the client code and the offset of the id
    status: str
    coach: int  # index into the coach list
    episodes: list[Episode]
    engagement: float
    attempt_rate: float
    names: tuple[str, str] | None = None
    # Never reached after intake: outreach attempts only, no completed contact, no-shows.
    never_engaged: bool = False
    # Alert cases forced on the demo coach's caseload so the home page always shows them.
    pending_appointment: bool = False
    stale_referral: bool = False
    appointment_today: bool = False
    # A baseline interview due this week, left unrecorded (the demo coach's due list).
    interview_due: bool = False
