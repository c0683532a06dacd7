"""The client profile for funders: demographics, and housing and employment as dated
histories. Every route declares its access rule (coachapp.access)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, validate_in_one_pass
from coachapp.models import Client, ClientStatusRecord
from coachapp.models.enums import StatusKind
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS
from coachapp.profiles import bp, services
from coachapp.profiles.forms import ProfileForm, StatusForm
from coachapp.profiles.labels import KIND_LABELS


def _status_forms(client: Client, formdata_kind: str | None = None) -> dict[str, StatusForm]:
    """One "Record a change" form per kind; only ``formdata_kind``'s reads the request."""
    program = client.program
    today = timeutil.local_today(program)
    forms = {}
    for kind in StatusKind:
        kwargs = {} if kind == formdata_kind else {"formdata": None}
        form = StatusForm(
            prefix=kind.value,
            kind=kind.value,
            today_func=lambda: timeutil.local_today(program),
            **kwargs,
        )
        if kind != formdata_kind:
            form.as_of.data = today
        forms[kind.value] = form
    return forms


def _profile_form(client: Client, *, formdata: bool) -> ProfileForm:
    """The demographics form: as posted, or filled from the stored profile."""
    if formdata:
        return ProfileForm()
    profile = services.get_profile(client)
    form = ProfileForm(formdata=None)
    form.version.data = str(services.profile_version(profile))
    for name in DEMOGRAPHIC_FIELDS:
        getattr(form, name).data = (getattr(profile, name) if profile is not None else None) or ""
    return form


def _page(
    client: Client,
    *,
    profile_form: ProfileForm,
    status_forms: dict[str, StatusForm],
    archive_form: ArchiveForm | None = None,
    archive_id: int | None = None,
    failed=None,
    status: int = 200,
):
    return render_template(
        "profiles/profile.html",
        client=client,
        form=failed or profile_form,
        profile_form=profile_form,
        status_forms=status_forms,
        summaries=services.summaries(client),
        kind_labels=KIND_LABELS,
        archive_form=archive_form or ArchiveForm(formdata=None),
        archive_id=archive_id,
        intake_window=services.INTAKE_WINDOW_DAYS,
    ), status


@bp.route("/clients/<int:client_id>/profile", methods=["GET", "POST"])
@access.client_route
def edit(client: Client):
    """The client's profile for funders: the demographics form (POST saves it), and for housing
    and employment the status now and at intake, a form to record a change and the history."""
    form = _profile_form(client, formdata=request.method == "POST")
    if validate_in_one_pass(form, lambda: services.check_profile(form.data_values())):
        with web.saving(form) as saved:
            changed = services.update_profile(
                client,
                form.data_values(),
                actor=current_user,
                expected_version=form.version_value(),
            )
        if saved:
            flash("Profile saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("profiles.edit", client_id=client.id))
    return _page(
        client, profile_form=form, status_forms=_status_forms(client), status=web.form_status()
    )


@bp.route("/clients/<int:client_id>/profile/housing", methods=["POST"])
@access.client_route
def record_housing(client: Client):
    """Record a change of housing status (an HMIS living situation)."""
    return _record_status(client, StatusKind.HOUSING.value)


@bp.route("/clients/<int:client_id>/profile/employment", methods=["POST"])
@access.client_route
def record_employment(client: Client):
    """Record a change of employment status."""
    return _record_status(client, StatusKind.EMPLOYMENT.value)


def _record_status(client: Client, kind: str):
    """Record a change of housing or employment status as of a day (not in the future, not
    before the first intake, not the status they already have then)."""
    forms = _status_forms(client, formdata_kind=kind)
    form = forms[kind]

    def rules() -> None:
        services.check_status(client, kind, form.status.data or None, form.as_of.data)

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.record_status(
                client, kind, form.status.data, form.as_of.data, actor=current_user
            )
        if saved:
            flash(f"{KIND_LABELS[kind]} status recorded.", "success")
            return redirect(url_for("profiles.edit", client_id=client.id) + f"#h-{kind}")
    return _page(
        client,
        profile_form=_profile_form(client, formdata=False),
        status_forms=forms,
        failed=form,
        status=422,
    )


@bp.route("/profile/statuses/<int:status_id>/archive", methods=["POST"])
@access.record_route(ClientStatusRecord, "status_id")
def archive_status(record: ClientStatusRecord, client: Client):
    """Mark a housing or employment status as entered by mistake (a reason is required): it
    leaves the history and no longer counts now or at intake."""
    form = ArchiveForm()
    if validate_in_one_pass(form, lambda: services.check_archive(record, form.reason.data)):
        services.archive_status(record, form.reason.data, actor=current_user)
        db.session.commit()
        flash("Status marked as entered by mistake.", "success")
        return redirect(url_for("profiles.edit", client_id=client.id) + f"#h-{record.kind}")
    return _page(
        client,
        profile_form=_profile_form(client, formdata=False),
        status_forms=_status_forms(client),
        archive_form=form,
        archive_id=record.id,
        failed=form,
        status=422,
    )
