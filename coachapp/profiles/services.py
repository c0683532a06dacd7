"""The client profile funders ask for: intake demographics and a dated housing and employment
history. Services write and audit (field names only, never values); the read helpers answer
"what is their status now" and "what was it at intake" the same way for the pages, the API and
the reports.

No HTTP here: views pass plain values and commit once after a service succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.models import Client, ClientProfile, ClientStatusRecord, Enrollment, User
from coachapp.models.enums import AuditAction, StatusKind
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS, STATUS_VALUES
from coachapp.profiles.labels import KIND_LABELS, value_label

#: How long after the intake date a first status still counts as the status at intake.
INTAKE_WINDOW_DAYS = 30

FUTURE_MESSAGE = "This date is in the future."


class ProfileRuleError(records.RuleError):
    """A request the rules refuse; ``errors`` names each form field to blame (``""``: the
    record as a whole)."""


# --- Demographics ----------------------------------------------------------------------------


def get_profile(client: Client) -> ClientProfile | None:
    """The client's demographics row, or None when nothing was ever recorded (all "not asked
    yet"). ``client`` has been reached through the access rule."""
    return db.session.scalar(_PROFILE, {"profile_client_id": client.id})


# Built once: the client page asks them on every view.
_PROFILE = select(ClientProfile).where(ClientProfile.client_id == bindparam("profile_client_id"))
_STATUS_ROWS = (
    select(ClientStatusRecord)
    .where(
        ClientStatusRecord.client_id == bindparam("status_client_id"),
        ClientStatusRecord.archived_at.is_(None),
    )
    .order_by(ClientStatusRecord.as_of.desc(), ClientStatusRecord.id.desc())
)


def check_profile(data: dict) -> None:
    """The rules of ``update_profile``, asked without writing: each given field empty (not asked
    yet) or one of its values ("declined" included). Raises ``ProfileRuleError`` naming every
    field refused."""
    problems = {
        name: "Choose a value from the list."
        for name, enum_cls in DEMOGRAPHIC_FIELDS.items()
        if data.get(name) not in (None, *(m.value for m in enum_cls))
    }
    unknown = set(data) - set(DEMOGRAPHIC_FIELDS)
    for name in sorted(unknown):
        problems[name] = "Not a field of the profile."
    if problems:
        raise ProfileRuleError(problems)


def update_profile(
    client: Client, data: dict, *, actor: User, expected_version: int | None
) -> list[str]:
    """Set the client's demographics. ``data`` maps some of ``DEMOGRAPHIC_FIELDS`` to a value
    or None (not asked yet); fields left out keep theirs. ``expected_version`` is the profile's
    version the form or API client read (None: not checked; a client with no profile yet is at
    version 0): a stale one raises ``records.StaleRecordError`` and nothing is written.
    Returns the names of the fields changed; the audit event carries those names only."""
    actor_id = actor.id  # read first: loading it must not flush the profile half-changed
    profile = get_profile(client)
    current = profile.version if profile is not None else 0
    if expected_version is not None and int(expected_version) != current:
        raise records.StaleRecordError(records.StaleRecordError.message)
    check_profile(data)
    if profile is None:
        changed = sorted(name for name, value in data.items() if value is not None)
        if not changed:
            return []
        profile = ClientProfile(client_id=client.id, updated_by_id=actor_id, **data)
        try:
            with db.session.begin_nested():
                db.session.add(profile)
                db.session.flush()
        except IntegrityError:
            # Someone saved this client's first profile at the same moment: theirs stands.
            raise records.StaleRecordError(records.StaleRecordError.message) from None
    else:
        changed = records.apply_changes(profile, data)
        if not changed:
            return []
        profile.updated_by_id = actor_id
        db.session.flush()
    audit.record(
        AuditAction.UPDATE if current else AuditAction.CREATE,
        actor=actor,
        entity_type="client_profile",
        entity_id=profile.id,
        client_id=client.id,
        fields=changed,
    )
    return changed


