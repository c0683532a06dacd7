from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from coachapp import access, audit, timeutil
from coachapp.consents import bp, services
from coachapp.consents.forms import ConsentForm, RevokeForm
from coachapp.extensions import db
from coachapp.forms import show_rule_errors, validate_in_one_pass
from coachapp.models import (
    Appointment,
    Client,
    CoachingSession,
    ConsentRecord,
    Enrollment,
    Goal,
    Referral,
)
from coachapp.models.enums import AuditAction, SessionOutcome

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
    data = {key: getattr(form, key).data for key in services.CONSENT_FIELDS}
    if validate_in_one_pass(form, lambda: services.check_consent(data, today=today)):
        try:
            services.add_consent(client, data, today=today, actor=current_user)
        except services.ConsentError as exc:
            db.session.rollback()
            show_rule_errors(form, exc.errors)
        else:
            db.session.commit()
            flash("Consent recorded.", "success")
            return redirect(url_for("clients.detail", client_id=client.id) + "#consents")
    g.client_data = True
    status = 422 if request.method == "POST" else 200
    return render_template("consents/new.html", form=form, client=client), status


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
    return redirect(url_for("clients.detail", client_id=client.id) + "#consents")


@bp.route("/consents/<int:consent_id>/summary")
@access.record_route(ConsentRecord, "consent_id")
def summary(record: ConsentRecord, client: Client):
    """A printable summary for the consent's recipient, only while the consent is in force,
    carrying the redisclosure notice of 42 CFR 2.32. Printing it is a disclosure: audited."""
    today = timeutil.local_today(client.program)
    if not services.in_force(record, today):
        abort(403)
    audit.record(
        AuditAction.EXPORT,
        actor=current_user,
        entity_type="consent_record",
        entity_id=record.id,
        client_id=client.id,
        detail="disclosure summary",
    )
    db.session.commit()
    episodes = db.session.scalars(
        select(Enrollment).where(Enrollment.client_id == client.id).order_by(Enrollment.intake_date)
    ).all()
    goals = db.session.scalars(
        access.client_child_select(Goal, current_user)
        .where(Goal.client_id == client.id)
        .order_by(Goal.opened_on)
    ).all()
    contacts = db.session.execute(
        select(func.count(CoachingSession.id), func.max(CoachingSession.date)).where(
            CoachingSession.client_id == client.id,
            CoachingSession.archived_at.is_(None),
            CoachingSession.outcome == SessionOutcome.COMPLETED,
        )
    ).one()
    appointments = db.session.scalars(
        access.client_child_select(Appointment, current_user)
        .where(Appointment.client_id == client.id)
        .order_by(Appointment.scheduled_at.desc())
        .limit(20)
    ).all()
    referrals = db.session.scalars(
        access.client_child_select(Referral, current_user)
        .where(Referral.client_id == client.id)
        .order_by(Referral.referred_on.desc())
    ).all()
    g.client_data = True
    return render_template(
        "consents/summary.html",
        client=client,
        consent=record,
        episodes=episodes,
        goals=goals,
        contacts=contacts,
        appointments=appointments,
        referrals=referrals,
        notice=REDISCLOSURE_NOTICE,
        today=today,
    )
