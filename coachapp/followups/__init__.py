"""SUPRT follow-up interviews: each enrollment episode's baseline, six-month and closeout
interview schedule (``schedule``), what was done (``FollowUpInterview``), the interviews due this
week and the follow-up rates (``metrics``)."""

from flask import Blueprint

bp = Blueprint("followups", __name__)

from coachapp.followups import views  # noqa: E402,F401