def profile_version(profile: ClientProfile | None) -> int:
    """The version a form or API client sends back: 0 while no profile row exists."""
    return profile.version if profile is not None else 0


def age_band(date_of_birth: date | None, on: date | None) -> str | None:
    """The age band funders count by (under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65 and
    over) on ``on`` (an episode's intake date); None when either date is missing."""
    if date_of_birth is None or on is None:
        return None
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    if age < 18:
        return "Under 18"
    for upper, band in ((24, "18–24"), (34, "25–34"), (44, "35–44"), (54, "45–54"), (64, "55–64")):
        if age <= upper:
            return band
    return "65 and over"


# --- Housing and employment history ----------------------------------------------------------


def first_intake(client: Client) -> date | None:
    """The intake date of the client's first episode."""
    return db.session.scalar(
        select(Enrollment.intake_date)
        .where(Enrollment.client_id == client.id)
        .order_by(Enrollment.intake_date)
        .limit(1)
    )


def latest_intake(client: Client) -> date | None:
    """The intake date of the client's latest episode (the one the status at intake is of)."""
    return db.session.scalar(
        select(Enrollment.intake_date)
        .where(Enrollment.client_id == client.id)
        .order_by(Enrollment.intake_date.desc(), Enrollment.id.desc())
        .limit(1)
    )


def history(client: Client, kind: str) -> list[ClientStatusRecord]:
    """The client's statuses of ``kind`` (housing or employment), newest first (by date, then
    by entry); rows archived as mistakes are left out."""
    return list(
        db.session.scalars(
            select(ClientStatusRecord)
            .where(
                ClientStatusRecord.client_id == client.id,
                ClientStatusRecord.kind == kind,
                ClientStatusRecord.archived_at.is_(None),
            )
            .order_by(ClientStatusRecord.as_of.desc(), ClientStatusRecord.id.desc())
        )
    )


def status_on(rows: list[ClientStatusRecord], on: date) -> ClientStatusRecord | None:
    """Of ``rows`` (one kind, newest first as ``history`` gives them), the one in force on
    ``on``: the latest dated on or before it."""
    return next((row for row in rows if row.as_of <= on), None)


def status_at_intake_of(
    rows: list[ClientStatusRecord], intake: date | None
) -> ClientStatusRecord | None:
    """Of ``rows`` (one kind, newest first), the status at intake: the latest row dated on or
    before the intake date; when there is none, the earliest row dated within
    ``INTAKE_WINDOW_DAYS`` (30) days after it (a status first asked at the second or third
    meeting still describes the client as they came in); otherwise None (not recorded)."""
    if intake is None:
        return None
    before = status_on(rows, intake)
    if before is not None:
        return before
    window_end = intake + timedelta(days=INTAKE_WINDOW_DAYS)
    after = [row for row in rows if intake < row.as_of <= window_end]
    return after[-1] if after else None


def current_status(client: Client, kind: str) -> ClientStatusRecord | None:
    """The client's status of ``kind`` now: the latest row dated on or before the program's
    today (no row is ever dated later)."""
    return status_on(history(client, kind), timeutil.local_today(client.program))


def status_at_intake(client: Client, kind: str) -> ClientStatusRecord | None:
    """The client's status of ``kind`` at the intake of their latest episode: the latest row
    dated on or before that intake date, else the earliest row dated within 30 days after it,
    else None. See ``status_at_intake_of``."""
    return status_at_intake_of(history(client, kind), latest_intake(client))


