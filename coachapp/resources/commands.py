"""``flask resources ...``: import Open Referral HSDS exports and Meeting Guide feeds, each into
its source, and refresh every source that has a URL (for a cron job)."""

from __future__ import annotations

import logging
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from coachapp import audit
from coachapp.extensions import db
from coachapp.models import ResourceSource
from coachapp.models.enums import AuditAction, MeetingModel
from coachapp.programs import find_program
from coachapp.resources.imports import ImportReport, import_hsds, import_meetings

log = logging.getLogger(__name__)

PROGRAM_HELP = "Program name or id the entries belong to (default: shared by every program)."
SOURCE_HELP = (
    "Name of the source the entries belong to (default: the feed's URL or the file's name). "
    "Re-importing a source updates its entries and retires those the file no longer has."
)
FETCH_TIMEOUT = 60  # seconds
MAX_DOWNLOAD = 50 * 1024 * 1024  # bytes
resources = AppGroup("resources", help="Manage the resource directory.")


class FetchError(Exception):
    """A source's URL could not be fetched."""


def _program_id(value: str | None) -> int | None:
    if not value:
        return None
    program = find_program(value)
    if program is None:
        raise click.BadParameter(f"no program {value!r}", param_hint="--program")
    return program.id


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)


def fetch(url: str, folder: Path) -> Path:
    """Download ``url`` (http or https only) into ``folder``; the file keeps the URL's name."""
    if not is_url(url):
        raise FetchError(f"not an http(s) URL: {url[:80]!r}")
    name = Path(urlsplit(url).path).name or "download"
    target = folder / "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:100]
    request = urllib.request.Request(url, headers={"User-Agent": "coachapp resource import"})  # noqa: S310
    try:
        # The scheme is checked above: only http(s), never file: or ftp:.
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # nosec B310  # noqa: S310
            data = response.read(MAX_DOWNLOAD + 1)
    except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are OSErrors
        raise FetchError(f"{url[:200]} could not be fetched: {exc}") from None
    if len(data) > MAX_DOWNLOAD:
        raise FetchError(f"{url[:200]} is larger than {MAX_DOWNLOAD // (1024 * 1024)} MB")
    target.write_bytes(data)
    return target


def _save(kind: str, do_import: Callable[[], ImportReport], dry_run: bool) -> ImportReport:
    """One transaction: commit the import (with one audit event) or roll it all back. The
    report is printed after the save, so it is true; a failed save says nothing was saved."""
    try:
        report = do_import()
    except Exception:
        db.session.rollback()
        raise
    if not report.ok:
        db.session.rollback()
        for line in report.lines():
            click.echo(line)
        raise click.ClickException("nothing was imported")
    if dry_run:
        db.session.rollback()
        for line in report.lines(dry_run=True):
            click.echo(line)
        click.echo("Dry run: nothing was saved.")
        return report
    try:
        audit.record(
            AuditAction.CREATE,
            actor=None,
            entity_type="resource_import",
            detail=f"{kind}: {report.summary()}",
        )
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("resource import not saved: %s", exc.__class__.__name__)
        raise click.ClickException(
            f"{report.source}: nothing was saved: the database refused the save "
            f"({exc.__class__.__name__})."
        ) from None
    for line in report.lines():
        click.echo(line)
    return report


def _import_path_or_url(
    target: str, source: str | None, run: Callable[[Path, str | None], ImportReport]
) -> Callable[[], ImportReport]:
    """An import of a file, or of a URL fetched first (the URL is then the source's URL)."""

    def do_import() -> ImportReport:
        if not is_url(target):
            path = Path(target)
            if not path.exists():
                raise click.BadParameter(f"{target!r} does not exist", param_hint="PATH")
            return run(path, None)
        with tempfile.TemporaryDirectory() as folder:
            try:
                path = fetch(target, Path(folder))
            except FetchError as exc:
                raise click.ClickException(f"nothing was imported: {exc}") from None
            return run(path, target)

    return do_import


@resources.command("import")
@click.argument("path")
@click.option("--source", default=None, help=SOURCE_HELP)
@click.option("--program", "program_ref", default=None, help=PROGRAM_HELP)
@click.option("--dry-run", is_flag=True, help="Report what would be created, updated, retired.")
def import_command(path: str, source: str | None, program_ref: str | None, dry_run: bool) -> None:
    """Import an Open Referral HSDS CSV export: a directory with services.csv (and
    organizations.csv), or one services CSV (a file or an http(s) URL) with a category column.
    Re-importing a source updates its entries, adds new ones and retires missing ones."""
    program_id = _program_id(program_ref)
    run = _import_path_or_url(
        path,
        source,
        lambda file, url: import_hsds(file, source=source, url=url, program_id=program_id),
    )
    _save("hsds", run, dry_run)


@resources.command("import-meetings")
@click.argument("path")
@click.option(
    "--model",
    type=click.Choice([m.value for m in MeetingModel]),
    default=MeetingModel.AA.value,
    show_default=True,
    help="Mutual-aid model of meetings whose entry names no program.",
)
@click.option("--source", default=None, help=SOURCE_HELP)
@click.option("--program", "program_ref", default=None, help=PROGRAM_HELP)
@click.option("--dry-run", is_flag=True, help="Report what would be created, updated, retired.")
def import_meetings_command(
    path: str, model: str, source: str | None, program_ref: str | None, dry_run: bool
) -> None:
    """Import a Meeting Guide JSON feed (a file or an http(s) URL) of mutual-aid meetings.
    Re-importing a source updates its meetings, adds new ones and retires missing ones."""
    program_id = _program_id(program_ref)
    run = _import_path_or_url(
        path,
        source,
        lambda file, url: import_meetings(
            file, source=source, url=url, default_model=model, program_id=program_id
        ),
    )
    _save("meeting-guide", run, dry_run)


@resources.command("refresh")
@click.option("--dry-run", is_flag=True, help="Report what would change, save nothing.")
def refresh_command(dry_run: bool) -> None:
    """Re-import every source that has a URL (for a cron job). A source that fails is reported
    and the others go on; the exit status is non-zero when any failed."""
    sources = db.session.scalars(
        select(ResourceSource).where(ResourceSource.url.is_not(None)).order_by(ResourceSource.id)
    ).all()
    plan = [(s.name, s.kind, s.url or "", s.program_id, s.default_model) for s in sources]
    if not plan:
        click.echo("No source has a URL: nothing to refresh.")
        return
    failed = []
    for name, kind, url, program_id, model in plan:
        click.echo(f"Refreshing {name} ({url})")

        def run(
            file: Path, fetched: str | None, name=name, kind=kind, program=program_id, model=model
        ):
            if kind == "hsds":
                return import_hsds(file, source=name, url=fetched, program_id=program)
            return import_meetings(
                file,
                source=name,
                url=fetched,
                program_id=program,
                default_model=model or MeetingModel.AA.value,
            )

        try:
            _save(kind, _import_path_or_url(url, name, run), dry_run)
        except click.ClickException as exc:
            db.session.rollback()
            click.echo(f"Error: {exc.format_message()}", err=True)
            failed.append(name)
    ok = len(plan) - len(failed)
    click.echo(f"Refreshed {ok} of {len(plan)} sources.")
    if failed:
        raise click.ClickException(f"{len(failed)} failed: {', '.join(failed)}")
