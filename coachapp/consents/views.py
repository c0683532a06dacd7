from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.consents import bp, categories, queries, services, statements
from coachapp.consents.forms import ConsentForm, RevokeForm
from coachapp.consents.statements import REDISCLOSURE_NOTICE
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.models import Client, ConsentRecord

CONSENTS = "consents"  # the client page's consents section


@bp.route("/clients/<int:client_id>/consents/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    today = timeutil.local_today(client.program)
    form = ConsentForm()
    if request.method == "GET":
        form.signed_on.data = today
    data = form.consent_data()
    if validate_in_one_pass(form, lambda: services.check_consent(data, today=today)):
        with web.saving(form) as saved:
            services.add_consent(client, data, today=today, actor=current_user)
        if saved:
            flash("Consent recorded.", "success")
            return web.client_page(client, CONSENTS)
    return web.form_page(
        "consents/new.html",
        form,
        client=client,
        categories=categories.CATEGORIES,
        statements=statements.current(),
        recipient_suggestion=statements.TPO_RECIPIENT_SUGGESTION,
    )


@bp.route("/consents/<int:consent_id>/revoke", methods=["POST"])
@access.record_route(ConsentRecord, "consent_id")
def revoke(record: ConsentRecord, client: Client):
    form = RevokeForm()
    today = timeutil.local_today(client.program)
    if not form.validate_on_submit():
        flash("Give the date the consent was revoked.", "error")
    else:
        try:
            services.revoke(record, on=form.revoked_on.data, today=today, actor=current_user)
        except services.ConsentError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Consent revoked.", "success")
    return web.client_page(client, CONSENTS)


def summary_or_refusal(record: ConsentRecord, client: Client) -> dict:
    """The summary ``record`` permits today, its disclosure recorded with the audit event and
    committed; or, for a consent not in force, the refusal audited, committed, and a 403."""
    today = timeutil.local_today(client.program)
    reason = services.refusal(record, today)
    if reason is not None:
        services.refuse_summary(record, reason, actor=current_user)
        db.session.commit()
        abort(403, description=f"This consent is {reason}: no summary can be given under it.")
    sections = queries.disclosure_summary(client, record, current_user)
    services.disclose_summary(record, list(sections), actor=current_user)
    db.session.commit()
    return {"today": today, "sections": sections}


@bp.route("/consents/<int:consent_id>/summary")
@access.record_route(ConsentRecord, "consent_id")
def summary(record: ConsentRecord, client: Client):
    """A printable summary for the consent's recipient, only while the consent is in force,
    carrying only what the consent names and the redisclosure notice of 42 CFR 2.32. Printing
    it is a disclosure: audited and recorded."""
    result = summary_or_refusal(record, client)
    return render_template(
        "consents/summary.html",
        client=client,
        consent=record,
        notice=REDISCLOSURE_NOTICE,
        today=result["today"],
        sections=result["sections"],
        category_labels={c.value: label for c, (label, _h) in categories.CATEGORIES.items()},
        named=categories.parse(record.categories),
        statements=statements.get(record.statements_version),
    )
