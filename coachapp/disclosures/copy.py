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
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, Table, select

from coachapp import access, timeutil, web
from coachapp.consents import categories as consent_categories
from coachapp.disclosures.labels import KIND_WORDS
from coachapp.extensions import db
from coachapp.followups.schedule import KIND_LABELS as INTERVIEW_LABELS
from coachapp.merges.forms import LABELS as MERGE_LABELS
from coachapp.models import Client, Resource, User
from coachapp.models.assessments import BARC10_ANSWERS, BARC10_STATEMENTS, ITEM_COLUMNS
from coachapp.models.base import Base
from coachapp.models.enums import EmploymentStatus, LivingSituation, StatusKind
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS
from coachapp.profiles.labels import FIELD_LABELS as PROFILE_FIELD_LABELS
from coachapp.profiles.labels import KIND_LABELS as STATUS_KIND_LABELS
from coachapp.profiles.labels import value_label as profile_value_label
from coachapp.resources.queries import MODEL_LABELS


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key
    title: str  # the HTML heading
    table: str
    order: tuple[str, ...]
    # A table below a client's records: the section it hangs from and the column naming it.
    parent: str | None = None
    link: str = "client_id"
    # The fields a record on the page starts with (its date), the rest in the table's order.
    lead: tuple[str, ...] = ()


# In the order the client reads them: who they are, their time in the program and with whom,
# what they set out to do, what was done, and who was told.
SECTIONS: tuple[Section, ...] = (
    Section("profile", "About you", "client_profiles", ("id",)),
    Section("statuses", "Housing and employment", "client_status_records", ("as_of", "id")),
    Section("episodes", "Time in the program (episodes)", "enrollments", ("intake_date", "id")),
    Section("assignments", "Your coaches", "client_assignments", ("starts_on", "id")),
    Section("goals", "Recovery goals", "goals", ("opened_on", "id")),
    Section("plans", "Recovery plans (every version)", "recovery_plans", ("number", "id")),
    Section(
        "plan_steps",
        "Steps of the plan",
        "recovery_plan_steps",
        ("plan_id", "position", "id"),
        parent="plans",
        link="plan_id",
    ),
    Section(
        "sessions", "Coaching sessions and their notes", "sessions", ("date", "id"), lead=("date",)
    ),
    Section(
        "session_addenda",
        "Addenda to the note",
        "session_addenda",
        ("session_id", "created_at", "id"),
        parent="sessions",
        link="session_id",
    ),
    Section(
        "appointments",
        "Appointments",
        "appointments",
        ("scheduled_at", "id"),
        lead=("scheduled_at",),
    ),
    Section(
        "referrals",
        "Referrals to services",
        "referrals",
        ("referred_on", "id"),
        lead=("referred_on",),
    ),
    Section(
        "referral_changes",
        "Status changes",
        "referral_status_changes",
        ("referral_id", "changed_on", "id"),
        parent="referrals",
        link="referral_id",
    ),
    Section(
        "assessments",
        "Recovery capital questionnaires (BARC-10)",
        "assessments",
        ("administered_on", "id"),
        lead=("administered_on", "total"),
    ),
    Section("mutual_aid", "Mutual aid groups", "mutual_aid_attendance", ("since", "id")),
    Section("consents", "Your consents to disclose", "consent_records", ("signed_on", "id")),
    Section("followups", "Follow-up interviews", "follow_up_interviews", ("done_on", "id")),
    Section(
        "disclosures",
        "Who your information was disclosed to",
        "disclosures",
        ("disclosed_at", "id"),
    ),
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


# How each field reads: the labels the rest of the app gives these fields (the merge page's
# client fields, the profile's), then the copy's own for the rest; ``web.label`` (the ``label``
# filter) for any column not named here.
FIELD_LABELS: dict[str, str] = {
    **MERGE_LABELS,
    **PROFILE_FIELD_LABELS,
    "code": "Client code",
    "status": "Status",
    "coach": "Coach",
    "created_at": "Recorded",
    "archived_at": "Archived",
    "archive_reason": "Why it was archived",
    "archived_by": "Archived by",
    "recorded_by": "Recorded by",
    "created_by": "Recorded by",
    "updated_by": "Last changed by",
    "intake_date": "Intake",
    "discharge_date": "Discharge",
    "discharge_reason": "Reason for discharge",
    "discharge_note": "Discharge note",
    "opened_by": "Opened by",
    "discharged_by": "Discharged by",
    "starts_on": "From",
    "ends_on": "Until",
    "reason": "Reason",
    "handoff_note": "Handoff note",
    "handoff_read_at": "Handoff note read",
    "as_of": "As of",
    "date": "Date",
    "duration_minutes": "Minutes",
    "modality": "How it took place",
    "outcome": "Outcome",
    "note": "Note",
    "next_steps": "Next steps",
    "reviewed_by": "Reviewed by",
    "reviewed_at": "Reviewed",
    "review_comment": "Reviewer's comment",
    "returned_at": "Returned for changes",
    "start_time": "Started",
    "end_time": "Ended",
    "place_of_service": "Place of service (billing code)",
    "billable": "Billable",
    "group_size": "People in the group",
    "signed_at": "Signed",
    "signed_by": "Signed by",
    "signed_credential": "Signer's credential",
    "cosigned_at": "Co-signed",
    "cosigned_by": "Co-signed by",
    "author": "Written by",
    "text": "Addendum",
    "domain": "Area of life",
    "description": "Goal",
    "target_date": "Target date",
    "opened_on": "Set on",
    "closed_on": "Closed on",
    "number": "Version",
    "strengths": "Strengths",
    "barriers": "Barriers",
    "supports": "Supports",
    "review_on": "To be reviewed on",
    "signed_by_client_at": "Signed by you",
    "client_signature_method": "How you signed",
    "client_signature_name": "Your signature (name)",
    "signed_by_coach_at": "Signed by the coach",
    "coach_signer": "Coach who signed",
    "coach_signature_method": "How the coach signed",
    "coach_signature_name": "Coach's signature (name)",
    "coach_credential": "Coach's credential",
    "signed_goals": "Goals signed",
    "position": "Step",
    "action": "What to do",
    "who": "Who",
    "due_on": "By",
    "scheduled_at": "When",
    "location": "Where",
    "resource": "Place or service",
    "accompaniment_planned": "Coach to go along",
    "outcome_recorded_at": "Outcome recorded",
    "coach_accompanied": "Coach went along",
    "category": "Kind of service",
    "referred_on": "Referred on",
    "connected_on": "Connected on",
    "changed_on": "Changed on",
    "recorded_at": "Recorded",
    "administered_on": "Date",
    "total": "Total (10 to 60)",
    "model": "Fellowship",
    "frequency": "How often",
    "since": "Since",
    "ended_on": "Ended on",
    "recipient": "Recipient",
    "purpose": "Purpose",
    "information_disclosed": "Information that may be disclosed",
    "signed_on": "Signed on",
    "expires_on": "Expires on",
    "revoked_on": "Revoked on",
    "consent_type": "Type of consent",
    "categories": "Records it covers",
    "statements_version": "Version of its statements",
    "done_on": "Done on",
    "disclosed_at": "When",
    "what": "What was disclosed",
    "user": "Disclosed by",
    **{
        column: f"{n}. {statement}"
        for n, (column, statement) in enumerate(
            zip(ITEM_COLUMNS, BARC10_STATEMENTS, strict=True), 1
        )
    },
}
# Where one name means different things in different tables.
TABLE_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("clients", "created_at"): "Record opened",
    ("client_status_records", "kind"): "About",
    ("sessions", "kind"): "Type of session",
    ("appointments", "kind"): "Type of appointment",
    ("follow_up_interviews", "kind"): "Interview",
    ("disclosures", "kind"): "Kind",
    ("assessments", "coach"): "Given by",
    ("appointments", "notes"): "Notes",
    ("referrals", "notes"): "Notes",
}
# Shown on the page only in the JSON file: record keys and the links between records (the page
# nests a session's addenda under it instead), and the last-changed stamp.
PAGE_HIDDEN = frozenset(["id", "updated_at"])
ANSWERS = dict(BARC10_ANSWERS)


