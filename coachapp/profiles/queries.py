"""Read queries of the client profile, reached through the (access-checked) client."""

from __future__ import annotations

from coachapp.models import Client, User
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS
from coachapp.profiles import services
from coachapp.profiles.labels import FIELD_LABELS, value_label


def demographics(client: Client) -> tuple[list[tuple[str, str, str | None]], int]:
    """``[(field label, value label, stored value)]`` in form order, and the profile's version
    (0 before the first save)."""
    profile = services.get_profile(client)
    rows = []
    for name, enum_cls in DEMOGRAPHIC_FIELDS.items():
        value = getattr(profile, name) if profile is not None else None
        rows.append((FIELD_LABELS[name], value_label(enum_cls, value), value))
    return rows, services.profile_version(profile)


def client_panel(client: Client, user: User) -> dict:  # noqa: ARG001 - the panels' signature
    """Context of templates/profiles/_client_panel.html: the demographics, the age band at the
    latest intake, housing and employment now and at intake. Two queries (the profile, the
    status rows) whatever the history holds."""
    rows, _version = demographics(client)
    episode = client.latest_enrollment
    return {
        "demographics": rows,
        "age_band": services.age_band(
            client.date_of_birth, episode.intake_date if episode else None
        ),
        "statuses": services.summaries(client),
    }
