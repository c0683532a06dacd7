"""Oversight: the audit trail page and export, and admin break-the-glass with its review."""

from flask import Blueprint

bp = Blueprint("oversight", __name__)

from coachapp.oversight import views  # noqa: E402,F401
