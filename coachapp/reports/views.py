"""Outcome reports: the page, the definitions, the rows behind each number, the exports.

Routes (all GET; reports change nothing but the audit trail of an export and the stored
reports of ``store``):

- ``/reports/`` — period and scope picker, headline figures with numerators and denominators,
  charts, per-coach and per-month tables;
- ``/reports/definitions`` — metrics.md, one anchor per figure;
- ``/reports/rows?figure=<key>[&part=numerator|denominator]&start=&end=&<scope>`` — the rows
  behind a number (names for coaches and supervisors, pseudonyms for everyone else);
- ``/reports/export.<csv|xlsx>?table=report|by_coach|by_month|clients&start=&end=&<scope>``
  (CSV: ``&bom=1`` starts the file with a byte-order mark, for Excel).

Scope arguments (``program_id``, ``supervisor_id``, ``coach_id``) go through
``access.report_scope``: outside the user's reach is 404; ``supervisor_id`` is a team (the
picker names it by the supervisor's team). The period is a preset, a named period of the
program's funder calendar (``period=FY2026Q1`` or ``preset=FY2026Q1``: ``periods``), or
``start``/``end``. Bad dates and period names are 422 with the messages.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import hashlib
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import abort, current_app, g, render_template, request, url_for
from flask_login import current_user
from jinja2 import Template
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from coachapp import access, spreadsheets, timeutil
from coachapp.extensions import db
from coachapp.followups import report as followup_report
from coachapp.models import Program
from coachapp.models.enums import Role
from coachapp.reports import (
    bp,
    drilldown,
    exports,
    glossary,
    labels,
    metrics,
    outcomes,
    periods,
    store,
)
from coachapp.reports.definitions import anchor_for, rendered
from coachapp.reports.forms import PRESETS, ReportForm, preset_period, report_form
from coachapp.reports.picker import ScopeChoices, scope_args, scope_choices
from coachapp.scope import Period, Scope

REPORT_ROLES = (Role.COACH, Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.ADMIN)


def _scope_or_404() -> Scope:
    try:
        return access.scope_from_args(current_user, request.args)
    except access.ScopeError:
        abort(404)


def _form(scope: Scope, program: Program | None = None) -> ReportForm:
    """The period form; ``program``: the scope's, if the caller has it already."""
    program = program or db.session.get(Program, scope.program_id)
    fiscal_start = program.fiscal_year_start_month if program else 1
    return report_form(request.args, timeutil.local_today(program), fiscal_start)


def _fill_picker(form: ReportForm, choices: ScopeChoices, scope: Scope) -> None:
    """Choices of the scope picker, and what is selected (what the report shows): plain
    tuples, rendered by ``forms.PlainSelect``."""
    form.program_id.choices = [(str(i), name) for i, name in choices.programs]
    form.program_id.data = str(scope.program_id)
    if current_user.role == Role.SUPERVISOR:
        team = [(str(current_user.id), "My team")]
    else:
        team = [("", "Whole program")] + [(str(i), n) for i, n in choices.supervisors]
    form.supervisor_id.choices = team
    form.supervisor_id.data = str(scope.supervisor_id or request.args.get("supervisor_id") or "")
    if current_user.role == Role.SUPERVISOR:
        form.supervisor_id.data = str(current_user.id)
    form.coach_id.choices = [("", "All coaches")] + [
        (str(i), name, {"data-supervisor": str(supervisor or "")})
        for i, name, supervisor in choices.coaches
    ]
    form.coach_id.data = str(scope.coach_id or "")


def _label_presets(form: ReportForm) -> None:
    """Each preset's label carries its dates, as of the program's today; then the recent named
    periods of the program's fiscal calendar (and the one asked for, if older), then custom."""
    choices = []
    for name, label in PRESETS.items():
        if name != "custom":
            period = preset_period(name, form.today)
            label = f"{label} ({period.start.isoformat()} to {period.end.isoformat()})"
            choices.append(SelectChoice(value=name, label=label))
    named = periods.recent(form.today, form.fiscal_start)
    if form.preset.data not in PRESETS and form.preset.data not in {n.name for n in named}:
        # a name that names no period: the field's error says why, the list stays as it is
        with contextlib.suppress(periods.PeriodNameError):
            named.insert(0, periods.parse(form.preset.data, form.fiscal_start))
    for item in named:
        group = "Calendar quarters" if item.name[0].isdigit() else "Fiscal years and quarters"
        choices.append(SelectChoice(value=item.name, label=item.label, optgroup=group))
    choices.append(SelectChoice(value="custom", label=PRESETS["custom"]))
    form.preset.choices = choices


