from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, audit, records, timeutil, web
from coachapp.alerts import ALERT_LABELS, AlertContext
from coachapp.clients import bp, panels, queries, services, tasks
from coachapp.clients.forms import (
    DischargeForm,
    EditClientForm,
    IntakeForm,
    ReenrollForm,
)
from coachapp.clients.panels import PANELS, SHOWN, build_panels, section_links
from coachapp.clients.queries import SORTS, caseload_page
from coachapp.disclosures import services as disclosure_services
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, EmptyForm, validate_in_one_pass
from coachapp.merges import queries as merge_queries
from coachapp.models import Client, User
from coachapp.models.enums import AuditAction, ClientStatus, Role
from coachapp.profiles import services as profile_services

STATUS_CHOICES = [s.value for s in ClientStatus]


def alert_context() -> AlertContext:
    program = current_user.program
    return AlertContext(today=timeutil.local_today(program), now=timeutil.local_now(program))


def _details(form) -> dict:
    return {key: getattr(form, key).data for key in services.DETAIL_FIELDS}


@bp.route("/")
@access.roles(Role.COACH, Role.SUPERVISOR, Role.ADMIN, client_data=True)
def index():
    """The caseload: a coach's home; a supervisor's team; an admin's break-the-glass list."""
    q = request.args.get("q", "", type=str)[:100]
    status = request.args.get("status", ClientStatus.ACTIVE.value, type=str)
    if status not in STATUS_CHOICES:
        status = ""
    sort = request.args.get("sort", "name", type=str)
    if sort not in SORTS:
        sort = "name"
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    ctx = alert_context()
    rows, total = caseload_page(current_user, ctx, q=q, status=status or None, sort=sort, page=page)
    counts = queries.caseload_alert_counts(current_user, ctx)
    task_counts: dict = {}
    task_items: dict = {}
    if current_user.role == Role.COACH:
        task_counts = tasks.request_counts()
        task_items = tasks.items(current_user, ctx, task_counts)
    return render_template(
        "clients/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // 50)),
        q=q,
        status=status,
        statuses=STATUS_CHOICES,
        sort=sort,
        sorts=SORTS,
        alert_counts=counts,
        alert_labels=ALERT_LABELS,
        task_counts=task_counts,
        task_items=task_items,
        task_labels=tasks.LABELS,
        task_more=tasks.MORE,
    )


@bp.route("/new", methods=["GET", "POST"])
@access.roles(Role.COACH, Role.SUPERVISOR)
def new():
    """Intake: a coach opens clients on their own caseload, a supervisor on their coaches'."""
    program = current_user.program
    form = IntakeForm()
    form.coach_id.choices = queries.coach_choices(current_user)
    if request.method == "GET":
        form.intake_date.data = timeutil.local_today(program)
        if current_user.role == Role.COACH:
            form.coach_id.data = current_user.id
    duplicates: list[Client] = []
    hidden_duplicates = 0

    def intake_rules() -> None:
        # Asked with the form's own checks: every problem, the intake date's too, at once.
        if not form.coach_id.choices:
            raise services.ClientRuleError("coach_id", "No coach can take this client.")
        services.check_dates(
            _details(form) | {"intake_date": form.intake_date.data}, program=program
        )

    if validate_in_one_pass(form, intake_rules):
        coach = db.session.get(User, form.coach_id.data)
        ids: list[int] = []
        with web.checking(form) as checked:
            # The services' rules first: no duplicate warning for input they refuse.
            services.check_dates(
                _details(form) | {"intake_date": form.intake_date.data},
                program=coach.program,
            )
            ids = services.likely_duplicates(
                coach.program_id,
                form.first_name.data,
                form.last_name.data,
                form.date_of_birth.data,
            )
        if checked and ids and not form.confirm_duplicate.data:
            duplicates = queries.visible_among(current_user, ids)
            hidden_duplicates = len(ids) - len(duplicates)
        elif checked:
            with web.saving(form) as saved:
                client = services.create_client(
                    _details(form),
                    coach=coach,
                    intake_date=form.intake_date.data,
                    actor=current_user,
                )
                profile_services.record_intake_statuses(
                    client,
                    {
                        "housing": form.housing_status.data or None,
                        "employment": form.employment_status.data or None,
                    },
                    on=form.intake_date.data,
                    actor=current_user,
                )
            if saved:
                flash(f"{client.display_name} ({client.code}) added.", "success")
                return web.client_page(client)
    return web.form_page(
        "clients/new.html", form, duplicates=duplicates, hidden_duplicates=hidden_duplicates
    )


