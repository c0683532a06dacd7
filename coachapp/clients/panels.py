"""The sections of a client's page, one per feature.

Each feature's ``queries.client_panel(client, user) -> dict`` (``panel.client_panel`` where the
section carries a form) returns the context of its
``templates/<feature>/_client_panel.html``, which reads it as ``panels.<feature>``. A panel runs
a fixed number of queries whatever the client's history holds (the page's query count is
tested), and reaches its rows through the client it is given (already access-checked).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from jinja2 import Environment, TemplateNotFound

from coachapp.appointments.queries import client_panel as appointments_panel
from coachapp.assessments.queries import client_panel as assessments_panel
from coachapp.consents.panel import client_panel as consents_panel
from coachapp.followups.panel import client_panel as followups_panel
from coachapp.goals.queries import client_panel as goals_panel
from coachapp.mutual_aid.queries import client_panel as mutual_aid_panel
from coachapp.plans.queries import client_panel as plans_panel
from coachapp.profiles.queries import client_panel as profile_panel
from coachapp.referrals.queries import client_panel as referrals_panel
from coachapp.sessions.queries import client_panel as sessions_panel

# Order is the order on the page.
PANELS: list[tuple[str, Callable]] = [
    ("sessions", sessions_panel),
    ("goals", goals_panel),
    ("plans", plans_panel),
    ("appointments", appointments_panel),
    ("referrals", referrals_panel),
    ("mutual_aid", mutual_aid_panel),
    ("assessments", assessments_panel),
    ("followups", followups_panel),
    ("consents", consents_panel),
    ("profiles", profile_panel),
]


# The page's section links: each panel's heading id (set in its template) and a short label.
SECTIONS: dict[str, tuple[str, str]] = {
    "sessions": ("h-sessions", "Sessions"),
    "goals": ("h-goals", "Goals"),
    "plans": ("h-plans", "Plan"),
    "appointments": ("h-appointments", "Appointments"),
    "referrals": ("h-referrals", "Referrals"),
    "mutual_aid": ("h-mutual-aid", "Groups"),
    "assessments": ("h-assessments", "BARC-10"),
    "followups": ("h-followups", "Interviews"),
    "consents": ("h-consents", "Consents"),
    "profiles": ("h-profile", "Funders"),
}

# How many of a long list a panel shows before folding the rest away (nothing is dropped: the
# rest is one tap away, in a <details> of the same panel).
SHOWN = 3


def section_links() -> list[tuple[str, str]]:
    """The in-page links of the client page, About first, then the panels in page order."""
    return [("h-about", "About")] + [SECTIONS[name] for name, _ in PANELS if name in SECTIONS]


def build_panels(client, user) -> dict[str, dict]:
    return {name: panel(client, user) for name, panel in PANELS}


@cache
def with_scripts(env: Environment) -> tuple[str, ...]:
    """The panels that have scripts (``templates/<feature>/_client_scripts.html``), looked up
    once per app: an include of a missing template would look for the file on every view."""
    found = []
    for name, _ in PANELS:
        try:
            env.get_template(f"{name}/_client_scripts.html")
        except TemplateNotFound:
            continue
        found.append(name)
    return tuple(found)
