"""Client services: intake, duplicate check, edit, discharge, re-enrollment, archive.

No HTTP here: views and the API pass plain values and commit once after a service succeeds.
The rules of a client's dates are written here only (``check_dates``): a birth date, a signed
consent, an intake and a discharge are things that have happened, so none is after the
program's today; a discharge comes after its episode's intake, a re-enrollment after the last
discharge. A signed consent date means the consent is on file. A refusal raises
``ClientRuleError`` before anything changes.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import func, select, update

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.models import Client, ClientAssignment, Enrollment, Program, User
from coachapp.models.enums import AuditAction, ClientStatus

DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "okay_to_call",
    "okay_to_text",
    "email",
    "address",
    "consent_on_file",
    "consent_date",
    "notes",
    # Billing fields (issue 22): the payer, its member id (encrypted) and an ICD-10 code.
    "payer",
    "member_id",
    "diagnosis_code",
)


FUTURE_MESSAGE = "This date is in the future."
# Dates of things that have happened, as the forms and the API name them.
HAPPENED_DATES = ("date_of_birth", "consent_date", "intake_date", "discharge_date")


class ClientRuleError(records.RuleError):
    """A request the rules of clients and their episodes refuse; ``errors`` names each field
    to blame (``date_of_birth``, ``consent_date``, ``intake_date``, ``discharge_date``)."""


def check_dates(dates: dict, *, program: Program | None) -> None:
    """The dates of a client (any of ``HAPPENED_DATES`` present in ``dates``) have happened:
    none is after the program's today. ``ClientRuleError`` names every one that is."""
    today = timeutil.local_today(program)
    future = {
        key: FUTURE_MESSAGE
        for key in HAPPENED_DATES
        if isinstance(dates.get(key), date) and dates[key] > today
    }
    if future:
        raise ClientRuleError(future)


def _with_consent(details: dict) -> dict:
    """A signed consent date means the consent is on file."""
    if details.get("consent_date") and "consent_on_file" in details:
        return {**details, "consent_on_file": True}
    return details


def fold(text: str) -> str:
    """Lower-case ``text`` without accents or extra spaces: "José  Ñúñez" -> "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def name_key(first_name: str, last_name: str) -> str:
    return fold(f"{first_name} {last_name}")


def format_code(number: int) -> str:
    return f"C-{number:05d}"


def next_client_code(program_id: int) -> str:
    """Hand out the program's next client code; the row update serialises concurrent intakes."""
    number = db.session.execute(
        update(Program)
        .where(Program.id == program_id)
        .values(client_seq=Program.client_seq + 1)
        .returning(Program.client_seq)
    ).scalar_one()
    return format_code(number)


def likely_duplicates(
    program_id: int, first_name: str, last_name: str, date_of_birth: date | None
) -> list[int]:
    """Ids of clients in the program with the same name and birth date (accents, case ignored).

    Whoever's caseload they are on: a duplicate is a duplicate. The caller decides what it may
    show about each (only clients inside the user's access are linked).
    """
    if date_of_birth is None:
        return []
    return list(
        db.session.scalars(
            select(Client.id).where(
                Client.program_id == program_id,
                Client.name_key == name_key(first_name, last_name),
                Client.date_of_birth == date_of_birth,
                Client.archived_at.is_(None),
                Client.merged_into_id.is_(None),
            )
        )
    )


def create_client(details: dict, *, coach: User, intake_date: date, actor: User) -> Client:
    """Open a client on ``coach``'s caseload with a first enrollment episode. Refuses dates
    that have not come yet (``check_dates``) before anything is written."""
    check_dates({**details, "intake_date": intake_date}, program=coach.program)
    details = _with_consent(details)
    client = Client(
        program_id=coach.program_id,
        code=next_client_code(coach.program_id),
        coach_id=coach.id,
        status=ClientStatus.ACTIVE,
        name_key=name_key(details["first_name"], details["last_name"]),
        **{key: details.get(key) for key in DETAIL_FIELDS},
    )
    db.session.add(client)
    db.session.flush()
    db.session.add(Enrollment(client_id=client.id, intake_date=intake_date, opened_by_id=actor.id))
    # Intake opens the assignment history (metrics.md, "Credit to coaches").
    db.session.add(
        ClientAssignment(
            client_id=client.id, coach_id=coach.id, starts_on=intake_date, created_by_id=actor.id
        )
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="client",
        entity_id=client.id,
        client_id=client.id,
        fields=[k for k in DETAIL_FIELDS if details.get(k) not in (None, "", False)],
    )
    return client


