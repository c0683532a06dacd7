from flask import Blueprint

bp = Blueprint("referrals", __name__)

from coachapp.referrals import views  # noqa: E402,F401
