from flask import Blueprint

bp = Blueprint("supervision", __name__)

from coachapp.supervision import views  # noqa: E402,F401
