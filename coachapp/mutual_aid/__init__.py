from flask import Blueprint

bp = Blueprint("mutual_aid", __name__)

from coachapp.mutual_aid import views  # noqa: E402,F401
