"""Read queries of follow-up interviews, reached through the (access-checked) client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.followups.schedule import Interview, schedule
from coachapp.models import Client, Enrollment, FollowUpInterview, User
from coachapp.models.enums import Role


@dataclass(frozen=True)
class EpisodeSchedule:
    enrollment: Enrollment
    interviews: list[Interview]


def records_of(client: Client, user: User) -> list[FollowUpInterview]:
    """The client's live interview records, through the access rule (one query)."""
    query = access.built_once(
        user,
        "followups.records_of",
        build=lambda: (
            access.client_child_select(FollowUpInterview, user)
            .where(FollowUpInterview.client_id == bindparam("panel_client_id"))
            .order_by(FollowUpInterview.id)
        ),
    )
    return list(db.session.scalars(query, {"panel_client_id": client.id}))


# Built once (the client page asks it on every view); the client is reached already checked.
_EPISODES = (
    select(Enrollment)
    .where(Enrollment.client_id == bindparam("episodes_client_id"))
    .order_by(Enrollment.intake_date.desc(), Enrollment.id.desc())
)


def episode_schedules(client: Client, user: User) -> list[EpisodeSchedule]:
    """Each episode's schedule as of the program's today, newest episode first: two queries
    (episodes, records) whatever the history holds."""
    today = timeutil.local_today(client.program)
    episodes = db.session.scalars(_EPISODES, {"episodes_client_id": client.id}).all()
    done: dict[int, dict[str, tuple]] = {}
    for row in records_of(client, user):
        done.setdefault(row.enrollment_id, {})[row.kind] = (row.done_on, row.id)
    return [
        EpisodeSchedule(e, schedule(e.intake_date, e.discharge_date, today, done.get(e.id)))
        for e in episodes
    ]


def episode_or_404(client: Client, enrollment_id: int) -> Enrollment:
    """One episode of the (already access-checked) client; 404 for another client's."""
    return db.one_or_404(
        select(Enrollment).where(Enrollment.id == enrollment_id, Enrollment.client_id == client.id)
    )


def team_coach_names(supervisor: User) -> list:
    """(id, name) of the coaches reporting to ``supervisor``, by name."""
    return db.session.execute(
        select(User.id, User.name)
        .where(User.supervisor_id == supervisor.id, User.role == Role.COACH)
        .order_by(User.name, User.id)
    ).all()
