"""The report's period: presets from the program's today, a named period of the funder's
calendar (``FY2026``, ``FY2026Q1``, ``2026Q1``: ``periods``), or custom dates (validated).

The form is read from the query string (a GET form: reports change nothing, so there is no
CSRF token to carry). The scope picker's fields are plain selects here; whether an id is within
the user's reach is decided by ``access.report_scope`` (404), not by the form.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping
from datetime import date, timedelta

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import Select, html_params

from coachapp.forms import DateRange, select_choices
from coachapp.reports import periods
from coachapp.scope import Period

PRESETS = {
    "last_month": "Last month",
    "last_quarter": "Last quarter",
    "year_to_date": "Year to date",
    "last_12_months": "Last 12 months",
    "custom": "Custom dates",
}
DEFAULT_PRESET = "last_12_months"
MAX_YEARS = 5


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month_end(day: date) -> date:
    return _month_start(day) - timedelta(days=1)


def preset_period(name: str, today: date) -> Period:
    """The dates of a preset, as seen on ``today`` (the program's local date).

    Last month and last quarter are the last complete calendar month and quarter; year to
    date runs from 1 January to today; the last 12 months are the 12 complete calendar months
    before the current one (so every month in the charts is whole)."""
    if name == "last_month":
        end = _previous_month_end(today)
        return Period(_month_start(end), end)
    if name == "last_quarter":
        quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = quarter_start - timedelta(days=1)
        return Period(date(end.year, end.month - 2, 1), end)
    if name == "year_to_date":
        return Period(date(today.year, 1, 1), today)
    if name == "last_12_months":
        end = _previous_month_end(today)
        start = date(end.year - 1, end.month, 1) + timedelta(days=32)
        return Period(_month_start(start), end)
    raise ValueError(f"unknown preset {name!r}")


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_problem(start: date, end: date) -> str | None:
    """What is wrong with the custom period ``[start, end]`` (blamed on ``end``), or None: the
    rule of the report page and of the API alike."""
    if end < start:
        return "The period must end on or after its first day."
    if end >= years_later(start, MAX_YEARS):
        return f"A report covers {MAX_YEARS} years at most."
    return None


class PlainSelect(Select):
    """A select whose options are rendered in one loop, each ``<option>`` built once per
    process by WTForms' own ``html_params`` and kept (the same options are listed on every
    view): the scope picker lists every coach of a program (200 at a statewide program's size),
    and WTForms' option rendering (a ``Choice``, ``html_params`` and ``Markup.format`` per
    option, every time) was a sixth of the report page's time. The HTML is WTForms' own.

    Choices: ``(value, label)`` or ``(value, label, render_kw)`` tuples, or ``SelectChoice``
    (whose ``optgroup`` groups consecutive options, as WTForms does)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        selected = field.data
        group = None
        for choice in field.choices or ():
            if isinstance(choice, SelectChoice):
                value, label, render_kw = choice.value, choice.label, choice.render_kw
                optgroup = choice.optgroup
            else:
                value, label, *extra = choice
                render_kw, optgroup = (extra[0] if extra else None), None
            if optgroup != group:
                if group is not None:
                    html.append("</optgroup>")
                if optgroup is not None:
                    html.append(_optgroup(optgroup))
                group = optgroup
            value = str(value)
            attributes = tuple(render_kw.items()) if render_kw else ()
            html.append(_option(value, label or value, attributes, value == selected))
        if group is not None:
            html.append("</optgroup>")
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 - built by html_params and escape  # nosec B704


@functools.lru_cache(maxsize=4096)
def _option(value: str, label: str, attributes: tuple, selected: bool) -> str:
    """One ``<option>``, as ``Select.render_option`` writes it."""
    options = {"value": value, **dict(attributes)}
    if selected:
        options["selected"] = True
    return f"<option {html_params(**options)}>{escape(label)}</option>"


