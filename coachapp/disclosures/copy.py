"""The client's copy of their record (42 CFR 2.23): everything held about them, read one
query per table through the access rule, as plain data for the HTML page and the JSON file.

Every table with a foreign key to ``clients`` is either one of ``SECTIONS`` (read by its
``client_id``) or named in ``LEFT_OUT`` with the reason; tests/disclosures fails for a table
that is neither. Tables below a client's records (a session's addenda, a plan's steps, a
referral's status changes) are sections of their own, read by their parent's ids in the same
single query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import Table, select

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Client, Resource, User
from coachapp.models.base import Base


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key
    title: str  # the HTML heading
    table: str
    order: tuple[str, ...]
    # A table below a client's records: the section it hangs from and the column naming it.
    parent: str | None = None
    link: str = "client_id"


SECTIONS: tuple[Section, ...] = (
    Section("profile", "Profile", "client_profiles", ("id",)),
    Section("episodes", "Enrollment episodes", "enrollments", ("intake_date", "id")),
    Section("assignments", "Coaches (assignments)", "client_assignments", ("starts_on", "id")),
    Section("statuses", "Housing and employment", "client_status_records", ("as_of", "id")),
    Section("sessions", "Coaching sessions", "sessions", ("date", "id")),
    Section(
        "session_addenda",
        "Addenda to session notes",
        "session_addenda",
        ("session_id", "created_at", "id"),
        parent="sessions",
        link="session_id",
    ),
    Section("goals", "Recovery goals", "goals", ("opened_on", "id")),
    Section("plans", "Recovery plans (every version)", "recovery_plans", ("number", "id")),
    Section(
        "plan_steps",
        "Recovery plan steps",
        "recovery_plan_steps",
        ("plan_id", "position", "id"),
        parent="plans",
        link="plan_id",
    ),
    Section("appointments", "Appointments", "appointments", ("scheduled_at", "id")),
    Section("referrals", "Referrals", "referrals", ("referred_on", "id")),
    Section(
        "referral_changes",
        "Referral status changes",
        "referral_status_changes",
        ("referral_id", "changed_on", "id"),
        parent="referrals",
        link="referral_id",
    ),
    Section("assessments", "Recovery capital (BARC-10)", "assessments", ("administered_on", "id")),
    Section("mutual_aid", "Mutual aid", "mutual_aid_attendance", ("since", "id")),
    Section("consents", "Consents", "consent_records", ("signed_on", "id")),
    Section("followups", "Follow-up interviews", "follow_up_interviews", ("done_on", "id")),
    Section("disclosures", "Disclosures of the record", "disclosures", ("disclosed_at", "id")),
)

# Tables with a foreign key to clients that the copy leaves out, and why.
LEFT_OUT: dict[str, str] = {
    # The client row itself is the copy's "identity and contact" part; its merged_into_id
    # points at the record kept, and a merged duplicate's rows have moved into this one.
    "clients": "the client's own row is the identity part of the copy",
    # Merge bookkeeping: the values a merge replaced, kept (encrypted) only to undo it.
    "client_merges": "merge bookkeeping, kept to undo a merge",
    # Which two records a supervisor judged not to be one person: about the records.
    "duplicate_dismissals": "duplicate-check bookkeeping about two records",
    # Staff scheduling: who covered a caseload; the coaches who held the client are in
    # the assignment history.
    "covering_assignments": "staff cover scheduling",
    # An admin's emergency access: each view through it is in the disclosures.
    "break_glass_accesses": "listed as break-the-glass disclosures",
    # A supervisor's notes about a coach's work, which name clients only as a link.
    "supervision_note_clients": "staff supervision notes, not the client's record",
}
# Columns never copied: internal counters and keys, and signature images (the plan says who
# signed and when; the drawn image stays in the record).
HIDDEN_COLUMNS = frozenset(
    [
        "client_id",
        "version",
        "name_key",
        "merged_into_id",
        "program_id",
        "client_signature_image",
        "coach_signature_image",
    ]
)
CLIENT_COLUMNS = (
    "code",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "okay_to_call",
    "okay_to_text",
    "status",
    "coach_id",
    "consent_on_file",
    "consent_date",
    "support_person",
    "support_person_since",
    "payer",
    "member_id",
    "diagnosis_code",
    "notes",
    "created_at",
    "archived_at",
    "archive_reason",
)


@dataclass
class PatientCopy:
    client: Client
    program_name: str
    made_at: datetime
    identity: dict[str, Any]
    sections: list[tuple[Section, list[dict[str, Any]]]]

    def as_json(self) -> dict[str, Any]:
        return {
            "program": self.program_name,
            "made_at": _json(self.made_at),
            "client": {name: _json(value) for name, value in self.identity.items()},
            **{
                section.key: [{k: _json(v) for k, v in row.items()} for row in rows]
                for section, rows in self.sections
            },
        }


def _stored_utc(table: Table, name: str) -> bool:
    """A moment stored in UTC (``DateTime(timezone=True)``), not a wall-clock time (an
    appointment's ``scheduled_at`` is the program's local time)."""
    return bool(getattr(table.c[name].type, "timezone", False))


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _user_columns(table: Table) -> set[str]:
    return {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "users"}


def _resource_columns(table: Table) -> set[str]:
    return {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "resources"}


def _shown(name: str) -> str:
    """``coach_id`` -> ``coach``: a person or place id is shown as its name."""
    return name[: -len("_id")] if name.endswith("_id") else name


def client_tables() -> set[str]:
    """Every table with a foreign key to ``clients``."""
    return {
        table.name
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == Client.__tablename__
    }


def build(user: User, client: Client) -> PatientCopy:
    """Everything held about ``client``, one query per table, each built on the access rule
    (``client``'s rows only if ``user`` reaches the client); names of staff and resources
    by one query each."""
    visible = access.visible_client_ids(user)
    raw: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, Any] = {}
    for section in SECTIONS:
        table = _table(section.table)
        if section.parent is None:
            column = table.c.client_id
            condition = (column == client.id) & column.in_(visible)
        else:
            parent = next(s for s in SECTIONS if s.key == section.parent)
            condition = table.c[section.link].in_(ids[parent.key])
        query = select(table).where(condition).order_by(*(table.c[c] for c in section.order))
        raw[section.key] = [dict(row._mapping) for row in db.session.execute(query)]
        if "id" in table.c:
            parent_ids = select(table.c.id).where(condition)
            ids[section.key] = parent_ids
    user_ids: set[int] = {client.coach_id}
    resource_ids: set[int] = set()
    for section in SECTIONS:
        table = _table(section.table)
        for row in raw[section.key]:
            user_ids.update(row[c] for c in _user_columns(table) if row[c] is not None)
            resource_ids.update(row[c] for c in _resource_columns(table) if row[c] is not None)
    names = _names(User, user_ids)
    places = _names(Resource, resource_ids)

    def present(table: Table, row: dict[str, Any]) -> dict[str, Any]:
        users, resources = _user_columns(table), _resource_columns(table)
        out: dict[str, Any] = {}
        for name, value in row.items():
            if name in HIDDEN_COLUMNS:
                continue
            if name in users:
                out[_shown(name)] = names.get(value) if value is not None else None
            elif name in resources:
                out[_shown(name)] = places.get(value) if value is not None else None
            elif isinstance(value, datetime) and value.tzinfo is None and _stored_utc(table, name):
                out[name] = value.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
            else:
                out[name] = value
        return out

    sections = [
        (section, [present(_table(section.table), row) for row in raw[section.key]])
        for section in SECTIONS
    ]
    identity = {
        ("coach" if name == "coach_id" else name): (
            names.get(client.coach_id) if name == "coach_id" else getattr(client, name)
        )
        for name in CLIENT_COLUMNS
    }
    identity = {
        name: value.replace(tzinfo=timezone.utc)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for name, value in identity.items()
    }
    return PatientCopy(
        client=client,
        program_name=client.program.name,
        made_at=datetime.now(timezone.utc),
        identity=identity,
        sections=sections,
    )


def _names(model: type, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {row_id: name for row_id, name in rows}
