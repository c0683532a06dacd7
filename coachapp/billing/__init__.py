"""Billing: the billing specialist's role, a program's billing settings by date, units under the
payer's rounding rule and caps, client billing fields, and the monthly claims worksheet."""

from flask import Blueprint

bp = Blueprint("billing", __name__)

from coachapp.billing import views  # noqa: E402,F401