@functools.lru_cache(maxsize=256)
def _optgroup(label: str) -> str:
    return f"<optgroup {html_params(label=label)}>"


class ReportForm(FlaskForm):
    """Period and scope of a report, from ``request.args``."""

    class Meta:
        csrf = False

    # Choices are filled by the view (presets, the recent named periods, custom); any period
    # name is accepted, listed or not, and checked by validate_preset.
    preset = SelectField(
        "Period",
        choices=select_choices(PRESETS.items()),
        default=DEFAULT_PRESET,
        validate_choice=False,
        widget=PlainSelect(),
    )
    start = DateField("From", validators=[Optional(), DateRange(years_ahead=1)])
    end = DateField("To (inclusive)", validators=[Optional(), DateRange(years_ahead=1)])
    # The scope picker: choices are the view's plain tuples.
    program_id = SelectField("Program", validate_choice=False, widget=PlainSelect())
    supervisor_id = SelectField("Team", validate_choice=False, widget=PlainSelect())
    coach_id = SelectField("Coach", validate_choice=False, widget=PlainSelect())

    def __init__(self, *args, today: date, fiscal_start: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fiscal_start = fiscal_start

    def is_custom(self) -> bool:
        return self.preset.data == "custom"

    def named(self) -> periods.NamedPeriod | None:
        """The named period chosen (after ``validate()``), or None for a preset or custom."""
        if self.preset.data in PRESETS:
            return None
        return periods.parse(self.preset.data, self.fiscal_start)

    def validate_preset(self, field) -> None:
        if field.data in PRESETS:
            return
        if not periods.is_period_name(field.data):
            raise ValidationError("Choose a period from the list.")
        try:
            periods.parse(field.data, self.fiscal_start)
        except periods.PeriodNameError as exc:
            raise ValidationError(str(exc)) from None

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the period as a whole (custom dates only: presets are computed)."""
        valid = super().validate(extra_validators)
        if not self.is_custom():
            return valid
        start, end = self.start.data, self.end.data
        if start is None and not self.start.errors:
            self.start.errors.append("Give the first day of the period.")
        if end is None and not self.end.errors:
            self.end.errors.append("Give the last day of the period.")
        problem = period_problem(start, end) if start is not None and end is not None else None
        if problem:
            self.end.errors.append(problem)
        return valid and not self.start.errors and not self.end.errors

    def period(self) -> Period:
        """The validated period (call after ``validate()`` succeeded)."""
        if self.is_custom():
            return Period(self.start.data, self.end.data)
        named = self.named()
        if named is not None:
            return named.period
        return preset_period(self.preset.data, self.today)


def report_form(args: Mapping[str, str], today: date, fiscal_start: int = 1) -> ReportForm:
    """The form for query ``args``: a preset or a named period (``preset=FY2026Q1``, or
    ``period=FY2026Q1``; its dates computed, any typed dates ignored), or custom dates; without
    either, custom when dates are given (drill-down and export links carry ``start`` and ``end``
    only), else the default preset. ``fiscal_start`` is the program's fiscal year's first
    month."""
    data = {key: args.get(key, "")[:100] for key in ("preset", "start", "end")}
    data["preset"] = data["preset"] or args.get("period", "")[:100]
    if periods.is_period_name(data["preset"]):
        # one spelling, so the select shows the choice whatever the case typed; a name that
        # names no period stays as typed and validate_preset says why
        with contextlib.suppress(periods.PeriodNameError):
            data["preset"] = periods.parse(data["preset"], fiscal_start).name
    for key in ("program_id", "supervisor_id", "coach_id"):
        data[key] = args.get(key, "")
    if not data["preset"]:
        data["preset"] = "custom" if (data["start"] or data["end"]) else DEFAULT_PRESET
    if data["preset"] != "custom":
        data["start"] = data["end"] = ""
    return ReportForm(formdata=MultiDict(data), today=today, fiscal_start=fiscal_start)
