"""The accounting of disclosures, per client, and the client's copy of their record."""

from __future__ import annotations

import json

from flask import Response, abort, render_template
from flask_login import current_user

from coachapp import access, audit, web
from coachapp.disclosures import bp, queries, services
from coachapp.disclosures.forms import PatientCopyForm
from coachapp.disclosures.labels import KIND_WORDS
from coachapp.extensions import db
from coachapp.models import Client
from coachapp.models.enums import AuditAction


@bp.route("/clients/<int:client_id>/disclosures")
@access.client_route
def accounting(client: Client):
    """Every disclosure of the client's information of the last three years, newest first;
    printable for the client. Viewing it is audited."""
    period = queries.accounting_period(client)
    audit.record(
        AuditAction.VIEW,
        actor=current_user,
        entity_type="disclosure_accounting",
        entity_id=client.id,
        client_id=client.id,
    )
    db.session.commit()
    rows = queries.accounting(current_user, client, period)
    return render_template(
        "disclosures/accounting.html",
        client=client,
        period=period,
        rows=rows,
        kinds=KIND_WORDS,
    )


@bp.route("/clients/<int:client_id>/copy", methods=["GET", "POST"])
@access.client_route
def patient_copy(client: Client):
    """The client's copy of their record, made on their request by their coach or supervisor:
    a printable page, or a JSON file (``format=json``). Audited as an export and recorded as a
    disclosure to the client."""
    if not access.can_make_patient_copy(current_user, client):
        abort(403)
    form = PatientCopyForm()
    if not form.validate_on_submit():
        return web.form_page("disclosures/copy_form.html", form, client=client)
    made = services.make_patient_copy(
        client, actor=current_user, fmt=form.format.data, note=form.note.data
    )
    db.session.commit()
    if form.format.data == "json":
        body = json.dumps(made.as_json(), indent=2, ensure_ascii=False, default=str)
        return Response(
            body + "\n",
            mimetype="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="record-{client.code}.json"',
                "Cache-Control": "no-store",
            },
        )
    return render_template("disclosures/copy.html", copy=made, client=client)