def update_client(client: Client, details: dict, *, version: int | None, actor: User) -> list[str]:
    """Change the person's details (and active/inactive); refuses a stale version and a date
    changed to one that has not come yet (``check_dates``)."""
    records.ensure_version(client, version)
    check_dates(
        {key: value for key, value in details.items() if value != getattr(client, key, None)},
        program=client.program,
    )
    details = _with_consent(details)
    status = details.pop("status", None)
    if status is not None and client.status != ClientStatus.DISCHARGED:
        details["status"] = status
    changes = {key: details[key] for key in (*DETAIL_FIELDS, "status") if key in details}
    changed = records.apply_changes(client, changes)
    if {"first_name", "last_name"} & set(changed):
        client.name_key = name_key(client.first_name, client.last_name)
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="client",
            entity_id=client.id,
            client_id=client.id,
            fields=changed,
        )
    return changed


def latest_enrollment(client: Client) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment)
        .where(Enrollment.client_id == client.id)
        .order_by(Enrollment.intake_date.desc(), Enrollment.id.desc())
        .limit(1)
    )


def check_discharge(client: Client, *, on: date | None) -> None:
    """The rules of ``discharge``, asked without writing: an open episode, and ``on`` a day
    that has come, not before its intake (no day given: the form's to ask for). Raises
    ``ClientRuleError``."""
    episode = latest_enrollment(client)
    if episode is None or episode.discharge_date is not None:
        raise ClientRuleError("discharge_date", "This client has no open episode to discharge.")
    if on is None:
        return
    check_dates({"discharge_date": on}, program=client.program)
    if on < episode.intake_date:
        raise ClientRuleError(
            "discharge_date",
            f"The discharge date cannot be before the intake date ({episode.intake_date}).",
        )


def check_reenroll(client: Client, *, on: date | None) -> None:
    """The rules of ``reenroll``, asked without writing: a discharged client, and ``on`` a
    day that has come, not before the last discharge. Raises ``ClientRuleError``."""
    episode = latest_enrollment(client)
    if episode is not None and episode.discharge_date is None:
        raise ClientRuleError("intake_date", "This client is enrolled already.")
    if on is None:
        return
    check_dates({"intake_date": on}, program=client.program)
    if episode is not None and on < episode.discharge_date:
        raise ClientRuleError(
            "intake_date",
            f"The new intake cannot be before the last discharge ({episode.discharge_date}).",
        )


def discharge(
    client: Client,
    *,
    on: date,
    reason: str,
    note: str | None,
    version: int | None,
    actor: User,
) -> Enrollment:
    """Close the open episode on ``on`` (a day that has come, not before the episode's
    intake) with a reason; the client becomes ``discharged``."""
    records.ensure_version(client, version)
    check_discharge(client, on=on)
    episode = latest_enrollment(client)
    episode.discharge_date = on
    episode.discharge_reason = reason
    episode.discharge_note = note
    episode.discharged_by_id = actor.id
    client.status = ClientStatus.DISCHARGED
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="enrollment",
        entity_id=episode.id,
        client_id=client.id,
        fields=["discharge_date", "discharge_reason"] + (["discharge_note"] if note else []),
    )
    return episode


def reenroll(client: Client, *, on: date, version: int | None, actor: User) -> Enrollment:
    """A discharged client comes back on ``on`` (a day that has come, not before the last
    discharge): a new episode; earlier ones and their records stay."""
    records.ensure_version(client, version)
    check_reenroll(client, on=on)
    new = Enrollment(client_id=client.id, intake_date=on, opened_by_id=actor.id)
    db.session.add(new)
    client.status = ClientStatus.ACTIVE
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="enrollment",
        entity_id=new.id,
        client_id=client.id,
        fields=["intake_date"],
    )
    return new


def count_episodes(client_id: int) -> int:
    return db.session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.client_id == client_id)
    )
