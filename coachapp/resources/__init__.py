from flask import Blueprint

bp = Blueprint("resources", __name__)

from coachapp.resources import views  # noqa: E402,F401
