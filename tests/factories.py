"""Small factories for test data. Every name here is synthetic."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from coachapp.auth.passwords import hash_password
from coachapp.clients.services import name_key, next_client_code
from coachapp.extensions import db
from coachapp.models import Client, ClientAssignment, Enrollment, Program, User

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def program(name: str | None = None, timezone: str = "UTC") -> Program:
    row = Program(name=name or f"Program {next(_counter)}", timezone=timezone)
    db.session.add(row)
    db.session.commit()
    return row


def user(
    role: str,
    *,
    program: Program | None = None,
    supervisor: User | None = None,
    name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
) -> User:
    n = next(_counter)
    row = User(
        email=email or f"{role}{n}@example.org",
        name=name or f"{role.title()} {n}",
        role=role,
        password_hash=_hash(password),
        program_id=program.id if program else None,
        supervisor_id=supervisor.id if supervisor else None,
        active=active,
    )
    db.session.add(row)
    db.session.commit()
    return row


def client(
    coach: User,
    *,
    first_name: str = "Jordan",
    last_name: str | None = None,
    intake_date: date = date(2026, 1, 5),
    date_of_birth: date | None = date(1990, 4, 2),
    status: str = "active",
    **fields,
) -> Client:
    last_name = last_name or f"Rivera{next(_counter)}"
    row = Client(
        program_id=coach.program_id,
        code=next_client_code(coach.program_id),
        first_name=first_name,
        last_name=last_name,
        name_key=name_key(first_name, last_name),
        date_of_birth=date_of_birth,
        coach_id=coach.id,
        status=status,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(Enrollment(client_id=row.id, intake_date=intake_date))
    # As intake does (clients.services.create_client): the assignment history's first row.
    db.session.add(ClientAssignment(client_id=row.id, coach_id=coach.id, starts_on=intake_date))
    db.session.commit()
    return row


def session(
    client: Client,
    *,
    on: date = date(2026, 3, 1),
    minutes: int = 45,
    outcome: str = "completed",
    modality: str = "in_person",
    kind: str = "coaching",
    coach: User | None = None,
    **fields,
):
    from coachapp.models import CoachingSession

    row = CoachingSession(
        client_id=client.id,
        coach_id=(coach or client.coach).id,
        date=on,
        duration_minutes=minutes,
        outcome=outcome,
        modality=modality,
        kind=kind,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def goal(
    client: Client,
    *,
    domain: str = "housing",
    description: str = "Find stable housing",
    opened_on: date = date(2026, 1, 15),
    status: str = "active",
    **fields,
):
    from coachapp.models import Goal

    row = Goal(
        client_id=client.id,
        domain=domain,
        description=description,
        opened_on=opened_on,
        status=status,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def signed_plan(
    client: Client,
    goals=(),
    *,
    signed_at: datetime = datetime(2026, 1, 20, 15, 0, tzinfo=timezone.utc),
    number: int = 1,
    **fields,
):
    """A recovery plan version of the client's latest episode, signed (typed) by the client
    and the client's coach at ``signed_at``, naming ``goals``."""
    from coachapp.models import RecoveryPlan

    row = RecoveryPlan(
        client_id=client.id,
        enrollment_id=client.latest_enrollment.id,
        number=number,
        status="signed",
        signed_by_client_at=signed_at,
        client_signature_method="typed",
        client_signature_name=client.first_name,
        signed_by_coach_at=signed_at,
        coach_signer_id=client.coach_id,
        coach_signature_method="typed",
        coach_signature_name="Coach",
        **fields,
    )
    row.goals = list(goals)
    db.session.add(row)
    db.session.commit()
    return row


def consent(
    client: Client,
    *,
    consent_type: str = "tpo",
    signed_on: date = date(2026, 4, 1),
    **fields,
):
    """A consent of ``client`` signed on ``signed_on``: by default a TPO consent (treatment,
    payment and health care operations, 42 CFR 2.33(b)) with the current statements given,
    no expiry; a ``specific`` one names one recipient and purpose."""
    from coachapp.consents import statements
    from coachapp.models import ConsentRecord

    tpo = consent_type == "tpo"
    values = {
        "recipient": statements.TPO_RECIPIENT_SUGGESTION if tpo else "Riverside Housing Office",
        "purpose": "Treatment, payment and health care operations." if tpo else "Housing",
        "categories": "attendance,enrollment",
        "information_disclosed": "",
        "statements_version": statements.CURRENT if tpo else None,
    }
    values.update(fields)
    row = ConsentRecord(
        client_id=client.id, consent_type=consent_type, signed_on=signed_on, **values
    )
    db.session.add(row)
    client.consent_on_file = True
    if client.consent_date is None or signed_on > client.consent_date:
        client.consent_date = signed_on
    db.session.commit()
    return row


def appointment(
    client: Client,
    *,
    at=None,
    kind: str = "medical",
    outcome: str = "scheduled",
    accompaniment_planned: bool = False,
    **fields,
):
    from datetime import datetime

    from coachapp.models import Appointment

    row = Appointment(
        client_id=client.id,
        coach_id=client.coach_id,
        scheduled_at=at or datetime(2026, 3, 3, 10, 0),
        kind=kind,
        outcome=outcome,
        accompaniment_planned=accompaniment_planned,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def resource(*, name: str | None = None, category: str = "housing", **fields):
    from coachapp.models import Resource

    row = Resource(name=name or f"Resource {next(_counter)}", category=category, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def referral(
    client: Client,
    res=None,
    *,
    referred_on: date = date(2026, 3, 2),
    status: str = "referred",
    **fields,
):
    from coachapp.models import Referral, ReferralStatusChange

    res = res or resource()
    row = Referral(
        client_id=client.id,
        coach_id=client.coach_id,
        resource_id=res.id,
        category=res.category,
        referred_on=referred_on,
        status=status,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(
        ReferralStatusChange(referral_id=row.id, status="referred", changed_on=referred_on)
    )
    if status != "referred":
        on = fields.get("connected_on") or fields.get("closed_on") or referred_on
        db.session.add(ReferralStatusChange(referral_id=row.id, status=status, changed_on=on))
    db.session.commit()
    return row


def assessment(client: Client, *, on: date = date(2026, 3, 3), items=(4,) * 10, **fields):
    from coachapp.models import Assessment

    values = {f"item{n}": v for n, v in enumerate(items, start=1)}
    row = Assessment(
        client_id=client.id,
        coach_id=client.coach_id,
        administered_on=on,
        total=sum(items),
        **values,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
