"""CSV and XLSX exports of a report: the headline, ``by_coach``, ``by_month`` and the
de-identified per-client table of metrics.md.

Every table comes from the metrics module (the per-client table from its row sources,
``client_rows``, so its columns add up to the report's figures) and is written by
``coachapp.spreadsheets`` (streamed, formulas neutralised). The per-client table is one query
(aggregate subqueries grouped by client) read in server-side batches, so a program of 20,000
clients never sits in memory and the query count does not grow with the caseload.

The per-client table carries no name, code, date of birth, contact detail or narrative text:
a pseudonym (``pseudonyms.pseudonym``), program, coach, intake month, status, counts and
BARC-10 totals.

Each table's columns are ``spreadsheets.Column``s: a reader's header ("No-show rate") and a
kind (rate, count, date), so the XLSX formats rates as percentages and dates as dates, and the
CSV writes rates as percentages under "No-show rate (%)". An XLSX also gets a cover sheet
(``cover``) and a "Definitions" sheet (``definitions``, from ``glossary``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from coachapp import audit, timeutil
from coachapp import spreadsheets as S
from coachapp.extensions import db
from coachapp.followups import report as followup_report
from coachapp.models import Program, Team, User
from coachapp.models.enums import AuditAction
from coachapp.reports import glossary, metrics, outcomes
from coachapp.reports.client_rows import CLIENT_COLUMNS, CLIENT_FIGURES, client_table_query
from coachapp.reports.pseudonyms import pseudonymizer
from coachapp.scope import Period, Scope

TABLES = ("report", "by_coach", "by_month", "clients")
# The funder tables (issue 19): also two more sheets of the report's XLSX; every figure under
# the small-cell rule (``outcomes.suppress_cell``).
FUNDER_TABLES = ("housing_employment", "by_group")
FORMATS = ("csv", "xlsx")
BATCH = 1000

Rows = tuple[list[S.Column], Iterable[list[Any]]]


# --- The tables --------------------------------------------------------------------------------


def _scope_names(scope: Scope) -> dict[str, str | None]:
    """The program's, the team's and the coach's names; one query. The team is named as the
    report page's team filter names it: the supervisor's team, with the supervisor's name where
    they have no team."""
    supervisor, coach = aliased(User), aliased(User)
    row = db.session.execute(
        select(Program.name, supervisor.name, Team.name, coach.name)
        .select_from(Program)
        .outerjoin(supervisor, supervisor.id == scope.supervisor_id)
        .outerjoin(Team, Team.id == supervisor.team_id)
        .outerjoin(coach, coach.id == scope.coach_id)
        .where(Program.id == scope.program_id)
    ).one()
    team = None
    if scope.supervisor_id and row[1]:
        team = f"{row[2]} ({row[1]})" if row[2] else f"{row[1]}'s coaches (no team set)"
    return {"program": row[0], "team": team, "coach": row[3] if scope.coach_id else None}


def scope_label(scope: Scope) -> str:
    """``Whole program``, ``Team of Sam Supervisor`` or the coach's name."""
    names = _scope_names(scope)
    return names["coach"] or names["team"] or "Whole program"


REPORT_COLUMNS = [
    S.Column("figure", "Figure", S.TEXT, width=44),
    S.Column("value", "Value", S.AUTO, width=12, csv_title="Value (rates in %)"),
    S.Column("numerator", "Numerator", S.COUNT),
    S.Column("denominator", "Denominator", S.COUNT),
    S.Column("key", "Figure key", S.TEXT, width=44),
]


