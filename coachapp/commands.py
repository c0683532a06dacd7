"""The ``flask`` command line: users, tokens, programs, the synthetic demo program, backups and
the audit trail's verification."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from cryptography.fernet import Fernet
from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from coachapp import audit
from coachapp.auth.passwords import hash_password, password_problem
from coachapp.auth.tokens import create_token
from coachapp.backup import BackupError, backup, restore
from coachapp.billing.commands import billing
from coachapp.demo import DEMO_PASSWORD, DEMO_USERS, DemoError, build_demo
from coachapp.extensions import db
from coachapp.keys import rotate_all
from coachapp.models import AuditArchive, Program, User
from coachapp.models.enums import Role
from coachapp.programs import find_program
from coachapp.reports.commands import reports
from coachapp.resources.commands import resources


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(programs)
    app.cli.add_command(demo_data)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(keys)
    app.cli.add_command(audit_group)
    app.cli.add_command(reports)
    app.cli.add_command(resources)
    app.cli.add_command(billing)


@click.group()
def programs() -> None:
    """Manage programs."""


@programs.command("create")
@click.argument("name")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone.")
def programs_create(name: str, tz: str) -> None:
    """Create a program NAME."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"unknown time zone {tz!r}", param_hint="--timezone") from exc
    if find_program(name) is not None:
        raise click.ClickException(f"a program named {name!r} exists already")
    program = Program(name=name, timezone=tz)
    db.session.add(program)
    db.session.commit()
    click.echo(f"program {program.id} created")


@click.group()
def users() -> None:
    """Manage staff accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None, help="Full name (default: the part before @).")
@click.option("--program", "program_ref", default=None, help="Program name or id.")
@click.option("--supervisor", "supervisor_email", default=None, help="The coach's supervisor.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given.",
)
def users_create(
    email: str,
    role: str,
    name: str | None,
    program_ref: str | None,
    supervisor_email: str | None,
    password: str,
) -> None:
    """Create a user; asks for the password when --password is not given."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an email address", param_hint="--email")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise click.ClickException(f"a user with email {email} exists already")
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    program = None
    if program_ref:
        program = find_program(program_ref)
        if program is None:
            raise click.BadParameter(f"no program {program_ref!r}", param_hint="--program")
    elif role != Role.ADMIN:
        raise click.BadParameter("staff other than admins need a program", param_hint="--program")
    supervisor = None
    if supervisor_email:
        supervisor = db.session.scalar(
            select(User).where(func.lower(User.email) == supervisor_email.strip().lower())
        )
        if supervisor is None or supervisor.role != Role.SUPERVISOR:
            raise click.BadParameter("no supervisor with that email", param_hint="--supervisor")
        if role != Role.COACH:
            raise click.BadParameter("only coaches have a supervisor", param_hint="--supervisor")
    user = User(
        email=email,
        name=(name or email.split("@")[0]).strip()[:200],
        role=role,
        password_hash=hash_password(password),
        program_id=program.id if program else None,
        supervisor_id=supervisor.id if supervisor else None,
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"user {user.id} created ({role})")


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", default="command line", show_default=True)
def tokens_create(email: str, name: str) -> None:
    """Create an API token for EMAIL and print it once (only its hash is kept)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException("no active user with that email")
    token, _row = create_token(user, name)
    db.session.commit()
    click.echo(token)


@click.command("demo-data")
@click.option(
    "--scale", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data already.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the demo's dates are relative to (default: today), for a reproducible build.",
)
def demo_data(scale: str, seed: int, if_empty: bool, today: datetime | None) -> None:
    """Load a synthetic demo program (deterministic for a seed) into an empty database."""
    has_data = db.session.scalar(select(func.count(Program.id))) > 0
    if has_data and if_empty:
        click.echo("database has data already: demo not loaded")
    else:
        started = time.perf_counter()
        try:
            summary = build_demo(scale, seed, today=today.date() if today else None)
        except DemoError as exc:
            raise click.ClickException(str(exc)) from exc
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{table} {n}" for table, n in summary.counts.items())
        click.echo(f"demo program ({scale}, seed {seed}) built in {elapsed:.1f} s: {counts}")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for role, email in DEMO_USERS:
        click.echo(f"  {role:<16} {email}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path: str) -> None:
    """Write a consistent snapshot of the database to PATH (safe while the app serves)."""
    try:
        written = backup(db.engine, Path(path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {written} ({written.stat().st_size} bytes)")


def audit_archive_dir() -> Path:
    """Where restores keep the trails they replace: AUDIT_ARCHIVE_DIR, by default
    ``audit-archives`` in the instance folder."""
    configured = current_app.config.get("AUDIT_ARCHIVE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-archives"


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: str, yes: bool) -> None:
    """Replace the database's contents with the snapshot at PATH.

    The audit trail it replaces is kept first: written to a private file in the instance's
    audit-archives directory, then stored in the restored database as an archive (which
    `flask audit verify` checks), and the restore is recorded on the restored trail. Run it
    with the app stopped: events written while it runs are not in the archive."""
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    archived = audit.archive_current_trail(audit_archive_dir())
    click.echo(f"previous audit trail ({archived.event_count} events) written to {archived.path}")
    db.session.remove()
    try:
        restore(db.engine, Path(path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        archive = audit.keep_archived_trail(
            archived, reason=f"database restored from {Path(path).name}"
        )
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"the database was restored, but the audit trail it replaced could not be stored "
            f"in it ({type(exc).__name__}: is the backup older than this release? then run "
            f"`flask db upgrade`); that trail is kept only in {archived.path}"
        ) from exc
    click.echo(f"restored; previous audit trail kept as archive {archive.id}")


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
@click.option("--batch", default=1000, show_default=True, help="Events read per query.")
def audit_verify(batch: int) -> None:
    """Recompute the audit trail's hash chain, and every archived trail's; exit 1 at the first
    event changed or missing. Keep the printed last hash somewhere off this machine (the backup
    log): a later run showing a trail that no longer passes through it has been rewritten."""
    report = audit.verify_trail(batch=batch)
    broken = not report.intact
    if report.intact:
        click.echo(f"audit trail intact: {report.count} events, last hash {report.head}")
    else:
        click.echo(
            f"audit trail BROKEN at event {report.broken_at}: {report.problem} "
            f"({report.count} events verified before it)"
        )
    for archive_id in audit.archive_ids():
        archive = db.session.get(AuditArchive, archive_id)
        result = audit.verify_archive(archive)
        name = f"archive {archive.id} ({archive.source}, {archive.reason})"
        if result.intact:
            click.echo(f"{name} intact: {result.count} events, last hash {result.head}")
        else:
            broken = True
            click.echo(f"{name} BROKEN at event {result.broken_at}: {result.problem}")
        db.session.expunge(archive)  # an archive's events are not kept in memory past here
    if broken:
        raise SystemExit(1)


@click.group()
def keys() -> None:
    """Encryption keys for narrative text at rest."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new random key (put it first in ENCRYPTION_KEYS)."""
    click.echo(Fernet.generate_key().decode("ascii"))


@keys.command("rotate")
@click.option("--batch", default=1000, show_default=True, help="Rows per transaction.")
def keys_rotate(batch: int) -> None:
    """Re-encrypt every encrypted value with the first key of ENCRYPTION_KEYS."""
    counts = rotate_all(batch=batch)
    total = sum(counts.values())
    detail = ", ".join(f"{name} {n}" for name, n in counts.items())
    click.echo(f"re-encrypted {total} values ({detail})")
