"""A client's 42 CFR Part 2 consents: list, record, revoke, and the summary a consent permits
(only the categories it names; each summary is a recorded disclosure; refused, audited, when
the consent is not in force)."""

from __future__ import annotations

from flask import abort

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import (
    audit_read,
    committing,
    refuse,
    scoped_client,
    scoped_record,
    today,
)
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import NoArgs, PageArgs
from coachapp.api.schemas.consents import (
    ConsentCreateSchema,
    ConsentPage,
    ConsentRevokeSchema,
    ConsentSchema,
    ConsentSummarySchema,
)
from coachapp.consents import categories, queries, services, statements
from coachapp.consents.statements import REDISCLOSURE_NOTICE
from coachapp.extensions import db
from coachapp.models import ConsentRecord

# The services name the free text as the form does.
RENAME = {"information_disclosed": "other"}


def consent_out(consent: ConsentRecord) -> dict:
    return {
        "id": consent.id,
        "client_id": consent.client_id,
        "consent_type": consent.consent_type,
        "recipient": consent.recipient,
        "purpose": consent.purpose,
        "categories": [c.value for c in categories.parse(consent.categories)],
        "other": consent.information_disclosed or "",
        "signed_on": consent.signed_on,
        "expires_on": consent.expires_on,
        "revoked_on": consent.revoked_on,
        "statements_version": consent.statements_version,
    }


@blp.route("/clients/<int:client_id>/consents", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, ConsentPage)
def list_consents(args, client_id: int):
    """The client's consents, the latest signed first (revoked and expired ones included)."""
    client = scoped_client(client_id)
    audit_read(client, "consent_record")
    query = (
        access.client_child_select(ConsentRecord, api_user())
        .where(ConsentRecord.client_id == client.id)
        .order_by(ConsentRecord.signed_on.desc(), ConsentRecord.id.desc())
    )
    page = paginate(query, args)
    page["items"] = [consent_out(c) for c in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/consents", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(ConsentCreateSchema)
@blp.response(201, ConsentSchema)
def create_consent(data, client_id: int):
    """Record a signed consent. ``categories`` name what it allows (at least one, or
    ``other``); a ``tpo`` consent needs ``statements_given: true`` and keeps the version of
    the statements given. ``signed_on`` defaults to today."""
    client = scoped_client(client_id)
    on = today(client.program)
    data.setdefault("signed_on", on)
    values = {
        "consent_type": data["consent_type"],
        "recipient": data["recipient"].strip(),
        "purpose": data["purpose"].strip(),
        "categories": data["categories"],
        "information_disclosed": (data.get("other") or "").strip(),
        "signed_on": data["signed_on"],
        "expires_on": data.get("expires_on"),
        "statements_given": data["statements_given"],
    }
    with committing(RENAME):
        consent = services.add_consent(client, values, today=on, actor=api_user())
        db.session.flush()
        out = consent_out(consent)
    return out


@blp.route("/consents/<int:consent_id>/revoke", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(ConsentRevokeSchema)
@blp.response(200, ConsentSchema)
def revoke_consent(data, consent_id: int):
    """Revoke a consent from ``revoked_on`` (not in the future): later summaries are refused;
    disclosures made before stay on the record."""
    consent = scoped_record(ConsentRecord, consent_id)
    if data.get("revoked_on") is None:
        refuse("revoked_on", "Give the date the consent was revoked.")
    on = today(consent.client.program)
    with committing():
        services.revoke(consent, on=data["revoked_on"], today=on, actor=api_user())
        out = consent_out(consent)
    return out


def _summary_out(consent: ConsentRecord, sections: dict, on) -> dict:
    client = consent.client
    out: dict = {
        "consent": consent_out(consent),
        "prepared_on": on,
        "client": {
            "id": client.id,
            "code": client.code,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "date_of_birth": client.date_of_birth,
        },
        "notice": REDISCLOSURE_NOTICE,
    }
    given = statements.get(consent.statements_version)
    if given is not None:
        out["statements"] = dict(given.items())
    for name, value in sections.items():
        if name == "enrollment":
            value = [
                {
                    "intake_date": e.intake_date,
                    "discharge_date": e.discharge_date,
                    "discharge_reason": e.discharge_reason,
                }
                for e in value
            ]
        out[name] = value
    return out


@blp.route("/consents/<int:consent_id>/summary", methods=["GET"])
@token_required()
@blp.arguments(NoArgs, location="query")
@blp.response(200, ConsentSummarySchema)
def consent_summary(args, consent_id: int):
    """What the consent permits, and only that, for its recipient; given out, it is a recorded
    disclosure. A consent revoked, expired or not yet in force answers 403 (the refusal is
    audited)."""
    consent = scoped_record(ConsentRecord, consent_id)
    client = scoped_client(consent.client_id)
    on = today(client.program)
    reason = services.refusal(consent, on)
    if reason is not None:
        services.refuse_summary(consent, reason, actor=api_user())
        db.session.commit()
        abort(403, description=f"This consent is {reason}: no summary can be given under it.")
    sections = queries.disclosure_summary(client, consent, api_user())
    services.disclose_summary(consent, list(sections), actor=api_user())
    db.session.commit()
    return _summary_out(consent, sections, on)
