"""42 CFR Part 2 consents: records per client, and the printable summary they permit."""

from flask import Blueprint

bp = Blueprint("consents", __name__)

from coachapp.consents import views  # noqa: E402,F401
