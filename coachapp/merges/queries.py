"""What the merge page reads: the records a supervisor may pick as the duplicate, what each of
the two holds (counts per kind of record), and the merges into a record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from coachapp import access
from coachapp.clients.services import fold
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientMerge,
    ClientProfile,
    CoachingSession,
    ConsentRecord,
    DuplicateDismissal,
    Enrollment,
    FollowUpInterview,
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


def inside(episode: Enrollment) -> list[tuple[str, int]]:
    """``(label, count)`` of the episode's client's records dated inside it (intake to
    discharge, or on, when open), and of the plans and follow-ups that hang on it."""
    first = episode.intake_date
    last = episode.discharge_date or date.max
    until = datetime.combine(last, time.min) + timedelta(days=1) if last < date.max else None
    dated = (
        ("Sessions dated inside", CoachingSession, CoachingSession.date.between(first, last)),
        ("Goals opened inside", Goal, Goal.opened_on.between(first, last)),
        ("Referrals made inside", Referral, Referral.referred_on.between(first, last)),
        (
            "Appointments inside",
            Appointment,
            and_(
                Appointment.scheduled_at >= datetime.combine(first, time.min),
                Appointment.scheduled_at < until if until else True,
            ),
        ),
    )
    rows = [
        (
            label,
            db.session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.client_id == episode.client_id, where)
            )
            or 0,
        )
        for label, model, where in dated
    ]
    for label, model in (
        ("Recovery plans of the episode", RecoveryPlan),
        ("Follow-up interviews of the episode", FollowUpInterview),
    ):
        rows.append(
            (
                label,
                db.session.scalar(
                    select(func.count()).select_from(model).where(model.enrollment_id == episode.id)
                )
                or 0,
            )
        )
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


# --- Likely duplicates -----------------------------------------------------------------------

# Common English nicknames, each to its given name (both folded); a pair whose first names map
# to the same given name, with the same last name and birth date, is a likely duplicate.
NICKNAMES = {
    "bill": "william",
    "will": "william",
    "billy": "william",
    "liam": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "robbie": "robert",
    "dick": "richard",
    "rick": "richard",
    "rich": "richard",
    "ricky": "richard",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mikey": "michael",
    "mick": "michael",
    "tom": "thomas",
    "tommy": "thomas",
    "joe": "joseph",
    "joey": "joseph",
    "dan": "daniel",
    "danny": "daniel",
    "dave": "david",
    "davey": "david",
    "chris": "christopher",
    "matt": "matthew",
    "tony": "anthony",
    "steve": "stephen",
    "ed": "edward",
    "eddie": "edward",
    "ted": "edward",
    "sam": "samuel",
    "ben": "benjamin",
    "nick": "nicholas",
    "alex": "alexander",
    "andy": "andrew",
    "drew": "andrew",
    "greg": "gregory",
    "jon": "jonathan",
    "johnny": "john",
    "jack": "john",
    "pepe": "jose",
    "paco": "francisco",
    "pancho": "francisco",
    "chuy": "jesus",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "lisa": "elizabeth",
    "kate": "katherine",
    "katie": "katherine",
    "kathy": "katherine",
    "cathy": "catherine",
    "jenny": "jennifer",
    "jen": "jennifer",
    "sue": "susan",
    "susie": "susan",
    "peggy": "margaret",
    "maggie": "margaret",
    "meg": "margaret",
    "patty": "patricia",
    "trish": "patricia",
    "becky": "rebecca",
    "vicky": "victoria",
    "debbie": "deborah",
    "mandy": "amanda",
    "sandy": "sandra",
    "abby": "abigail",
    "ally": "allison",
    "lupe": "guadalupe",
    "lola": "dolores",
}


@dataclass(frozen=True)
class Pair:
    """Two live records that may be one person, and why they look alike."""

    first: Client
    second: Client
    reason: str


def _given(name: str) -> str:
    folded = fold(name)
    return NICKNAMES.get(folded, folded)


def pair_reason(a: Client, b: Client) -> str | None:
    """Why ``a`` and ``b`` (same date of birth) look like one person, or None."""
    af, al, bf, bl = fold(a.first_name), fold(a.last_name), fold(b.first_name), fold(b.last_name)
    if (af, al) == (bf, bl):
        return "Same name and date of birth (accents and case ignored)."
    if (af, al) == (bl, bf):
        return "First and last name swapped, same date of birth."
    if al == bl and _given(af) == _given(bf):
        return "A nickname of the same first name, same last name and date of birth."
    alike = SequenceMatcher(None, f"{af} {al}", f"{bf} {bl}").ratio()
    if alike >= 0.8:
        return f"Similar names ({round(alike * 100)}% alike), same date of birth."
    return None


def likely_pairs(user: User) -> list[Pair]:
    """Pairs of live records the user may merge (a supervisor: both of their team's coaches; an
    admin: both reached) with the same date of birth and names alike (``pair_reason``), each
    with its reason; ordered by the first record's code."""
    a, b = aliased(Client), aliased(Client)
    visible = access.visible_client_ids(user)
    query = (
        select(a, b)
        .join(b, and_(b.date_of_birth == a.date_of_birth, b.program_id == a.program_id))
        .where(
            a.id < b.id,
            a.date_of_birth.is_not(None),
            a.id.in_(visible),
            b.id.in_(visible),
            ~exists().where(
                DuplicateDismissal.first_id == a.id, DuplicateDismissal.second_id == b.id
            ),
        )
        .order_by(a.code, b.code)
    )
    if user.role != "admin":
        team = select(User.id).where(User.supervisor_id == user.id)
        query = query.where(a.coach_id.in_(team), b.coach_id.in_(team))
    pairs = []
    for first, second in db.session.execute(query).all():
        reason = pair_reason(first, second)
        if reason is not None:
            pairs.append(Pair(first, second, reason))
    return pairs
