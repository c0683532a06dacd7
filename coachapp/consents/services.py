"""Consent records: add and revoke (a consent is never edited or deleted), audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from coachapp import audit, records
from coachapp.consents import categories as consent_categories
from coachapp.consents import statements
from coachapp.disclosures import services as disclosures
from coachapp.extensions import db
from coachapp.models import Client, ConsentRecord, User
from coachapp.models.enums import AuditAction, ConsentCategory, ConsentType, DisclosureKind

CONSENT_FIELDS = (
    "consent_type",
    "recipient",
    "purpose",
    "categories",
    "information_disclosed",
    "signed_on",
    "expires_on",
)
CATEGORIES_MESSAGE = "Tick what may be disclosed, or describe it under Anything else."
STATEMENTS_MESSAGE = "A TPO consent needs the required statements given to the client: tick here."


class ConsentError(records.RuleError):
    """A consent the rules refuse; ``errors`` names each field to blame."""


def refusal(consent: ConsentRecord, on: date) -> str | None:
    """Why ``consent`` permits no disclosure on ``on`` (None while it is in force)."""
    if consent.archived_at is not None:
        return "archived"
    if consent.revoked_on is not None and consent.revoked_on <= on:
        return "revoked"
    if consent.expires_on is not None and consent.expires_on < on:
        return "expired"
    if consent.signed_on > on:
        return "not yet in force"
    return None


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
    (``today``, the program's); a kind of consent that exists; categories that exist, and at
    least one of them or a free text; a TPO consent only with the required statements given.
    Raises ``ConsentError`` naming every field refused."""
    problems: dict[str, str] = {}
    signed_on = data.get("signed_on")
    if isinstance(signed_on, date) and signed_on > today:
        problems["signed_on"] = "This date is in the future."
    expires_on = data.get("expires_on")
    if isinstance(signed_on, date) and isinstance(expires_on, date) and expires_on < signed_on:
        problems["expires_on"] = "A consent cannot expire before it is signed."
    consent_type = data.get("consent_type") or ConsentType.SPECIFIC
    if consent_type not in {t.value for t in ConsentType}:
        problems["consent_type"] = "Choose the kind of consent."
    chosen = data.get("categories") or []
    known = {c.value for c in ConsentCategory}
    unknown = [str(c) for c in chosen if c not in known]
    if unknown:
        problems["categories"] = (
            "Not a kind of information a consent can name: " + ", ".join(sorted(unknown)[:7])[:200]
        )
    elif not chosen and not (data.get("information_disclosed") or "").strip():
        problems["categories"] = CATEGORIES_MESSAGE
    if consent_type == ConsentType.TPO and not data.get("statements_given"):
        problems["statements_given"] = STATEMENTS_MESSAGE
    if problems:
        raise ConsentError(problems)


def add_consent(client: Client, data: dict, *, today: date, actor: User) -> ConsentRecord:
    """Record a signed consent; the client's "consent on file" follows the latest one."""
    check_consent(data, today=today)
    consent_type = str(data.get("consent_type") or ConsentType.SPECIFIC)
    consent = ConsentRecord(
        client_id=client.id,
        recorded_by_id=actor.id,
        consent_type=consent_type,
        recipient=data["recipient"],
        purpose=data["purpose"],
        categories=consent_categories.store(data.get("categories") or []),
        information_disclosed=(data.get("information_disclosed") or "").strip(),
        signed_on=data["signed_on"],
        expires_on=data.get("expires_on"),
        # The wording the client was given now: kept, so a later wording never rewrites it.
        statements_version=statements.CURRENT if consent_type == ConsentType.TPO else None,
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
        fields=[k for k in CONSENT_FIELDS if data.get(k)]
        + (["statements_version"] if consent.statements_version else []),
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


def refuse_summary(consent: ConsentRecord, reason: str, *, actor: User) -> None:
    """A summary asked for a consent not in force: refused, and the refusal audited (the view
    commits it even though the request answers 403)."""
    audit.record(
        AuditAction.ACCESS_DENIED,
        actor=actor,
        entity_type="consent_record",
        entity_id=consent.id,
        client_id=consent.client_id,
        detail=f"disclosure summary refused: consent {reason}",
    )


def disclose_summary(consent: ConsentRecord, carried: list, *, actor: User) -> None:
    """A summary given out under ``consent``, carrying the categories ``carried``: the audit
    event and the disclosure it makes (42 CFR 2.24), in one transaction (the caller commits)."""
    what = ", ".join(consent_categories.labels(carried)) or "No records (the consent's own words)"
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        entity_type="consent_record",
        entity_id=consent.id,
        client_id=consent.client_id,
        detail="disclosure summary",
    )
    disclosures.record(
        DisclosureKind.CONSENT_SUMMARY,
        client_id=consent.client_id,
        consent=consent,
        recipient=consent.recipient,
        purpose=consent.purpose,
        what=what,
        actor=actor,
    )