def report_table(scope: Scope, period: Period) -> Rows:
    """The headline as ``figure, value, numerator, denominator, key`` rows: the period and the
    scope first, then every figure of metrics.md (its reader's name, and its dotted key last),
    then the BARC-10 first/latest means. Rates are ``spreadsheets.Percent``."""
    figures, counts, barc10 = metrics.headline_with_counts(scope, period)
    names = _scope_names(scope)
    rows: list[list[Any]] = [
        ["Period start", period.start, None, None, "period.start"],
        ["Period end", period.end, None, None, "period.end"],
        ["Program", names["program"], None, None, "scope.program"],
        ["Scope", scope_label(scope), None, None, "scope.name"],
    ]
    for key, value in metrics.flatten(figures):
        parts = metrics.rate_parts(counts, key)
        if parts is not None and value is not None:
            value = S.Percent(value)
        rows.append([glossary.name_for(key), value, *(parts or (None, None)), key])
    rows += [
        [glossary.name_for(f"barc10.{key}"), value, None, None, f"barc10.{key}"]
        for key, value in barc10.items()
    ]
    rows += followup_report.export_rows(scope, period)  # SUPRT follow-up interviews
    return REPORT_COLUMNS, rows


BY_COACH_COLUMNS = [
    S.Column("coach_id", "Coach id", S.COUNT),
    S.Column("coach_name", "Coach", S.TEXT, width=24),
    S.Column("clients.enrolled", "Clients enrolled", S.COUNT),
    S.Column("clients.new_intakes", "New intakes", S.COUNT),
    S.Column("clients.engaged", "Clients engaged", S.COUNT),
    S.Column("clients.engagement_rate", "Engagement rate", S.RATE),
    S.Column("appointments.attended", "Attended appointments", S.COUNT),
    S.Column("appointments.no_show", "No-shows", S.COUNT),
    S.Column("appointments.no_show_rate", "No-show rate", S.RATE),
    S.Column("referrals.made", "Referrals made", S.COUNT),
    S.Column("referrals.linked", "Referrals linked", S.COUNT),
    S.Column("referrals.linkage_rate", "Linkage rate", S.RATE),
    S.Column("referrals.median_days_to_link", "Median days to link", S.NUMBER),
]


def by_coach_table(scope: Scope, period: Period) -> Rows:
    rows = []
    for row in metrics.by_coach(scope, period):
        flat = {"coach_id": row["coach_id"], "coach_name": row["coach_name"]}
        flat.update(metrics.flatten({k: row[k] for k in ("clients", "appointments", "referrals")}))
        rows.append([flat[column.key] for column in BY_COACH_COLUMNS])
    return BY_COACH_COLUMNS, rows


BY_MONTH_COLUMNS = [
    S.Column("month", "Month", S.TEXT),
    S.Column("start", "From", S.DATE),
    S.Column("end", "To", S.DATE),
    S.Column("enrolled", "Clients enrolled", S.COUNT),
    S.Column("engaged", "Clients engaged", S.COUNT),
    S.Column("engagement_rate", "Engagement rate", S.RATE),
    S.Column("attended", "Attended appointments", S.COUNT),
    S.Column("no_show", "No-shows", S.COUNT),
    S.Column("no_show_rate", "No-show rate", S.RATE),
    S.Column("referrals_made", "Referrals made", S.COUNT),
    S.Column("referrals_linked", "Referrals linked", S.COUNT),
    S.Column("linkage_rate", "Linkage rate", S.RATE),
]
# The glossary entry of each by_month column.
BY_MONTH_FIGURES = {
    "enrolled": "clients.enrolled",
    "engaged": "clients.engaged",
    "engagement_rate": "clients.engagement_rate",
    "attended": "appointments.attended",
    "no_show": "appointments.no_show",
    "no_show_rate": "appointments.no_show_rate",
    "referrals_made": "referrals.made",
    "referrals_linked": "referrals.linked",
    "linkage_rate": "referrals.linkage_rate",
}


def by_month_table(scope: Scope, period: Period) -> Rows:
    rows = []
    for row in metrics.by_month(scope, period):
        values = {**row, "start": date.fromisoformat(row["start"])}
        values["end"] = date.fromisoformat(row["end"])
        rows.append([values[c.key] for c in BY_MONTH_COLUMNS])
    return BY_MONTH_COLUMNS, rows


