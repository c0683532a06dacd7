"""What the merge page reads: the records a supervisor may pick as the duplicate, what each of
the two holds (counts per kind of record), and the merges into a record."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select

from coachapp import access
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientMerge,
    ClientProfile,
    CoachingSession,
    ConsentRecord,
    Enrollment,
    Goal,
    MutualAidAttendance,
    RecoveryPlan,
    Referral,
    User,
)

# What the side-by-side comparison counts, in its order (archived records included: they move).
COUNTED = (
    ("Episodes", Enrollment),
    ("Sessions", CoachingSession),
    ("Goals", Goal),
    ("Appointments", Appointment),
    ("Referrals", Referral),
    ("BARC-10", Assessment),
    ("Consents", ConsentRecord),
    ("Mutual aid", MutualAidAttendance),
    ("Recovery plans", RecoveryPlan),
)


def candidates(user: User, survivor: Client) -> list[Client]:
    """The records ``user`` may merge into ``survivor``: live clients of the same program on
    the caseload of a coach they supervise (an admin: any they reach), likely duplicates first
    (same name or same date of birth), then by name."""
    query = access.visible_clients(user).where(
        Client.program_id == survivor.program_id, Client.id != survivor.id
    )
    if user.role != "admin":
        query = query.where(
            Client.coach_id.in_(select(User.id).where(User.supervisor_id == user.id))
        )
    likely = or_(
        Client.name_key == survivor.name_key,
        Client.date_of_birth == survivor.date_of_birth,
    )
    return list(
        db.session.scalars(
            query.order_by(
                case((likely, 0), else_=1), Client.last_name, Client.first_name, Client.id
            )
        )
    )


def counts(*clients: Client) -> list[tuple[str, list[int]]]:
    """``(label, [count per client])`` for each kind of record of ``COUNTED``."""
    ids = [c.id for c in clients]
    rows = []
    for label, model in COUNTED:
        found = dict(
            db.session.execute(
                select(model.client_id, func.count())
                .where(model.client_id.in_(ids))
                .group_by(model.client_id)
            ).all()
        )
        rows.append((label, [found.get(i, 0) for i in ids]))
    return rows


def profile_of(client: Client) -> ClientProfile | None:
    return db.session.scalar(select(ClientProfile).where(ClientProfile.client_id == client.id))


def merges_into(client: Client) -> list[tuple[ClientMerge, str]]:
    """The merges that kept ``client``, newest first, each with the duplicate's code."""
    return [
        (row, code)
        for row, code in db.session.execute(
            select(ClientMerge, Client.code)
            .join(Client, Client.id == ClientMerge.merged_id)
            .where(ClientMerge.survivor_id == client.id)
            .order_by(ClientMerge.merged_at.desc(), ClientMerge.id.desc())
        ).all()
    ]


def merge_or_none(merge_id: int) -> ClientMerge | None:
    return db.session.get(ClientMerge, merge_id)


def client_by_id(client_id: int) -> Client | None:
    return db.session.get(Client, client_id)
