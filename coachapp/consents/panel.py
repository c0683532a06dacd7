"""The consents' section of the client page (``clients.panels``): the consents on file, which
are in force today, and the revoke form."""

from __future__ import annotations

from coachapp import timeutil
from coachapp.consents import categories
from coachapp.consents.forms import RevokeForm
from coachapp.consents.services import consents_of, in_force


def client_panel(client, user) -> dict:
    today = timeutil.local_today(client.program)
    consents = consents_of(client)
    return {
        "consents": consents,
        "in_force": {c.id for c in consents if in_force(c, today)},
        "revoke_form": RevokeForm(formdata=None, revoked_on=today),
        "category_labels": lambda stored: categories.labels(categories.parse(stored)),
    }
