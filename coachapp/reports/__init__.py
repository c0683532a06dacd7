"""Outcome reports (metrics.md): the page, the definitions, drill-down lists and exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from coachapp.reports import views  # noqa: E402,F401