def _scope_names(choices: ScopeChoices, scope: Scope) -> dict[str, str | None]:
    """Names of the program, team and coach reported on (from the picker's lists)."""
    programs = dict(choices.programs)
    supervisors = dict(choices.supervisors)
    coaches = {i: name for i, name, _ in choices.coaches}
    return {
        "program": programs.get(scope.program_id),
        "team": supervisors.get(scope.supervisor_id) if scope.supervisor_id else None,
        "coach": coaches.get(scope.coach_id) if scope.coach_id else None,
    }


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == labels.KIND_RATE:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _chart_data(report: dict) -> dict:
    """What reports.js draws; the same numbers are in the tables beside each chart."""
    months = report["by_month"]
    referrals = report["referrals"]["by_category"]
    appointments = report["appointments"]
    return {
        "monthly": {
            "labels": [m["month"] for m in months],
            "engagement": [m["engagement_rate"] for m in months],
            "no_show": [m["no_show_rate"] for m in months],
            "linkage": [m["linkage_rate"] for m in months],
        },
        "categories": {
            "labels": [c.replace("_", " ") for c in referrals],
            "made": [v["made"] for v in referrals.values()],
            "linked": [v["linked"] for v in referrals.values()],
        },
        "accompaniment": {
            "labels": ["Accompaniment planned", "Not planned"],
            "rates": [
                appointments["no_show_rate_accompanied"],
                appointments["no_show_rate_unaccompanied"],
            ],
        },
        "barc10": {
            "labels": ["First check-in", "Latest check-in"],
            "means": [report["barc10"]["mean_first"], report["barc10"]["mean_latest"]],
            "clients": report["barc10"]["clients"],
        },
    }


def _fiscal_month_name(month: int) -> str:
    return calendar.month_name[month] if 1 <= month <= 12 else calendar.month_name[1]


def _period_args(period: Period) -> dict[str, str]:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


@bp.route("/reports/")
@access.roles(*REPORT_ROLES)
def index():
    """The report of metrics.md for a period and a scope the user may see."""
    scope = _scope_or_404()
    # kept here: the session holds it only while referenced, and the picker reads it too
    program = db.session.get(Program, scope.program_id)
    form = _form(scope, program)
    choices = scope_choices(current_user, scope, program)
    _fill_picker(form, choices, scope)
    _label_presets(form)
    context: dict[str, Any] = {
        "form": form,
        "scope": scope,
        "scope_names": _scope_names(choices, scope),
        "named": drilldown.shows_names(current_user),
        "body": None,
        "fiscal_month": _fiscal_month_name(form.fiscal_start),
    }
    if not form.validate():
        return render_template("reports/index.html", **context), 422
    period = form.period()
    named = form.named()
    form.start.data, form.end.data = period.start, period.end
    # A named period is plain dates from here on: the stored report's key is the dates.
    by = _group_by()
    variant = _page_variant(named, by)
    # Read before any figure is computed: a body rendered now is stored under the figures'
    # token as it was before they were read (exact for the same reason the figures are).
    stored = store.stored_page(scope, period, variant, today=form.today)
    body = stored.body
    if body is None:
        body = _render_body(scope, period, named, by, today=form.today, changes=stored.changes)
        body = body.encode()
        store.save_page(scope, period, variant, stored.token, body)
        db.session.commit()  # a report computed now is stored (a stored one wrote nothing)
    context.update(body=_BODY_SLOT, period=period, period_name=named.label if named else None)
    # The page around the body is rendered for this view; the body goes in as the bytes it is
    # kept as (at a statewide program's size it is 400 kB: decoding and encoding it again
    # cost more than the rest of the page).
    head, tail = render_template("reports/index.html", **context).split(_BODY_SLOT, 1)
    return current_app.response_class(head.encode() + body + tail.encode())


# Where the body goes in the rendered page: a comment, which nothing typed into the page can
# write (what is typed comes back escaped).
_BODY_SLOT = Markup("<!-- the report's body -->")


def _group_by() -> str:
    """The field of the "By group" table (``?by=<field>``; an unknown field shows the first)."""
    by = request.args.get("by", "")
    return by if by in outcomes.BY_FIELDS else outcomes.BY_FIELDS[0]