def field_label(table: str, name: str) -> str:
    return TABLE_FIELD_LABELS.get((table, name)) or FIELD_LABELS.get(name) or web.label(name)


def _coded_columns(table: Table) -> set[str]:
    """The columns kept inside an enumeration by an ``enum_check`` (``ck_<table>_<col>_valid``)."""
    prefix = f"ck_{table.name}_"
    return {
        c.name
        for c in table.c
        if any(
            isinstance(k, CheckConstraint) and str(k.name) == f"{prefix}{c.name}_valid"
            for k in table.constraints
        )
    }


def value_label(table: str, name: str, value: Any, row: dict[str, Any]) -> str | None:
    """How a coded value reads, with the labels the app shows it with elsewhere; ``None`` for
    a value that is not a code (text, a date, a number)."""
    if value is None or value == "":
        return None
    if table == "client_profiles" and name in DEMOGRAPHIC_FIELDS:
        return profile_value_label(DEMOGRAPHIC_FIELDS[name], value)
    if table == "client_status_records" and name == "kind":
        return STATUS_KIND_LABELS.get(value, web.label(value))
    if table == "client_status_records" and name == "status":
        enum_cls = LivingSituation if row.get("kind") == StatusKind.HOUSING else EmploymentStatus
        return profile_value_label(enum_cls, value)
    if table == "mutual_aid_attendance" and name == "model":
        return MODEL_LABELS.get(value, web.label(value))
    if table == "follow_up_interviews" and name == "kind":
        return INTERVIEW_LABELS.get(value, web.label(value))
    if table == "disclosures" and name == "kind":
        return KIND_WORDS.get(value, web.label(value))
    if table == "consent_records" and name == "categories":
        return ", ".join(consent_categories.labels(consent_categories.parse(value))) or None
    if table == "assessments" and name in ITEM_COLUMNS:
        return f"{value} ({ANSWERS.get(value, '')})"
    if table == "clients" and name in ("status", "support_person"):
        return web.label(value)
    if name in _coded_columns(_table(table)):
        return web.label(value)
    return None