@bp.route("/<int:client_id>")
@access.client_route
def detail(client: Client):
    audit.record(
        AuditAction.VIEW,
        actor=current_user,
        entity_type="client",
        entity_id=client.id,
        client_id=client.id,
    )
    grant = access.break_glass_grant(current_user, client.id)
    if grant is not None:
        disclosure_services.record_break_glass_view(grant, actor=current_user)
    commit_keeping_loaded()
    ctx = alert_context()
    return render_template(
        "clients/detail.html",
        client=client,
        episodes=client.enrollments,
        panels=build_panels(client, current_user),
        panel_names=[name for name, _ in PANELS],
        panel_scripts=panels.with_scripts(current_app.jinja_env),
        sections=section_links(),
        shown=SHOWN,
        contact=contact_links(client),
        alerts=[ALERT_LABELS[name] for name in queries.alerts_of(client, current_user, ctx)],
        archive_form=ArchiveForm(),
        # The merge history, with its Undo buttons, for the supervisor who may undo them.
        merges=merge_queries.merges_into(client) if _merges_shown(client) else [],
        undo_form=EmptyForm(),
    )


def _merges_shown(client: Client) -> bool:
    return current_user.role == Role.SUPERVISOR and access.can_merge_client(current_user, client)


def commit_keeping_loaded() -> None:
    """Commit the read's audit event without expiring what the request has loaded: the audit
    event changes neither the client nor the user, and reading them again after the commit
    would only cost time (the page then reads them once)."""
    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def contact_links(client: Client) -> dict[str, str]:
    """The client's phone as ``tel:`` and ``sms:`` links, each only where the client said it
    is okay to call or to text; empty when neither (the number is then shown as plain text)."""
    if not client.phone:
        return {}
    digits = "".join(ch for ch in client.phone if ch.isdigit())
    if not digits:
        return {}
    number = ("+" if client.phone.strip().startswith("+") else "") + digits
    links = {}
    if client.okay_to_call:
        links["call"] = f"tel:{number}"
    if client.okay_to_text:
        links["text"] = f"sms:{number}"
    return links


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
@access.client_route
def edit(client: Client):
    form = EditClientForm(obj=client)
    if client.status == ClientStatus.DISCHARGED:
        form.status.choices = [(ClientStatus.DISCHARGED.value, "Discharged")]
    if request.method == "GET":
        form.version.data = client.version

    def edit_rules() -> None:
        # The dates changed must have come (as update_client asks), with the form's checks.
        changed = {k: v for k, v in _details(form).items() if v != getattr(client, k, None)}
        services.check_dates(changed, program=client.program)

    if validate_in_one_pass(form, edit_rules):
        details = _details(form) | {"status": form.status.data}
        with web.saving(form) as saved:
            services.update_client(
                client, details, version=form.version_value(), actor=current_user
            )
        if saved:
            flash("Client details saved.", "success")
            return web.client_page(client)
    return web.form_page("clients/edit.html", form, client=client)


def _dated_form(form_class, client: Client, date_field: str):
    """A form about the client's episode: on GET, the client's version and today's date (the
    program's) in ``date_field``."""
    form = form_class()
    if request.method == "GET":
        form.version.data = client.version
        getattr(form, date_field).data = timeutil.local_today(client.program)
    return form


@bp.route("/<int:client_id>/discharge", methods=["GET", "POST"])
@access.client_route
def discharge(client: Client):
    form = _dated_form(DischargeForm, client, "discharge_date")
    if validate_in_one_pass(
        form, lambda: services.check_discharge(client, on=form.discharge_date.data)
    ):
        with web.saving(form) as saved:
            services.discharge(
                client,
                on=form.discharge_date.data,
                reason=form.discharge_reason.data,
                note=form.discharge_note.data,
                version=form.version_value(),
                actor=current_user,
            )
        if saved:
            flash(f"{client.display_name} discharged.", "success")
            return web.client_page(client)
    return web.form_page("clients/discharge.html", form, client=client)


@bp.route("/<int:client_id>/reenroll", methods=["GET", "POST"])
@access.client_route
def reenroll(client: Client):
    form = _dated_form(ReenrollForm, client, "intake_date")
    if validate_in_one_pass(
        form, lambda: services.check_reenroll(client, on=form.intake_date.data)
    ):
        with web.saving(form) as saved:
            services.reenroll(
                client, on=form.intake_date.data, version=form.version_value(), actor=current_user
            )
        if saved:
            flash(f"{client.display_name} re-enrolled: a new episode has begun.", "success")
            return web.client_page(client)
    return web.form_page("clients/reenroll.html", form, client=client)


@bp.route("/<int:client_id>/archive", methods=["POST"])
@access.client_route
def archive(client: Client):
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash("Give a reason to archive this client.", "error")
        return redirect(url_for("clients.detail", client_id=client.id))
    records.archive(client, actor=current_user, reason=form.reason.data, client_id=client.id)
    db.session.commit()
    flash(f"{client.code} archived. An admin can restore it.", "success")
    return redirect(url_for("clients.index"))
