from flask import Blueprint

bp = Blueprint("admin", __name__)

from coachapp.admin import views  # noqa: E402,F401