def _text(value: Any, zone: ZoneInfo) -> str:
    """A value as the app's pages write it: dates ``2026-03-02``, moments as the program's
    wall-clock ``2026-03-02 10:15`` (appointments are stored as that already), yes or no."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


@dataclass
class Field:
    label: str
    text: str


@dataclass
class Entry:
    """One record as the page shows it: its filled-in fields, labelled, and the records below
    it (a session's addenda)."""

    fields: list[Field]
    children: list[tuple[Section, list[Entry]]]


@dataclass
class PatientCopy:
    client: Client
    program_name: str
    made_at: datetime
    identity: dict[str, Any]
    sections: list[tuple[Section, list[dict[str, Any]]]]

    @property
    def zone(self) -> ZoneInfo:
        return timeutil.zone(self.client.program)

    @property
    def as_of(self) -> date:
        return self.made_at.astimezone(self.zone).date()

    @property
    def introduction(self) -> str:
        return (
            f"This is a copy of everything {self.program_name} holds about you, as of "
            f"{self.as_of.isoformat()}: your contact details, your time in the program and your "
            "coaches, your goals and recovery plans, your sessions with their notes, your "
            "appointments, referrals, questionnaires and mutual aid groups, the consents you "
            "signed and everyone your information was disclosed to. It was made because you "
            "asked for it (42 CFR 2.23). Times are in the program's time zone "
            f"({self.client.program.timezone}). If anything here is unclear or wrong, ask your "
            "coach."
        )

    def identity_fields(self) -> list[Field]:
        return [
            Field(
                field_label("clients", name),
                value_label("clients", name, value, self.identity)
                or ("—" if value in (None, "") else _text(value, self.zone)),
            )
            for name, value in self.identity.items()
        ]

    def entries(self) -> list[tuple[Section, list[Entry]]]:
        """The sections of the page, records below another record nested under it."""
        zone = self.zone
        rows_of = {section.key: rows for section, rows in self.sections}
        below = {
            section.parent: section for section, _ in self.sections if section.parent is not None
        }

        grouped: dict[str, dict[Any, list[dict[str, Any]]]] = {}
        for child in below.values():
            for r in rows_of[child.key]:
                grouped.setdefault(child.key, {}).setdefault(r[child.link], []).append(r)

        def entry(section: Section, row: dict[str, Any]) -> Entry:
            child = below.get(section.key)
            children = []
            if child is not None:
                mine = grouped.get(child.key, {}).get(row["id"], [])
                children.append((child, [entry(child, r) for r in mine]))
            hidden = PAGE_HIDDEN | {section.link}
            names = [*section.lead, *(n for n in row if n not in section.lead)]
            fields = [
                Field(
                    field_label(section.table, name),
                    value_label(section.table, name, row[name], row) or _text(row[name], zone),
                )
                for name in names
                if name not in hidden
                and not name.endswith("_id")
                and row[name] is not None
                and row[name] != ""
            ]
            return Entry(fields, children)

        return [
            (section, [entry(section, row) for row in rows])
            for section, rows in self.sections
            if section.parent is None
        ]

    def as_json(self) -> dict[str, Any]:
        """The JSON file: stable snake_case keys and every stored value (codes as stored, with
        a ``<name>_label`` beside each; moments in the program's time, with their offset)."""
        zone = self.zone

        def out(table: str, row: dict[str, Any]) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for name, value in row.items():
                result[name] = _json(value, zone)
                readable = value_label(table, name, value, row)
                if readable is not None:
                    result[f"{name}_label"] = readable
            return result

        return {
            "program": self.program_name,
            "made_at": _json(self.made_at, zone),
            "as_of": self.as_of.isoformat(),
            "time_zone": self.client.program.timezone,
            "introduction": self.introduction,
            "sections": {"client": "Identity and contact"}
            | {section.key: section.title for section, _ in self.sections},
            "client": out("clients", self.identity),
            **{
                section.key: [out(section.table, row) for row in rows]
                for section, rows in self.sections
            },
        }


def _stored_utc(table: Table, name: str) -> bool:
    """A moment stored in UTC (``DateTime(timezone=True)``), not a wall-clock time (an
    appointment's ``scheduled_at`` is the program's local time)."""
    return bool(getattr(table.c[name].type, "timezone", False))


def _json(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone).isoformat()
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
