from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.consents import bp, categories, queries, services, statements
from coachapp.consents.forms import ConsentForm, RevokeForm
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.models import Client, ConsentRecord

CONSENTS = "consents"  # the client page's consents section

REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
    "that describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, "
    "against the patient, unless authorized by the consent of the patient, except as provided "
    "at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
    "In addition, the Federal rules prohibit you from making any further disclosure of this "
    "record unless authorized by the written consent of the person to whom it pertains, or as "
    "otherwise permitted by 42 CFR part 2. A general authorization for the release of medical "
    "or other information is NOT sufficient for this purpose (see 42 CFR 2.31)."
)


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
