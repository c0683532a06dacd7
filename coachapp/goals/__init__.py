from flask import Blueprint

bp = Blueprint("goals", __name__)

from coachapp.goals import views  # noqa: E402,F401
