"""Consent records: add and revoke (a consent is never edited or deleted), audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from coachapp import audit, records
from coachapp.extensions import db
from coachapp.models import Client, ConsentRecord, User
from coachapp.models.enums import AuditAction

CONSENT_FIELDS = ("recipient", "purpose", "information_disclosed", "signed_on", "expires_on")


class ConsentError(records.RuleError):
    """A consent the rules refuse; ``errors`` names each field to blame."""


def in_force(consent: ConsentRecord, on: date) -> bool:
    return (
        consent.archived_at is None
        and consent.signed_on <= on
        and (consent.expires_on is None or consent.expires_on >= on)
        and (consent.revoked_on is None or consent.revoked_on > on)
    )


# Built once: the client page asks it on every view.
_CONSENTS_OF = (
    select(ConsentRecord)
    .where(
        ConsentRecord.client_id == bindparam("consents_client_id"),
        ConsentRecord.archived_at.is_(None),
    )
    .order_by(ConsentRecord.signed_on.desc(), ConsentRecord.id.desc())
)


def consents_of(client: Client) -> list[ConsentRecord]:
    return list(db.session.scalars(_CONSENTS_OF, {"consents_client_id": client.id}))


def check_consent(data: dict, *, today: date) -> None:
    """The rules of ``add_consent``, asked without writing: signed on a day that has come
    (``today``, the program's). Raises ``ConsentError``."""
    signed_on = data.get("signed_on")
    if isinstance(signed_on, date) and signed_on > today:
        raise ConsentError("signed_on", "This date is in the future.")


def add_consent(client: Client, data: dict, *, today: date, actor: User) -> ConsentRecord:
    """Record a signed consent; the client's "consent on file" follows the latest one."""
    check_consent(data, today=today)
    consent = ConsentRecord(
        client_id=client.id,
        recorded_by_id=actor.id,
        **{key: data.get(key) for key in CONSENT_FIELDS},
    )
    db.session.add(consent)
    client.consent_on_file = True
    if client.consent_date is None or consent.signed_on > client.consent_date:
        client.consent_date = consent.signed_on
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="consent_record",
        entity_id=consent.id,
        client_id=client.id,
        fields=[k for k in CONSENT_FIELDS if data.get(k)],
    )
    return consent


def revoke(consent: ConsentRecord, *, on: date, today: date, actor: User) -> None:
    if consent.revoked_on is not None:
        raise ConsentError("revoked_on", "This consent is revoked already.")
    if on > today:
        raise ConsentError("revoked_on", "This date is in the future.")
    if on < consent.signed_on:
        raise ConsentError("revoked_on", "A consent cannot be revoked before it was signed.")
    consent.revoked_on = on
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="consent_record",
        entity_id=consent.id,
        client_id=consent.client_id,
        fields=["revoked_on"],
    )
