"""The resource directory: browse and search (anyone signed in); create and edit (supervisors,
program managers and admins). Entries are deactivated, never deleted. The taxonomy mapping HSDS
imports consult is edited by the same roles."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.models import Resource, TaxonomyMapping
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory, Role
from coachapp.resources import bp, queries, services, taxonomy
from coachapp.resources.forms import DeleteForm, ResourceForm, TaxonomyMappingForm
from coachapp.resources.services import WRITERS

SHOW_CHOICES = {"active": "Active entries", "inactive": "Inactive entries", "all": "All entries"}


def can_edit_directory(user) -> bool:
    return user.is_authenticated and user.role in WRITERS


def _arg(name: str, allowed, default: str = "") -> str:
    value = request.args.get(name, default, type=str)
    return value if value in allowed else default


@bp.route("/resources/")
@access.signed_in
def index():
    """Browse the directory: search (names, organizations, addresses, ZIP codes,
    descriptions), near a city or ZIP code, filter by category, meeting model and format."""
    q = request.args.get("q", "", type=str)[: queries.MAX_SEARCH]
    near = request.args.get("near", "", type=str)[: queries.MAX_SEARCH]
    category = _arg("category", set(ResourceCategory))
    model = _arg("model", {*MeetingModel, queries.ANY_MEETING})
    fmt = _arg("format", set(MeetingFormat))
    show = _arg("show", SHOW_CHOICES, "active")
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    pagination = db.paginate(
        queries.directory(
            current_user, q=q, near=near, category=category, model=model, fmt=fmt, show=show
        ),
        page=page,
        per_page=queries.PER_PAGE,
        error_out=False,
    )
    filters = {
        "q": q,
        "near": near,
        "category": category,
        "model": model,
        "format": fmt,
        "show": show,
    }
    return render_template(
        "resources/index.html",
        pagination=pagination,
        filters=filters,
        active_filters={k: v for k, v in filters.items() if v and (k, v) != ("show", "active")},
        categories=list(ResourceCategory),
        models=list(MeetingModel),
        formats=list(MeetingFormat),
        show_choices=SHOW_CHOICES,
        any_meeting=queries.ANY_MEETING,
        can_edit=can_edit_directory(current_user),
        summary=queries.meeting_summary,
        address_line=queries.address_line,
        model_labels=queries.MODEL_LABELS,
    )


@bp.route("/resources/<int:resource_id>")
@access.signed_in
def detail(resource_id: int):
    resource = queries.get_visible_resource_or_404(resource_id, current_user)
    return render_template(
        "resources/detail.html",
        resource=resource,
        can_edit=can_edit_directory(current_user),
        summary=queries.meeting_summary(resource) if resource.is_meeting else None,
        model_labels=queries.MODEL_LABELS,
    )


def _form(obj: Resource | None = None) -> ResourceForm:
    program = current_user.program
    return ResourceForm(
        obj=obj,
        organizations=queries.organization_choices(),
        today_func=lambda: timeutil.local_today(program),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
@access.roles(*WRITERS)
def new():
    form = _form()
    if validate_in_one_pass(form, lambda: services.check_resource(form.values())):
        with web.saving(form) as saved:
            resource = services.create_resource(
                form.values() | {"active": True},  # a new entry is meant to be used
                organization_id=form.organization_value(),
                new_organization=form.new_organization.data,
                actor=current_user,
            )
        if saved:
            flash(f"{resource.name} added to the directory.", "success")
            return redirect(url_for("resources.detail", resource_id=resource.id))
    return web.form_page("resources/form.html", form, resource=None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@access.roles(*WRITERS)
def edit(resource_id: int):
    resource = queries.get_visible_resource_or_404(resource_id, current_user)
    form = _form(resource)

    def rules() -> None:
        services.check_resource(
            {key: getattr(resource, key) for key in services.RESOURCE_FIELDS} | form.values()
        )

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            changed = services.update_resource(
                resource,
                form.values(),
                organization_id=form.organization_value(),
                new_organization=form.new_organization.data,
                actor=current_user,
            )
        if saved:
            flash("Saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("resources.detail", resource_id=resource.id))
    return web.form_page("resources/form.html", form, resource=resource)


# --- The taxonomy mapping -----------------------------------------------------------------------


def _default_rows(edited: list[TaxonomyMapping]) -> list[dict]:
    """The default mapping's lines for the page, each with the edited line of the user's scope
    that overrides it (same match and term), if any."""
    mine = {
        (m.match, m.term): m
        for m in edited
        if m.program_id == (None if current_user.role == Role.ADMIN else current_user.program_id)
    }
    rows = []
    for match, term, category in taxonomy.default_lines():
        shown = term if match != "word" else term.replace("\\b", "")
        overridable = match != "word"
        rows.append(
            {
                "match": match,
                "term": shown,
                "category": category,
                "override": mine.get((match, taxonomy.normalise_term(match, term)))
                if overridable
                else None,
                "overridable": overridable,
            }
        )
    return rows


@bp.route("/resources/taxonomy/")
@access.roles(*WRITERS)
def taxonomy_index():
    """The taxonomy mapping: the edited lines (shared, and the program's) and the default."""
    edited = queries.mapping_list(current_user)
    return render_template(
        "resources/taxonomy.html",
        edited=edited,
        defaults=_default_rows(edited),
        matches=taxonomy.MATCHES,
        can_change=lambda m: services.can_change_mapping(current_user, m),
        scope_label="every program" if current_user.role == Role.ADMIN else "your program",
    )


def _prefill(form: TaxonomyMappingForm) -> None:
    """A new line may start from a default line ("Override" on the page), from the query."""
    if request.method != "GET":
        return
    match = request.args.get("match", "", type=str)
    if match in taxonomy.MATCHES:
        form.match.data = match
    form.term.data = request.args.get("term", "", type=str)[: services.MAX_TERM]
    category = request.args.get("category", "", type=str)
    if category in set(ResourceCategory):
        form.category.data = category


@bp.route("/resources/taxonomy/new", methods=["GET", "POST"])
@access.roles(*WRITERS)
def taxonomy_new():
    form = TaxonomyMappingForm()
    _prefill(form)
    program_id = None if current_user.role == Role.ADMIN else current_user.program_id
    if validate_in_one_pass(
        form, lambda: services.check_mapping(form.values(), program_id=program_id)
    ):
        with web.saving(form) as saved:
            mapping = services.create_mapping(form.values(), actor=current_user)
        if saved:
            flash(f"{mapping.term} now maps to {mapping.category.replace('_', ' ')}.", "success")
            return redirect(url_for("resources.taxonomy_index"))
    return web.form_page("resources/taxonomy_form.html", form, mapping=None)


def _changeable_mapping(mapping_id: int) -> TaxonomyMapping:
    mapping = queries.get_visible_mapping_or_404(mapping_id, current_user)
    if not services.can_change_mapping(current_user, mapping):
        abort(403)
    return mapping


@bp.route("/resources/taxonomy/<int:mapping_id>/edit", methods=["GET", "POST"])
@access.roles(*WRITERS)
def taxonomy_edit(mapping_id: int):
    mapping = _changeable_mapping(mapping_id)
    form = TaxonomyMappingForm(obj=mapping)

    def rules() -> None:
        services.check_mapping(
            {key: getattr(mapping, key) for key in services.MAPPING_FIELDS} | form.values(),
            program_id=mapping.program_id,
            mapping_id=mapping.id,
        )

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            changed = services.update_mapping(mapping, form.values(), actor=current_user)
        if saved:
            flash("Saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("resources.taxonomy_index"))
    return web.form_page("resources/taxonomy_form.html", form, mapping=mapping)


@bp.route("/resources/taxonomy/<int:mapping_id>/delete", methods=["POST"])
@access.roles(*WRITERS)
def taxonomy_delete(mapping_id: int):
    mapping = _changeable_mapping(mapping_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    term = mapping.term
    services.delete_mapping(mapping, actor=current_user)
    db.session.commit()
    flash(f"The line for {term} was deleted.", "success")
    return redirect(url_for("resources.taxonomy_index"))