def client_table(scope: Scope, period: Period) -> Rows:
    """The de-identified per-client table, read in batches of ``BATCH`` rows."""
    query = client_table_query(scope, period).execution_options(yield_per=BATCH)
    to_pseudonym = pseudonymizer()

    def rows() -> Iterator[list[Any]]:
        for row in db.session.execute(query).mappings():
            values = dict(row)
            values["pseudonym"] = to_pseudonym(values.pop("client_id"))
            intake = values.pop("intake")
            values["intake_month"] = intake.strftime("%Y-%m") if intake else None
            yield [values[column.key] for column in CLIENT_COLUMNS]

    return CLIENT_COLUMNS, rows()


def _value(value: Any, kind: str) -> Any:
    return S.Percent(value) if kind == "rate" and isinstance(value, float) else value


def housing_employment_rows(figures: dict) -> list[list[Any]]:
    """``figure, value, numerator, denominator, key`` rows (``REPORT_COLUMNS``): the headline
    figures, then each cell of the intake × latest table, suppressed under 11 clients."""
    f = figures["figures"]
    rows: list[list[Any]] = []
    for key, label in outcomes.HOUSING_LABELS.items():
        parts = outcomes.HOUSING_RATES.get(key)
        if parts is None:
            rows.append([label, f[key], None, None, key])
        else:
            value = S.Percent(f[key]) if f[key] is not None else None
            rows.append([label, value, f[parts[0]], f[parts[1]], key])
    matrix = outcomes.suppressed_matrix(figures["matrix"])
    names = outcomes.HOUSING_GROUP_LABELS
    for intake in outcomes.HOUSING_GROUPS:
        for latest in outcomes.HOUSING_GROUPS:
            label = f"Housing at intake: {names[intake]} → latest: {names[latest]}"
            key = f"housing.matrix.{intake}.{latest}"
            rows.append([label, matrix[intake][latest], None, None, key])
    return rows


def housing_employment_table(scope: Scope, period: Period) -> Rows:
    return REPORT_COLUMNS, housing_employment_rows(outcomes.housing_employment(scope, period))


BY_GROUP_COLUMNS = [
    S.Column("field", "Field", S.TEXT, width=20),
    S.Column("group", "Group", S.TEXT, width=28),
    S.Column("figure", "Figure", S.TEXT, width=44),
    S.Column("value", "Value", S.AUTO, width=12, csv_title="Value (rates in %)"),
    S.Column("numerator", "Numerator", S.COUNT),
    S.Column("denominator", "Denominator", S.COUNT),
    S.Column("key", "Figure key", S.TEXT, width=44),
]


def by_group_rows(by_field: dict[str, list[dict]]) -> list[list[Any]]:
    """One row per field, group and figure, under the small-cell rule: a figure resting on
    fewer than 11 clients is "<11" (a rate or mean: blank)."""
    shown = outcomes.suppressed_breakdowns(by_field)
    kinds = {f.key: f.kind for f in outcomes.BREAKDOWN_FIGURES}
    rows = []
    for field in outcomes.BY_FIELDS:
        for group in shown[field]:
            for key, cell in group["figures"].items():
                rows.append(
                    [
                        outcomes.FIELD_LABELS[field],
                        group["label"],
                        outcomes.figure_label(key),
                        _value(cell["value"], kinds[key]),
                        cell["numerator"],
                        cell["denominator"],
                        key,
                    ]
                )
    return rows


def by_group_table(scope: Scope, period: Period) -> Rows:
    return BY_GROUP_COLUMNS, by_group_rows(outcomes.breakdowns(scope, period))


def funder_sheets(scope: Scope, period: Period) -> list[S.Sheet]:
    """The report XLSX's "Housing and employment" and "By group" sheets (eight queries)."""
    funder = outcomes.funder_report(scope, period)
    return [
        S.Sheet(
            TITLES["housing_employment"],
            REPORT_COLUMNS,
            housing_employment_rows(funder["housing_employment"]),
        ),
        S.Sheet(TITLES["by_group"], BY_GROUP_COLUMNS, by_group_rows(funder["breakdowns"])),
    ]


BUILDERS: dict[str, Callable[[Scope, Period], Rows]] = {
    "report": report_table,
    "by_coach": by_coach_table,
    "by_month": by_month_table,
    "clients": client_table,
    "housing_employment": housing_employment_table,
    "by_group": by_group_table,
}


