from flask import Blueprint

bp = Blueprint("sessions", __name__)

from coachapp.sessions import views  # noqa: E402,F401
