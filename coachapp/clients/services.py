"""Client services: intake, duplicate check, edit, discharge, re-enrollment, archive.

No HTTP here: views pass plain values and commit once after a service succeeds.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import func, select, update

from coachapp import audit, records
from coachapp.extensions import db
from coachapp.models import Client, Enrollment, Program, User
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
)


class ClientRuleError(ValueError):
    """A request the rules of episodes refuse; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


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
    """Open a client on ``coach``'s caseload with a first enrollment episode."""
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
    """Change the person's details (and active/inactive); refuses a stale version."""
    records.ensure_version(client, version)
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


def discharge(
    client: Client,
    *,
    on: date,
    reason: str,
    note: str | None,
    version: int | None,
    actor: User,
) -> Enrollment:
    """Close the open episode on ``on`` with a reason; the client becomes ``discharged``."""
    records.ensure_version(client, version)
    episode = latest_enrollment(client)
    if episode is None or episode.discharge_date is not None:
        raise ClientRuleError("discharge_date", "This client has no open episode to discharge.")
    if on < episode.intake_date:
        raise ClientRuleError(
            "discharge_date",
            f"The discharge date cannot be before the intake date ({episode.intake_date}).",
        )
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
    """A discharged client comes back: a new episode; earlier ones and their records stay."""
    records.ensure_version(client, version)
    episode = latest_enrollment(client)
    if episode is not None and episode.discharge_date is None:
        raise ClientRuleError("intake_date", "This client is enrolled already.")
    if episode is not None and on < episode.discharge_date:
        raise ClientRuleError(
            "intake_date",
            f"The new intake cannot be before the last discharge ({episode.discharge_date}).",
        )
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
