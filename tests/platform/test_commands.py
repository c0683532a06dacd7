"""The ``flask`` command line."""

from __future__ import annotations

from sqlalchemy import select

from coachapp.auth.passwords import verify_password
from coachapp.auth.tokens import hash_token, user_for_token
from coachapp.models import ApiToken, Program, User


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_programs_and_users_create(app, db):
    assert (
        run(app, "programs", "create", "Riverside", "--timezone", "America/Chicago").exit_code == 0
    )
    result = run(
        app,
        "users",
        "create",
        "--email",
        "Sup@Example.org",
        "--role",
        "supervisor",
        "--name",
        "Sam Sup",
        "--program",
        "Riverside",
        "--password",
        "a long enough passphrase",
    )
    assert result.exit_code == 0, result.output
    result = run(
        app,
        "users",
        "create",
        "--email",
        "coach@example.org",
        "--role",
        "coach",
        "--program",
        "Riverside",
        "--supervisor",
        "sup@example.org",
        input="another long passphrase\nanother long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    coach = db.session.scalar(select(User).where(User.email == "coach@example.org"))
    sup = db.session.scalar(select(User).where(User.email == "sup@example.org"))
    assert coach.supervisor_id == sup.id and coach.role == "coach"
    assert verify_password(coach.password_hash, "another long passphrase")
    assert db.session.scalar(select(Program.timezone)) == "America/Chicago"


def test_users_create_refuses_bad_input(app, program):
    bad = [
        ["--email", "not-an-email", "--role", "admin"],
        ["--email", "a@example.org", "--role", "wizard"],
        ["--email", "a@example.org", "--role", "coach", "--program", "Nowhere"],
        [
            "--email",
            "a@example.org",
            "--role",
            "coach",
            "--program",
            program.name,
            "--supervisor",
            "nobody@example.org",
        ],
    ]
    for args in bad:
        result = run(app, "users", "create", *args, "--password", "a long enough passphrase")
        assert result.exit_code != 0, args
    result = run(
        app, "users", "create", "--email", "a@example.org", "--role", "admin", "--password", "short"
    )
    assert result.exit_code != 0 and "12 characters" in result.output


def test_tokens_create_prints_the_token_once_and_stores_its_hash(app, db, coach):
    result = run(app, "tokens", "create", coach.email)
    assert result.exit_code == 0
    token = result.output.strip()
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert user_for_token(token).id == coach.id
    coach.active = False
    db.session.commit()
    assert user_for_token(token) is None


def test_tokens_create_unknown_user(app):
    assert run(app, "tokens", "create", "ghost@example.org").exit_code != 0
