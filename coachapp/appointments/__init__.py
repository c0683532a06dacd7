from flask import Blueprint

bp = Blueprint("appointments", __name__)

from coachapp.appointments import views  # noqa: E402,F401
