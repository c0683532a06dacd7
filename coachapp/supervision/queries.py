"""Read queries for supervision notes and credential progress.

Supervision notes are not client records, so ``access.visible_clients`` does not decide who reads
them: ``visible_notes(user)`` does. The supervisor who wrote a note and the coaches it names read
it; nobody else (another supervisor, a program manager, an admin) sees it at all. Every note
query of this feature starts from ``visible_notes``; the clients a note discussed are shown
through ``access.visible_clients`` of the reader on top of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import joinedload, selectinload

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.models import (
    Client,
    CoachingSession,
    SupervisionNote,
    SupervisionNoteCoach,
    TrainingRecord,
    User,
    supervision_note_clients,
)
from coachapp.models.enums import Role, SessionOutcome, TrainingDomain

# IC&RC peer recovery credential (product.md, "Coach credential progress").
SUPERVISION_HOURS_REQUIRED = 25
EXPERIENCE_HOURS_REQUIRED = 500
TRAINING_HOURS_REQUIRED = 46
ETHICS_HOURS_REQUIRED = 16


# --- Scope -------------------------------------------------------------------------------------


def notes_naming(coach_id: int) -> Select:
    """Ids of the supervision notes that name the coach ``coach_id``."""
    return select(SupervisionNoteCoach.note_id).where(SupervisionNoteCoach.coach_id == coach_id)


def visible_notes(user: User, *, include_archived: bool = False) -> Select:
    """``SELECT supervision_notes`` the user may read: the ones they wrote (supervisor) or the
    ones naming them (coach). Program managers, admins and everyone else: none."""
    if user is None or not getattr(user, "is_authenticated", False):
        condition = false()
    elif user.role == Role.SUPERVISOR:
        condition = SupervisionNote.supervisor_id == user.id
    elif user.role == Role.COACH:
        condition = SupervisionNote.id.in_(notes_naming(user.id))
    else:
        condition = false()
    query = select(SupervisionNote).where(condition)
    if not include_archived:
        query = query.where(SupervisionNote.archived_at.is_(None))
    return query


def get_note_or_404(note_id: int, user: User) -> SupervisionNote:
    """A note the user may read (with its coaches and author loaded); 404 otherwise."""
    return db.one_or_404(
        visible_notes(user)
        .where(SupervisionNote.id == note_id)
        .options(
            joinedload(SupervisionNote.supervisor),
            selectinload(SupervisionNote.coach_links).joinedload(SupervisionNoteCoach.coach),
        )
    )


def get_authored_note_or_404(note_id: int, user: User) -> SupervisionNote:
    """A note the user wrote (to edit or archive); 404 for every other note."""
    return db.one_or_404(
        visible_notes(user)
        .where(SupervisionNote.id == note_id, SupervisionNote.supervisor_id == user.id)
        .options(selectinload(SupervisionNote.coach_links).joinedload(SupervisionNoteCoach.coach))
    )


def note_list(user: User, *, pending_only: bool = False) -> Select:
    """The notes page: newest first, coaches loaded in one more query."""
    query = visible_notes(user).options(
        joinedload(SupervisionNote.supervisor),
        selectinload(SupervisionNote.coach_links).joinedload(SupervisionNoteCoach.coach),
    )
    if pending_only:
        query = query.where(SupervisionNote.id.in_(_unacknowledged_by(user.id)))
    return query.order_by(SupervisionNote.date.desc(), SupervisionNote.id.desc())


def _unacknowledged_by(coach_id: int) -> Select:
    return select(SupervisionNoteCoach.note_id).where(
        SupervisionNoteCoach.coach_id == coach_id, SupervisionNoteCoach.acknowledged_at.is_(None)
    )


def unacknowledged_count(coach: User) -> int:
    """How many notes naming ``coach`` they have not acknowledged yet (0 for other roles)."""
    scoped = visible_notes(coach).where(SupervisionNote.id.in_(_unacknowledged_by(coach.id)))
    return db.session.scalar(select(func.count()).select_from(scoped.subquery())) or 0


# --- Choices for the note form -----------------------------------------------------------------


def team_coaches(supervisor: User) -> Select:
    """The supervisor's own active coaches: the only people a new note may name."""
    return (
        select(User)
        .where(
            User.supervisor_id == supervisor.id,
            User.active.is_(True),
            User.role == Role.COACH,
        )
        .order_by(User.name, User.id)
    )


def client_choices(user: User) -> Select:
    """Clients a note by ``user`` may name as discussed: the access rule's scope."""
    return access.visible_clients(user).order_by(Client.last_name, Client.first_name, Client.id)


def note_client_ids(note: SupervisionNote) -> list[int]:
    """Ids of every client linked to the note, whoever may see them."""
    return list(
        db.session.scalars(
            select(supervision_note_clients.c.client_id).where(
                supervision_note_clients.c.note_id == note.id
            )
        )
    )


def discussed_clients(note: SupervisionNote, user: User) -> tuple[list[Client], int]:
    """Clients the note discussed that ``user`` may reach, and how many others it names.

    A group note can name a client of another coach of the team: that coach reads the note but
    the client stays outside their access, so it is counted and never shown.
    """
    linked = select(supervision_note_clients.c.client_id).where(
        supervision_note_clients.c.note_id == note.id
    )
    shown = list(
        db.session.scalars(
            access.visible_clients(user)
            .where(Client.id.in_(linked))
            .order_by(Client.last_name, Client.first_name, Client.id)
        )
    )
    total = db.session.scalar(select(func.count()).select_from(linked.subquery())) or 0
    return shown, total - len(shown)


