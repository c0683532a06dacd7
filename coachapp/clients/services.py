"""Client services: intake, duplicate check, code numbering. No HTTP here."""

from __future__ import annotations

import unicodedata

from sqlalchemy import update

from coachapp.extensions import db
from coachapp.models import Program


def fold(text: str) -> str:
    """Lower-case ``text`` without accents or extra spaces: "José  Ñúñez" -> "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def name_key(first_name: str, last_name: str) -> str:
    return fold(f"{first_name} {last_name}")


def format_code(number: int) -> str:
    return f"C-{number:05d}"


def next_client_code(program_id: int) -> str:
    """Hand out the program's next client code; the row update serialises concurrent intakes."""
    number = db.session.execute(
        update(Program)
        .where(Program.id == program_id)
        .values(client_seq=Program.client_seq + 1)
        .returning(Program.client_seq)
    ).scalar_one()
    return format_code(number)
