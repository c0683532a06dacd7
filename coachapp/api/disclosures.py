"""The accounting of disclosures of a client (42 CFR 2.24, 2.25), by the access rule."""

from __future__ import annotations

from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import audit_read, scoped_client, utc
from coachapp.api.pagination import paginate
from coachapp.api.schemas import PageArgs
from coachapp.api.schemas.disclosures import DisclosurePage
from coachapp.disclosures import queries
from coachapp.models import Disclosure


def disclosure_out(row: Disclosure) -> dict:
    return {
        "id": row.id,
        "client_id": row.client_id,
        "disclosed_at": utc(row.disclosed_at),
        "kind": row.kind,
        "recipient": row.recipient,
        "purpose": row.purpose,
        "what": row.what,
        "consent_id": row.consent_id,
    }


@blp.route("/clients/<int:client_id>/disclosures", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, DisclosurePage)
def list_disclosures(args, client_id: int):
    """The client's disclosures of the last three years (the program's calendar), newest
    first. Reading them is a view of the client (audited)."""
    client = scoped_client(client_id)
    audit_read(client, "disclosure_accounting")
    query = queries.accounting_query(api_user(), client, queries.accounting_period(client))
    page = paginate(query, args)
    page["items"] = [disclosure_out(row) for row in page["items"]]
    return page
