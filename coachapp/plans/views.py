"""Recovery plans: start a version from the client's page, read any version, edit a draft,
sign it as the client or the coach (on a phone: drawn on the screen, or a typed name with the
attestation). Every route declares its access rule (coachapp.access)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.models import Client, RecoveryPlan
from coachapp.plans import bp, queries, services
from coachapp.plans.forms import BLANK_STEPS, PlanForm, SignForm, StartPlanForm


def readers_only(view):
    """Plan text is for the roles that work with the client (``queries.READERS``); anyone
    else, even where another rule would let them reach the client (the billing role), finds
    no plan: 404. Used inside the access decorators."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not queries.may_read(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _local_time(client: Client):
    """Signature times as the program's wall clock (stored in UTC)."""
    zone = timeutil.zone(client.program)

    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return when


def _plan_page(plan: RecoveryPlan, client: Client, status: int = 200, message: str | None = None):
    return render_template(
        "plans/show.html",
        plan=plan,
        client=client,
        message=message,
        signed_at=services.signed_moment(plan),
        coach_signer=queries.coach_name(plan.coach_signer_id),
        start_form=StartPlanForm(),
        can_start=plan.status == "signed",
        when=_local_time(client),
        goal_texts=queries.signed_goal_texts(plan),
    ), status


@bp.route("/clients/<int:client_id>/plans", methods=["POST"])
@access.client_route
@readers_only
def start(client: Client):
    """Start the client's plan: version 1, or the next version as a copy of the signed one."""
    form = StartPlanForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = services.start_plan(client, actor=current_user)
    except services.PlanConflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return web.client_page(client, "h-plans")
    except services.PlanRuleError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return web.client_page(client, "h-plans")
    db.session.commit()
    flash(f"Version {plan.number} of the plan started.", "success")
    return redirect(url_for("plans.edit", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>")
@access.record_route(RecoveryPlan, "plan_id")
@readers_only
def show(record: RecoveryPlan, client: Client):
    """One version of the plan, readable forever; a draft links to its edit and sign pages."""
    return _plan_page(record, client)


def _fill_steps(form: PlanForm, plan: RecoveryPlan) -> None:
    """A GET: the plan's steps, then blank rows for new ones."""
    rows = [{"action": s.action, "who": s.who or "", "due_on": s.due_on} for s in plan.steps]
    rows += [{"action": "", "who": "", "due_on": None}] * BLANK_STEPS
    while form.steps.entries:
        form.steps.pop_entry()
    for row in rows:
        form.steps.append_entry(row)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@access.record_route(RecoveryPlan, "plan_id")
@readers_only
def edit(record: RecoveryPlan, client: Client):
    """Edit a draft (optimistic locking). A signed version is frozen: 409 with the plan."""
    if record.is_frozen:
        return _plan_page(record, client, 409, services.FROZEN_MESSAGE)
    goals = queries.goal_choices(client, record)
    if request.method == "GET":
        form = PlanForm(obj=record, goals=goals)
        form.version.data = record.version
        form.goal_ids.data = [g.id for g in record.goals]
        _fill_steps(form, record)
    else:
        form = PlanForm(goals=goals)
        # Rows for new steps stay on offer after a refusal.
        for _ in range(BLANK_STEPS - sum(1 for e in form.steps.entries if e.form.is_blank())):
            if len(form.steps.entries) < form.steps.max_entries:
                form.steps.append_entry()

    refused = []

    def rules() -> None:
        # A step's refusal is named by the services after the kept steps (``steps.<n>``):
        # the form puts it beside that row itself (``PlanForm.show_rule_errors``).
        try:
            services.check_plan(client, form.plan_data(), plan=record)
        except services.PlanRuleError as exc:
            form.show_rule_errors(exc.errors)
            refused.append(True)

    if validate_in_one_pass(form, rules) and not refused:
        signed_before = record.signed_by_client_at or record.signed_by_coach_at
        with web.saving(form) as saved:
            changed = services.update_plan(
                record, form.plan_data(), version=form.version_value(), actor=current_user
            )
        if saved:
            cleared = signed_before and changed
            flash(
                "Plan saved. The signature given before this change was cleared: sign again."
                if cleared
                else "Plan saved.",
                "success",
            )
            return redirect(url_for("plans.show", plan_id=record.id))
    return web.form_page("plans/edit.html", form, plan=record, client=client)


@bp.route("/plans/<int:plan_id>/sign", methods=["GET", "POST"])
@access.record_route(RecoveryPlan, "plan_id")
@readers_only
def sign(record: RecoveryPlan, client: Client):
    """Sign a draft as the client or the coach: drawn on the screen, or typed with the
    attestation. A signed version is frozen: 409 with the plan."""
    if record.is_frozen:
        return _plan_page(record, client, 409, services.FROZEN_MESSAGE)
    form = SignForm()
    if request.method == "GET":
        form.version.data = record.version
        wanted = request.args.get("signer")
        if wanted not in services.SIGNERS:
            wanted = "client" if record.signed_by_client_at is None else "coach"
        form.signer.data = wanted

    def rules() -> None:
        services.check_signature(record, actor=current_user, **form.signature_data())

    if validate_in_one_pass(form, rules):
        data = form.signature_data()
        with web.saving(form) as saved:
            services.sign_plan(record, version=form.version_value(), actor=current_user, **data)
        if saved:
            who = "The client" if data["signer"] == "client" else "You"
            if record.status == "signed":
                flash(f"{who} signed. Version {record.number} is signed and frozen.", "success")
            else:
                flash(f"{who} signed.", "success")
            return redirect(url_for("plans.show", plan_id=record.id))
    return web.form_page("plans/sign.html", form, plan=record, client=client)
