from flask import Blueprint

bp = Blueprint("team", __name__)

from coachapp.team import views  # noqa: E402,F401