# --- Credential progress -----------------------------------------------------------------------


def visible_coaches(user: User) -> Select:
    """Coaches whose credential progress ``user`` may see: themself, or the coaches they
    supervise (inactive ones too: a departed coach's record stays readable)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return select(User).where(false())
    if user.role == Role.COACH:
        condition = User.id == user.id
    elif user.role == Role.SUPERVISOR:
        condition = User.supervisor_id == user.id
    else:
        return select(User).where(false())
    return select(User).where(condition, User.role == Role.COACH)


def get_coach_or_404(coach_id: int, user: User) -> User:
    return db.one_or_404(
        visible_coaches(user).where(User.id == coach_id).options(joinedload(User.supervisor))
    )


def one_year_before(day: date) -> date:
    """The same calendar day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def hours(value: Decimal | int | float | None) -> Decimal:
    """Hours with one decimal, rounded half up (12.25 -> 12.3)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """One progress figure: hours done toward hours required."""

    key: str
    label: str
    done: Decimal
    required: int

    @property
    def shown(self) -> str:
        return f"{self.done:.1f}"

    @property
    def value(self) -> Decimal:
        """For ``<progress value>``: capped at the requirement."""
        return min(self.done, Decimal(self.required))

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(self.done * 100 / self.required))

    @property
    def met(self) -> bool:
        return self.done >= self.required


@dataclass(frozen=True)
class Progress:
    supervision: Figure
    supervision_last_12_months: Decimal
    since: date
    experience: Figure
    training: Figure
    ethics: Figure
    training_by_domain: dict[str, Decimal]


def progress(coach: User) -> Progress:
    """A coach's IC&RC figures in two aggregate queries, whatever their history holds.

    - supervision hours: minutes of non-archived notes naming the coach (a group note counts in
      full for each coach it names), in all and in the last 12 months (program-local);
    - experience hours: minutes of the coach's own non-archived *completed* sessions (attempted
      contacts do not count). This is the coach's own work, summed whoever's caseload the
      client is on now: a reassigned client does not take the coach's hours away;
    - training hours by domain from non-archived training records.
    """
    today = timeutil.local_today(coach.program)
    since = one_year_before(today)
    named = SupervisionNote.id.in_(notes_naming(coach.id))
    live_note = SupervisionNote.archived_at.is_(None)
    supervision_total = (
        select(func.coalesce(func.sum(SupervisionNote.duration_minutes), 0))
        .where(named, live_note)
        .scalar_subquery()
    )
    supervision_recent = (
        select(func.coalesce(func.sum(SupervisionNote.duration_minutes), 0))
        .where(named, live_note, SupervisionNote.date >= since)
        .scalar_subquery()
    )
    experience = (
        select(func.coalesce(func.sum(CoachingSession.duration_minutes), 0))
        .where(
            CoachingSession.coach_id == coach.id,
            CoachingSession.outcome == SessionOutcome.COMPLETED,
            CoachingSession.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    minutes = db.session.execute(
        select(
            supervision_total.label("supervision"),
            supervision_recent.label("recent"),
            experience.label("experience"),
        )
    ).one()
    by_domain = {domain.value: Decimal(0) for domain in TrainingDomain}
    for domain, total in db.session.execute(
        select(TrainingRecord.domain, func.sum(TrainingRecord.hours))
        .where(TrainingRecord.coach_id == coach.id, TrainingRecord.archived_at.is_(None))
        .group_by(TrainingRecord.domain)
    ):
        if domain in by_domain:
            by_domain[domain] = Decimal(str(total or 0))
    training_total = sum(by_domain.values(), Decimal(0))
    return Progress(
        supervision=Figure(
            "supervision",
            "Supervision hours received",
            hours(Decimal(minutes.supervision) / 60),
            SUPERVISION_HOURS_REQUIRED,
        ),
        supervision_last_12_months=hours(Decimal(minutes.recent) / 60),
        since=since,
        experience=Figure(
            "experience",
            "Experience hours (completed sessions)",
            hours(Decimal(minutes.experience) / 60),
            EXPERIENCE_HOURS_REQUIRED,
        ),
        training=Figure(
            "training",
            "Training hours, all domains",
            hours(training_total),
            TRAINING_HOURS_REQUIRED,
        ),
        ethics=Figure(
            "ethics",
            "Training hours in ethics",
            hours(by_domain[TrainingDomain.ETHICS.value]),
            ETHICS_HOURS_REQUIRED,
        ),
        training_by_domain={key: hours(value) for key, value in by_domain.items()},
    )


def training_records(coach: User) -> list[TrainingRecord]:
    """The coach's non-archived training records, latest first."""
    return list(
        db.session.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.coach_id == coach.id, TrainingRecord.archived_at.is_(None))
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
        )
    )


def coaches_overview(supervisor: User) -> list[User]:
    """The supervisor's coaches (active first), for the progress index."""
    return list(
        db.session.scalars(
            visible_coaches(supervisor).order_by(User.active.desc(), User.name, User.id)
        )
    )


def team_coach_list(supervisor: User) -> list[User]:
    """The supervisor's active coaches (``team_coaches``), loaded."""
    return list(db.session.scalars(team_coaches(supervisor)))


def client_choice_list(supervisor: User) -> list[Client]:
    """The clients a note may name (``client_choices``), loaded."""
    return list(db.session.scalars(client_choices(supervisor)))
