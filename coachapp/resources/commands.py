"""``flask resources ...``: import Open Referral HSDS exports and Meeting Guide feeds."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup

from coachapp import audit
from coachapp.extensions import db
from coachapp.models.enums import AuditAction, MeetingModel
from coachapp.resources.imports import ImportReport, import_hsds, import_meetings

PROGRAM_HELP = "Program name or id the entries belong to (default: shared by every program)."
resources = AppGroup("resources", help="Manage the resource directory.")


def _program_id(value: str | None) -> int | None:
    if not value:
        return None
    from coachapp.commands import _find_program

    program = _find_program(value)
    if program is None:
        raise click.BadParameter(f"no program {value!r}", param_hint="--program")
    return program.id


def _run(kind: str, do_import: Callable[[], ImportReport], dry_run: bool) -> None:
    """One transaction: commit the import (with one audit event) or roll it all back."""
    try:
        report = do_import()
    except Exception:
        db.session.rollback()
        raise
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        db.session.rollback()
        raise click.ClickException("nothing was imported")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was saved.")
        return
    audit.record(
        AuditAction.CREATE,
        actor=None,
        entity_type="resource_import",
        detail=f"{kind}: {report.summary()}",
    )
    db.session.commit()


@resources.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--program", "program_ref", default=None, help=PROGRAM_HELP)
@click.option("--dry-run", is_flag=True, help="Check and report, save nothing.")
def import_command(path: str, program_ref: str | None, dry_run: bool) -> None:
    """Import an Open Referral HSDS CSV export: a directory with services.csv (and
    organizations.csv), or one services CSV with a category column. Re-importing updates."""
    program_id = _program_id(program_ref)
    _run("hsds", lambda: import_hsds(path, program_id=program_id), dry_run)


@resources.command("import-meetings")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--model",
    type=click.Choice([m.value for m in MeetingModel]),
    default=MeetingModel.AA.value,
    show_default=True,
    help="Mutual-aid model of meetings whose entry names no program.",
)
@click.option("--program", "program_ref", default=None, help=PROGRAM_HELP)
@click.option("--dry-run", is_flag=True, help="Check and report, save nothing.")
def import_meetings_command(path: str, model: str, program_ref: str | None, dry_run: bool) -> None:
    """Import a Meeting Guide JSON feed of mutual-aid meetings. Re-importing updates."""
    program_id = _program_id(program_ref)
    _run(
        "meeting-guide",
        lambda: import_meetings(path, default_model=model, program_id=program_id),
        dry_run,
    )
