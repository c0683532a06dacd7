"""``flask billing worksheet``: a program's monthly claims worksheet as CSV or JSON, written to a
file or to standard output (the example in docs/billing/ is made with it)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from sqlalchemy import select

from coachapp import spreadsheets
from coachapp.billing import services
from coachapp.billing.exports import (
    LINE_COLUMNS,
    NOT_BILLABLE_COLUMNS,
    line_rows,
    not_billable_rows,
)
from coachapp.extensions import db
from coachapp.models import Program, User
from coachapp.models.enums import Role


@click.group()
def billing() -> None:
    """Billing: the monthly claims worksheet."""


def _reader(program: Program, email: str | None) -> User:
    """Who the worksheet is read as (and audited for): the user named, or the program's first
    active billing specialist."""
    query = select(User).where(User.active.is_(True))
    if email:
        query = query.where(User.email == email.strip().lower())
    else:
        query = query.where(User.role == Role.BILLING, User.program_id == program.id)
    user = db.session.scalars(query.order_by(User.id).limit(1)).first()
    if user is None or user.role not in (Role.BILLING, Role.ADMIN):
        raise click.ClickException("no billing specialist or admin to read the worksheet as")
    if user.role == Role.BILLING and user.program_id != program.id:
        raise click.ClickException("that billing specialist works for another program")
    return user


@billing.command("worksheet")
@click.option("--program", "program_id", type=int, required=True, help="The program's id.")
@click.option("--month", required=True, help="YYYY-MM")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--part",
    type=click.Choice(["lines", "not_billable"]),
    default="lines",
    show_default=True,
    help="CSV: the claim lines, or the sessions that cannot be billed.",
)
@click.option("--user", "email", help="Read as this billing specialist or admin (email).")
@click.option("--output", type=click.Path(dir_okay=False), help="A file (default: stdout).")
def worksheet(
    program_id: int, month: str, fmt: str, part: str, email: str | None, output: str | None
) -> None:
    """Write PROGRAM's claims worksheet of MONTH; audited like a download."""
    program = db.session.get(Program, program_id)
    if program is None:
        raise click.ClickException(f"no program {program_id}")
    if services.parse_month(month) is None:
        raise click.ClickException("--month must be YYYY-MM")
    reader = _reader(program, email)
    sheet = services.worksheet(reader, program, month)
    services.record_download(sheet, actor=reader, fmt=f"cli {fmt} {part}")
    db.session.commit()
    if fmt == "json":
        text = json.dumps(
            {
                "program_id": sheet.program_id,
                "month": sheet.month,
                "lines": [asdict(line) for line in sheet.lines],
                "not_billable": [asdict(item) for item in sheet.not_billable],
            },
            default=str,
            indent=2,
        )
        text += "\n"
    elif part == "lines":
        text = "".join(spreadsheets.csv_chunks(LINE_COLUMNS, line_rows(sheet)))
    else:
        text = "".join(spreadsheets.csv_chunks(NOT_BILLABLE_COLUMNS, not_billable_rows(sheet)))
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
    else:
        click.echo(text, nl=False)