# What the report page's body is rendered from besides the figures: a change to any of these
# files changes the stored bodies' variant, so none rendered by older code is served (the
# reports package, the follow-ups' section, the tables' macro, and the app factory's template
# filters).
_BODY_TEMPLATES = (
    "reports/_body.html",
    "reports/_funder.html",
    "followups/_report_section.html",
    "_macros/tables.html",
)
_BODY_CODE = (
    Path(__file__).parent,
    Path(followup_report.__file__),
    Path(__file__).parent.parent / "__init__.py",
)


@functools.cache
def _code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(
        p for item in _BODY_CODE for p in ([item] if item.is_file() else item.glob("*.py"))
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _page_version() -> str:
    """A digest of the body's templates (as the app has them now) and of the code that fills
    them. Read once per compiled template: a process with templates reloaded (debug) reads
    them again when they are."""
    env = current_app.jinja_env
    return _version_of(tuple(env.get_template(name) for name in _BODY_TEMPLATES))


@functools.lru_cache(maxsize=16)
def _version_of(templates: tuple[Template, ...]) -> str:
    digest = hashlib.sha256(_code_version().encode())
    for template in templates:
        env = template.environment
        digest.update(env.loader.get_source(env, template.name)[0].encode())
    return digest.hexdigest()


def _page_variant(named: periods.NamedPeriod | None, by: str) -> str:
    """Everything besides the scope, the period and the figures that the body shows: the
    page's version, the definitions of the figures, what the user's role sees (names or the
    small-cell rule, the links offered), the group shown, the period's name, the app's root."""
    parts = (
        _page_version(),
        store.DEFINITIONS,
        store.FUNDER_DEFINITIONS,
        store.FOLLOWUP_DEFINITIONS,
        str(current_user.role),
        str(drilldown.shows_names(current_user)),
        by,
        named.name if named else "",
        request.script_root,
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _render_body(
    scope: Scope,
    period: Period,
    named: periods.NamedPeriod | None,
    by: str,
    *,
    today: date,
    changes: str,
) -> str:
    """The report page's body: the stored (or now computed) figures laid out. ``changes``:
    the changes' token read before, which the three stored parts are read under."""
    report = store.detailed_report(scope, period, changes=changes)
    funder = store.funder_report(scope, period, changes=changes)
    # what followup_report.figures does, under the token read before (``today``: the
    # program's, as there)
    followups = store.followup_report(scope, period, today=today, changes=changes)
    base_args = {**_period_args(period), **scope_args(scope)}

    rows_path = url_for("reports.rows")

    @functools.cache
    def figure_query(figure: str, part: str | None) -> str:
        return urlencode({"figure": figure, "part": part} if part else {"figure": figure})

    @functools.cache
    def scope_query(override: tuple[tuple[str, object], ...]) -> str:
        args = {**base_args, **dict(override)}
        if "coach_id" in dict(override):
            args.pop("supervisor_id", None)
        return urlencode({k: v for k, v in args.items() if v is not None})

    def rows_url(figure: str, part: str | None = None, **override) -> str:
        """What url_for("reports.rows", ...) gives, built from parts encoded once: the page
        links every figure of every coach (over a thousand links for 200 coaches)."""
        return f"{rows_path}?{figure_query(figure, part)}&{scope_query(tuple(override.items()))}"

    definitions_path = url_for("reports.definitions")

    def definition_url(key: str) -> str:
        return definitions_path + "#" + anchor_for(key)

    # Exports carry the period's name too, for their file name.
    export_args = {**base_args, **({"period": named.name} if named else {})}

    def export_url(table: str, fmt: str) -> str:
        return url_for("reports.export", fmt=fmt, table=table, **export_args)

    return render_template(
        "reports/_body.html",
        report=report,
        headline=labels.HEADLINE,
        fmt=_format,
        kinds=labels,
        figures=dict(metrics.flatten({k: report[k] for k in metrics.HEADLINE_GROUPS})),
        counts=report["counts"],
        rates=metrics.RATES,
        value_rows=metrics.VALUE_ROWS,
        categories=metrics.CATEGORIES,
        retention_days=metrics.RETENTION_DAYS,
        chart_data=_chart_data(report),
        rows_url=rows_url,
        definition_url=definition_url,
        export_url=export_url,
        tables=exports.TABLES,
        followups=followups,
        **_funder_context(funder, export_args, by),
    )


def _funder_context(funder: dict, export_args: dict, by: str) -> dict[str, Any]:
    """The "Housing and employment" and "By group" sections (``by``: the group's field).
    Program managers and admins see the small-cell rule."""
    seen = outcomes.shown(funder, suppress=not drilldown.shows_names(current_user))
    return {
        "funder": seen,
        "by": by,
        "by_groups": seen["breakdowns"][by],
        "by_choices": [(f, outcomes.FIELD_LABELS[f]) for f in outcomes.BY_FIELDS],
        "by_args": {k: v for k, v in export_args.items() if v is not None},
        "breakdown_figures": [
            (f.key, outcomes.figure_label(f.key), outcomes.figure_kind(f))
            for f in outcomes.BREAKDOWN_FIGURES
        ],
        "housing_groups": [(g, outcomes.HOUSING_GROUP_LABELS[g]) for g in outcomes.HOUSING_GROUPS],
        "housing_labels": outcomes.HOUSING_LABELS,
        "housing_rates": outcomes.HOUSING_RATES,
        "small_cell": outcomes.SMALL_CELL,
    }


@bp.route("/reports/definitions")
@access.roles(*REPORT_ROLES)
def definitions():
    """Each figure in plain language, then metrics.md as a page, one anchor per figure key."""
    html, _ = rendered()
    return render_template(
        "reports/definitions.html",
        html=Markup(html),  # noqa: S704 - our file  # nosec B704
        glossary=list(glossary.GLOSSARY.items()),
        followups_html=followup_report.definitions_html(),
    )


@bp.route("/reports/rows")
@access.roles(*REPORT_ROLES)
def rows():
    """The rows behind one number of the report: the same SQL condition as the count."""
    scope = _scope_or_404()
    figure = request.args.get("figure", "")[:100]
    try:
        rowset = drilldown.resolve(figure, request.args.get("part") or None)
    except KeyError:
        abort(404)
    form = _form(scope)
    if not form.validate():
        return render_template("reports/invalid.html", form=form), 422
    period = form.period()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    listing = drilldown.row_list(rowset, scope, period, user=current_user, page=page)
    if listing.named:
        g.client_data = True
    base_args = {**_period_args(period), **scope_args(scope)}
    return render_template(
        "reports/rows.html",
        listing=listing,
        figure=figure,
        part=request.args.get("part") or None,
        title=labels.ROWSET_TITLES.get(rowset, rowset),
        period=period,
        scope=scope,
        report_url=url_for("reports.index", **base_args),
        page_url=lambda n: url_for(
            "reports.rows",
            figure=figure,
            part=request.args.get("part") or None,
            page=n,
            **base_args,
        ),
        definition_url=url_for("reports.definitions") + "#" + anchor_for(figure),
    )


@bp.route("/reports/export.<fmt>")
@access.roles(*REPORT_ROLES)
def export(fmt: str):
    """A table of the report as CSV or XLSX, streamed; the export is an audit event."""
    if fmt not in exports.FORMATS:
        abort(404)
    table = request.args.get("table", "report")
    if table not in exports.TABLES + exports.FUNDER_TABLES:
        abort(404)
    scope = _scope_or_404()
    form = _form(scope)
    if not form.validate():
        return render_template("reports/invalid.html", form=form), 422
    period = form.period()
    exports.record_export(table, fmt, scope, actor=current_user)
    db.session.commit()
    header, table_rows = exports.BUILDERS[table](scope, period)
    db.session.commit()  # figures computed now are stored (the follow-up rates)
    filename = exports.filename(table, scope, period, fmt)
    named = form.named()
    if named is not None:  # "...-FY2026Q1_2025-10-01_2025-12-31.csv": the name, then its dates
        dates = _period_args(period)
        dates_part = f"{dates['start']}_{dates['end']}"
        filename = filename.replace(dates_part, f"{named.name}_{dates_part}")
    if fmt == "csv":
        bom = request.args.get("bom") == "1"
        return spreadsheets.csv_response(header, table_rows, filename, bom=bom)
    definitions = exports.definitions(table, header, table_rows)
    more = []
    if table == "report":  # the funder figures as two more sheets (small-cell rule applied)
        more = exports.funder_sheets(scope, period)
        definitions += exports.funder_definitions()
    return spreadsheets.xlsx_response(
        header,
        table_rows,
        filename,
        title=exports.sheet_title(table),
        more=more,
        cover=exports.cover(
            scope,
            period,
            table,
            user=current_user,
            period_name=named.label if named is not None else None,
        ),
        definitions=definitions,
    )