# --- Cover and definitions of an XLSX --------------------------------------------------------


def cover(
    scope: Scope, period: Period, table: str, *, user: User, period_name: str | None = None
) -> list[tuple[str, Any]]:
    """The cover sheet: what the file is, for whom, over when (with the funder calendar's name
    of the period, when it was asked by name), made when and by whom."""
    program = db.session.get(Program, scope.program_id)
    generated = timeutil.local_now(program)
    return [
        ("Table", TITLES[table]),
        ("Program", program.name if program else None),
        ("Scope", scope_label(scope)),
        *([("Period", period_name)] if period_name else []),
        ("Period start", period.start),
        ("Period end", period.end),
        ("Generated at", f"{generated:%Y-%m-%d %H:%M} ({timeutil.zone(program).key})"),
        ("Generated by", user.name),
        ("Percentages", "Rates are shown as percentages; the cells hold the fraction (0.238)."),
        ("Definitions", "The Definitions sheet says what each figure means and how it is counted."),
    ]


def _definition(key: str, name: str | None = None) -> S.Definition:
    entry = glossary.entry_for(key)
    if entry is None:
        return S.Definition(name or key, "")
    meaning = entry.meaning + (f" Worked example: {entry.example}." if entry.example else "")
    return S.Definition(
        name or glossary.name_for(key), meaning, entry.formula, entry.numerator, entry.denominator
    )


def definitions(
    table: str, header: list[S.Column], rows: Iterable[list[Any]]
) -> list[S.Definition]:
    """One line per figure of the table: for the headline, each figure row (its rows are a
    list; categories and retention days each a line of their own); for the others, each
    column that is a figure."""
    if table == "report":
        keys = [row[-1] for row in rows]  # type: ignore[union-attr]
        return [_definition(key) for key in keys if glossary.entry_for(key)]
    if table in FUNDER_TABLES:
        return funder_definitions()
    if table == "by_coach":
        return [_definition(c.key, c.header) for c in header if glossary.entry_for(c.key)]
    if table == "by_month":
        return [
            _definition(BY_MONTH_FIGURES[c.key], c.header)
            for c in header
            if c.key in BY_MONTH_FIGURES
        ]
    result = []
    for column in header:
        figure = CLIENT_FIGURES[column.key]
        if isinstance(figure, S.Definition):
            result.append(figure)
        else:
            result.append(_definition(figure, column.header))
    return result


def funder_definitions() -> list[S.Definition]:
    """The lines of the funder sheets: the housing and employment figures, the housing table,
    how groups are made, the small-cell rule, then each figure broken down."""
    keys = [*outcomes.HOUSING_LABELS, "housing.matrix"]
    keys += ["breakdowns.by_group", "breakdowns.age_band", "breakdowns.small_cell_rule"]
    keys += [f.key for f in outcomes.BREAKDOWN_FIGURES if f.key not in keys]
    return [_definition(key, outcomes.figure_label(key)) for key in keys if glossary.entry_for(key)]


TITLES = {
    "report": "Headline figures",
    "by_coach": "By coach",
    "by_month": "By month",
    "clients": "Per client, de-identified",
    "housing_employment": "Housing and employment",
    "by_group": "By group",
}


def sheet_title(table: str) -> str:
    """The table's sheet: its key for the first tables (as they always were), its title for
    the funder tables."""
    return TITLES[table] if table in FUNDER_TABLES else table


def filename(table: str, scope: Scope, period: Period, fmt: str) -> str:
    parts = [f"coachapp-{table}", f"program{scope.program_id}"]
    if scope.supervisor_id:
        parts.append(f"team{scope.supervisor_id}")
    if scope.coach_id:
        parts.append(f"coach{scope.coach_id}")
    parts.append(f"{period.start.isoformat()}_{period.end.isoformat()}")
    return "-".join(parts) + f".{fmt}"


def record_export(table: str, fmt: str, scope: Scope, *, actor: User) -> None:
    """Add the export's audit event (the caller commits): the program, the table and the
    format; never a client id."""
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        entity_type="program",
        entity_id=scope.program_id,
        detail=f"{table} {fmt}",
    )
