"""``flask reports forget``: drop the stored reports (after changing records outside the app)."""

from __future__ import annotations

import click

from coachapp.extensions import db
from coachapp.reports import store


@click.group()
def reports() -> None:
    """Stored outcome reports."""


@reports.command("forget")
def forget() -> None:
    """Drop every stored report: each is computed again when next asked for. Needed only
    after records were changed outside the app (SQL typed into a console), whose changes the
    stored reports cannot see."""
    dropped = store.forget()
    db.session.commit()
    click.echo(f"{dropped} stored reports dropped")
