"""Read queries of this feature, built on the access rule."""

from __future__ import annotations


def client_panel(client, user) -> dict:
    """Context of templates/goals/_client_panel.html (see coachapp.clients.panels)."""
    return {}
