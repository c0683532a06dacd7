"""The follow-up rates where the outcome report shows its figures: the report page's section,
the headline export's rows and the definitions page's exact text (``metrics.md`` here). The
reports code calls these through small hooks."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import markdown
from markupsafe import Markup

from coachapp import spreadsheets as S
from coachapp import timeutil
from coachapp.extensions import db
from coachapp.followups import metrics
from coachapp.models import Program
from coachapp.reports import glossary, store
from coachapp.reports.metrics import Period, Scope

DEFINITIONS = Path(__file__).with_name("metrics.md")


def figures(scope: Scope, period: Period) -> dict:
    """``metrics.figures`` as of the program's today (a window closes before it counts),
    stored (``store.followup_report``: the caller commits)."""
    program = db.session.get(Program, scope.program_id)
    return store.followup_report(scope, period, today=timeutil.local_today(program))


def export_rows(scope: Scope, period: Period) -> list[list[Any]]:
    """Rows ``figure, value, numerator, denominator, key`` of the headline export."""
    rows = []
    for key, value, numerator, denominator in metrics.flat_rows(figures(scope, period)):
        if value is not None and (numerator is not None or key == "followups.target"):
            value = S.Percent(value)
        rows.append([glossary.name_for(key), value, numerator, denominator, key])
    return rows


@functools.cache
def definitions_html() -> Markup:
    """metrics.md of follow-up interviews as HTML (our own file)."""
    html = markdown.markdown(DEFINITIONS.read_text(encoding="utf-8"), extensions=["tables"])
    # As metrics.md's tables on the same page: styled, and scrolled within their own box on a
    # phone rather than widening the page.
    html = html.replace(
        "<table>", '<div class="table-responsive"><table class="table table-sm align-top">'
    ).replace("</table>", "</table></div>")
    return Markup(html)  # noqa: S704 # nosec B704
