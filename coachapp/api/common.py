"""What the record endpoints share: the scoped client and record, one commit per request with
the services' rule errors as 422 and stale versions as 409, the read audit, local times."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timezone

from flask import abort
from sqlalchemy.orm.exc import StaleDataError

from coachapp import access, audit, records, timeutil
from coachapp.api import idempotency
from coachapp.api.auth import api_user
from coachapp.extensions import db
from coachapp.models import Client, Program
from coachapp.models.enums import AuditAction


def scoped_client(client_id: int) -> Client:
    """The client if the token's user may reach it; 404 otherwise (like a missing one)."""
    client = access.get_client_or_404(client_id, api_user())
    access.mark_client_data()
    return client


def scoped_record(model: type, record_id: int):
    """A client-linked record reached through its scoped client; 404 outside or archived."""
    record = access.get_child_or_404(model, record_id, api_user())
    access.mark_client_data()
    return record


def refuse(field: str, message: str):
    """A 422 naming one field."""
    abort(422, description={field: [message]})


def check_version(record, version: int | None) -> None:
    """A PATCH's ``version``, when given, must be the record's: 409 otherwise."""
    try:
        records.ensure_version(record, version)
    except records.StaleRecordError:
        abort(409)


@contextmanager
def committing(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Run the services of one request, then commit once. A rule a service refuses
    (any ``records.RuleError``) answers 422 naming each field as the API names it
    (``rename`` maps the services' form field names), a stale version 409; in both cases
    nothing is saved. With an ``Idempotency-Key`` the commit is the key's, right after the
    answer is made (``idempotency.commit``)."""
    rename = rename or {}
    try:
        yield
        idempotency.commit()
    except records.RuleError as exc:
        db.session.rollback()
        fields: dict[str, list[str]] = {}
        for name, message in exc.errors.items():
            messages = fields.setdefault(rename.get(name, name), [])
            if message not in messages:  # several form fields may be one API field
                messages.append(message)
        abort(422, description=fields)
    except (records.StaleRecordError, StaleDataError):
        db.session.rollback()
        abort(409)


def audit_read(client: Client, entity_type: str) -> None:
    """Reading a client's records is a view of that client (security.md): one event, saved
    before the rows are read."""
    audit.record(
        AuditAction.VIEW,
        actor=api_user(),
        entity_type=entity_type,
        client_id=client.id,
    )
    db.session.commit()


def today(program: Program | None) -> date:
    return timeutil.local_today(program)


def program_wall_clock(moment: datetime, program: Program | None) -> datetime:
    """A datetime as the naive wall-clock time of the program's zone (how appointments are
    stored): naive values already are; values with an offset are converted."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timeutil.zone(program)).replace(tzinfo=None)


def utc(moment: datetime | None) -> datetime | None:
    """A stored UTC time with its offset (SQLite hands them back naive)."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
