"""The sections of a client's page, one per feature.

Each feature's ``queries.client_panel(client, user) -> dict`` returns the context of its
``templates/<feature>/_client_panel.html``, which reads it as ``panels.<feature>``. A panel runs
a fixed number of queries whatever the client's history holds (the page's query count is
tested), and reaches its rows through the client it is given (already access-checked).
"""

from __future__ import annotations

from collections.abc import Callable

from coachapp.appointments.queries import client_panel as appointments_panel
from coachapp.assessments.queries import client_panel as assessments_panel
from coachapp.consents.queries import client_panel as consents_panel
from coachapp.goals.queries import client_panel as goals_panel
from coachapp.mutual_aid.queries import client_panel as mutual_aid_panel
from coachapp.referrals.queries import client_panel as referrals_panel
from coachapp.sessions.queries import client_panel as sessions_panel

# Order is the order on the page.
PANELS: list[tuple[str, Callable]] = [
    ("sessions", sessions_panel),
    ("goals", goals_panel),
    ("appointments", appointments_panel),
    ("referrals", referrals_panel),
    ("mutual_aid", mutual_aid_panel),
    ("assessments", assessments_panel),
    ("consents", consents_panel),
]


def build_panels(client, user) -> dict[str, dict]:
    return {name: panel(client, user) for name, panel in PANELS}
