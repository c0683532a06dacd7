"""The accounting of disclosures (42 CFR 2.24, 2.25): what went out about a client, to whom,
when, why and what; recorded by the code path that discloses, listed for three years."""

from flask import Blueprint

bp = Blueprint("disclosures", __name__)

from coachapp.disclosures import views  # noqa: E402,F401