def check_status(client: Client, kind: str | None, status: str | None, as_of: date | None) -> None:
    """The rules of ``record_status``, asked without writing: a kind and one of its values; a
    date that has come, not before the client's first intake, with no other row of that kind
    on the same day; and a status that is not already theirs on that date. Raises
    ``ProfileRuleError`` naming every field refused (``status``, ``as_of``; ``kind``)."""
    problems: dict[str, str] = {}
    if kind not in set(StatusKind):
        raise ProfileRuleError("kind", "Choose housing or employment.")
    if status not in {m.value for m in STATUS_VALUES[kind]}:
        problems["status"] = "Choose a status from the list."
    if as_of is None:
        problems["as_of"] = "Give the date this became true."
    elif as_of > timeutil.local_today(client.program):
        problems["as_of"] = FUTURE_MESSAGE
    else:
        first = first_intake(client)
        if first is not None and as_of < first:
            problems["as_of"] = (
                f"This date is before the client's first intake ({first.isoformat()})."
            )
    if problems:
        raise ProfileRuleError(problems)
    rows = history(client, kind)
    if any(row.as_of == as_of for row in rows):
        problems["as_of"] = (
            f"A {KIND_LABELS[kind].lower()} status is already recorded on this date. If it was a "
            "mistake, mark it as entered by mistake first."
        )
    else:
        in_force = status_on(rows, as_of)
        if in_force is not None and in_force.status == status:
            problems["status"] = (
                f"This is already their {KIND_LABELS[kind].lower()} status on that date "
                f"(since {in_force.as_of.isoformat()})."
            )
    if problems:
        raise ProfileRuleError(problems)


def record_status(
    client: Client, kind: str, status: str, as_of: date, *, actor: User
) -> ClientStatusRecord:
    """Add a dated housing or employment status (a change adds a row; nothing is overwritten,
    so the status at intake stays readable). Refused by ``check_status``'s rules."""
    check_status(client, kind, status, as_of)
    row = ClientStatusRecord(
        client_id=client.id, kind=kind, status=status, as_of=as_of, recorded_by_id=actor.id
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="client_status_record",
        entity_id=row.id,
        client_id=client.id,
        fields=["kind", "status", "as_of"],
    )
    return row


def record_intake_statuses(
    client: Client, statuses: dict[str, str | None], *, on: date, actor: User
) -> list[ClientStatusRecord]:
    """At intake: the housing and employment status given (None: not asked), each added as of
    the intake date ``on``. A refusal names the intake form's field (``housing_status``...)."""
    rows = []
    for kind, status in statuses.items():
        if status is None:
            continue
        try:
            rows.append(record_status(client, kind, status, on, actor=actor))
        except ProfileRuleError as exc:
            raise ProfileRuleError({f"{kind}_status": exc.message}) from None
    return rows


def check_archive(record: ClientStatusRecord, reason: str | None) -> None:
    """The rules of ``archive_status``: a row not archived already, and a reason."""
    problems: dict[str, str] = {}
    if record.archived_at is not None:
        problems[""] = "This status was archived already."
    if not (reason or "").strip():
        problems["reason"] = "Give a reason."
    if problems:
        raise ProfileRuleError(problems)


def archive_status(record: ClientStatusRecord, reason: str, *, actor: User) -> None:
    """Archive (never delete) a status entered by mistake: who, when and why; audited. The
    history and the status at intake read as if it had never been entered."""
    check_archive(record, reason)
    records.archive(record, actor=actor, reason=reason, client_id=record.client_id)


# --- What the pages show ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatusSummary:
    """One kind's line of the client page: the status now (and since when) and at intake."""

    kind: str
    now: ClientStatusRecord | None
    at_intake: ClientStatusRecord | None
    rows: list[ClientStatusRecord]

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def text(self, row: ClientStatusRecord | None) -> str:
        if row is None:
            return "Not recorded"
        return value_label(STATUS_VALUES[self.kind], row.status)


def summaries(client: Client) -> dict[str, StatusSummary]:
    """Housing and employment now and at intake, from one query of the client's rows."""
    rows = db.session.scalars(_STATUS_ROWS, {"status_client_id": client.id}).all()
    episode = client.latest_enrollment
    intake = episode.intake_date if episode is not None else None
    today = timeutil.local_today(client.program)
    found = {}
    for kind in StatusKind:
        of_kind = [row for row in rows if row.kind == kind]
        found[kind.value] = StatusSummary(
            kind=kind.value,
            now=status_on(of_kind, today),
            at_intake=status_at_intake_of(of_kind, intake),
            rows=of_kind,
        )
    return found
