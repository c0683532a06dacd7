"""The merge page of a client (a supervisor picks the duplicate, compares both side by side,
chooses whose value each field keeps, confirms) with the merges into that record and their
Undo buttons."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, records, web
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.merges import bp, queries, services
from coachapp.merges.forms import LABELS, DismissForm, MergeForm, UndoForm
from coachapp.models import Client
from coachapp.models.base import parse_id
from coachapp.models.enums import Role


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _label(client: Client) -> str:
    born = client.date_of_birth.isoformat() if client.date_of_birth else "birth date unknown"
    return f"{client.code} · {client.first_name} {client.last_name} · {born}"


def _values(client: Client) -> dict[str, object]:
    profile = queries.profile_of(client)
    found: dict[str, object] = {f: getattr(client, f) for f in services.CLIENT_FIELDS}
    found.update({f: getattr(profile, f, None) for f in services.PROFILE_FIELDS})
    return found


def _suggest(form: MergeForm, mine: dict, theirs: dict) -> None:
    """The duplicate's value where this record has none; this record's everywhere else."""
    for name in services.KEEP_FIELDS:
        empty = mine[name] in (None, "", False)
        given = theirs[name] not in (None, "", False)
        choice = services.DUPLICATE if empty and given else services.SURVIVOR
        getattr(form, f"keep_{name}").data = choice


@bp.route("/clients/<int:client_id>/merge", methods=["GET", "POST"])
@access.client_route
def merge(client: Client):
    """Merge a duplicate record into this one (supervisors, for clients of their team)."""
    if current_user.role != Role.SUPERVISOR or not access.can_merge_client(current_user, client):
        abort(403)
    found = {c.id: c for c in queries.candidates(current_user, client)}
    form = MergeForm()
    form.duplicate_id.choices = [(0, "Choose the duplicate")] + [
        (c.id, _label(c)) for c in found.values()
    ]
    if request.method == "GET":
        form.duplicate_id.data = parse_id(request.args.get("duplicate_id")) or 0
    duplicate = found.get(form.duplicate_id.data or 0)
    mine = _values(client)
    theirs = _values(duplicate) if duplicate is not None else None
    compared = duplicate is not None and form.compared_id.data == str(duplicate.id)
    if theirs is not None and not compared:
        _suggest(form, mine, theirs)  # a new comparison; the choices made on one stay

    # Overlapping episodes: each pair's resolution, chosen on the page (no default).
    pairs = services.overlaps(client, duplicate) if duplicate is not None else []
    chosen: dict[str, str] = {}
    if request.method == "POST":
        for pair in pairs:
            value = request.form.get(f"episode_{pair.theirs.id}")
            if value in pair.offered:
                chosen[str(pair.theirs.id)] = value
    problems: dict[int, str] = {}

    def rules() -> None:
        services.check_merge(client, duplicate)
        if not compared:
            raise services.MergeRuleError(
                "duplicate_id", "Compare this record first, then choose and merge."
            )
        problems.update(services.episode_problems(pairs, chosen))
        if problems:
            raise services.MergeRuleError(
                "episodes",
                "Enrollment episodes overlap: choose how to resolve each pair "
                "(see the messages beside them).",
            )

    if request.method == "POST" and form.merge.data:
        if validate_in_one_pass(form, rules):
            with web.saving(form) as saved:
                services.merge(client, duplicate, form.keep(), episodes=chosen, actor=current_user)
            if saved:
                flash(
                    f"{duplicate.code} was merged into {client.code}. "
                    "The merge can be undone from this record's merge page.",
                    "success",
                )
                return web.client_page(client)
        status = 422
    else:
        status = 200
    form.compared_id.data = str(duplicate.id) if duplicate is not None else ""
    return render_template(
        "merges/merge.html",
        form=form,
        client=client,
        duplicate=duplicate,
        rows=[
            (name, LABELS[name], _shown(mine[name]), _shown(theirs[name]) if theirs else "")
            for name in services.KEEP_FIELDS
        ],
        counts=queries.counts(client, duplicate) if duplicate is not None else [],
        overlaps=[
            {
                "pair": pair,
                "name": f"episode_{pair.theirs.id}",
                "sides": [
                    (episode, queries.inside(episode)) for episode in (pair.mine, pair.theirs)
                ],
                "options": [(choice, pair.describe(choice)) for choice in pair.offered],
                "chosen": chosen.get(str(pair.theirs.id)),
                "error": problems.get(pair.theirs.id),
            }
            for pair in pairs
        ],
        history=queries.merges_into(client),
        undo_form=UndoForm(),
    ), status


@bp.route("/merges/<int:merge_id>/undo", methods=["POST"])
@access.roles(Role.SUPERVISOR, client_data=True)
def undo(merge_id: int):
    """Undo a merge: both records as they were; refusals come back as a message."""
    row = queries.merge_or_none(merge_id)
    if row is None:
        abort(404)
    for client_id in (row.survivor_id, row.merged_id):
        client = access.reachable_client(client_id, current_user)
        if client is None or not access.can_merge_client(current_user, client):
            abort(404)
    if not UndoForm().validate_on_submit():
        abort(400)
    try:
        services.undo(row, actor=current_user)
        db.session.commit()
    except records.RuleError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash("The merge was undone: both records are as they were.", "success")
    return redirect(url_for("merges.merge", client_id=row.survivor_id))


@bp.route("/duplicates")
@access.roles(Role.SUPERVISOR, client_data=True)
def duplicates():
    """Likely duplicate records among the team's clients, each with its reason and a link to
    compare and merge them."""
    return render_template(
        "merges/duplicates.html",
        pairs=queries.likely_pairs(current_user),
        dismiss_form=DismissForm(),
    )


@bp.route("/duplicates/dismiss", methods=["POST"])
@access.roles(Role.SUPERVISOR, client_data=True)
def dismiss():
    """ "Not a duplicate": the pair leaves the list for good."""
    form = DismissForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [parse_id(form.first_id.data), parse_id(form.second_id.data)]
    if None in ids:
        flash("Choose a pair of the list.", "danger")
        return redirect(url_for("merges.duplicates"))
    pair = []
    for client_id in ids:
        client = access.find_client(client_id, current_user)
        if client is None or not access.can_merge_client(current_user, client):
            abort(404)
        pair.append(client)
    try:
        services.dismiss_pair(*pair, actor=current_user)
        db.session.commit()
    except records.RuleError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(f"{pair[0].code} and {pair[1].code} are kept apart.", "success")
    return redirect(url_for("merges.duplicates"))
