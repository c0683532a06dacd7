from flask import Blueprint

bp = Blueprint("merges", __name__)

from coachapp.merges import views  # noqa: E402,F401
