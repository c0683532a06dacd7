"""``flask reports forget`` drops the stored reports (after changing records outside the app);
``flask reports rebuild`` recomputes the report rollups from the records."""

from __future__ import annotations

import click

from coachapp.extensions import db
from coachapp.reports import store, upkeep


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


@reports.command("rebuild")
def rebuild() -> None:
    """Recompute the report rollups from the records. Needed once after an upgrade that added
    them to a database with records (reports are computed from the records until then), and
    after records were changed outside the app."""
    rows = upkeep.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"report rollups rebuilt: {rows} client-month rows")
