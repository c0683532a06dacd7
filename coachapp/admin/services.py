"""Admin services: user accounts, programs and teams.

No HTTP here: views pass plain values and commit once after a service succeeds. A request the
rules refuse raises ``AdminRuleError`` with one message per form field, before anything is
changed. The audit trail gets field names only, never a value and never a password.
"""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import func, or_, select

from coachapp import audit, records
from coachapp.admin.queries import active_client_count, reporting_coach_count
from coachapp.appointments.services import revoke_feed_tokens
from coachapp.auth.passwords import hash_password, password_problem
from coachapp.auth.services import clear_lockout
from coachapp.auth.tokens import revoke_token, tokens_of
from coachapp.extensions import db
from coachapp.models import Program, Team, User
from coachapp.models.enums import AuditAction, Role

USER_FIELDS = ("name", "role", "program_id", "team_id", "supervisor_id", "credential")
ROLES = frozenset(r.value for r in Role)
NEEDS_PROGRAM = frozenset({Role.COACH, Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.BILLING})
IN_TEAMS = frozenset({Role.COACH, Role.SUPERVISOR})


class AdminRuleError(records.RuleError):
    """The rules refuse the request; ``errors`` maps a form field name to its message."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str) -> bool:
    """Whether an account already uses ``email``, whatever the case it was typed in."""
    return (
        db.session.scalar(
            select(func.count(User.id)).where(func.lower(User.email) == normalise_email(email))
        )
        or 0
    ) > 0


def _role_label(role: str) -> str:
    return "billing specialist" if role == Role.BILLING else role.replace("_", " ")


def _user_rule_problems(data: dict, *, user: User | None, actor: User) -> dict[str, str]:
    """What the rules refuse in ``data`` (name, role, program_id, team_id, supervisor_id) for a
    new user (``user`` None) or an edit of ``user``."""
    problems: dict[str, str] = {}
    role = data.get("role") or ""
    program_id = data.get("program_id")
    team_id = data.get("team_id")
    supervisor_id = data.get("supervisor_id")

    if role not in ROLES:
        problems["role"] = "Choose a role from the list."

    program = db.session.get(Program, program_id) if program_id is not None else None
    if program_id is not None and program is None:
        problems["program_id"] = "Choose a program from the list."
    elif program is None and role in NEEDS_PROGRAM:
        problems["program_id"] = f"A {_role_label(role)} belongs to a program: choose one."

    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None:
            problems["team_id"] = "Choose a team from the list."
        elif role not in IN_TEAMS:
            problems["team_id"] = "Only coaches and supervisors belong to a team."
        elif team.program_id != program_id:
            problems["team_id"] = "This team belongs to another program."

    if supervisor_id is not None:
        supervisor = db.session.get(User, supervisor_id)
        unchanged = user is not None and user.supervisor_id == supervisor_id
        if user is not None and supervisor_id == user.id:
            problems["supervisor_id"] = "Nobody can be their own supervisor."
        elif role != Role.COACH:
            problems["supervisor_id"] = "Only coaches have a supervisor: choose no supervisor."
        elif supervisor is None or supervisor.role != Role.SUPERVISOR:
            problems["supervisor_id"] = "Choose a supervisor from the list."
        elif not supervisor.active and not unchanged:
            problems["supervisor_id"] = "This supervisor is deactivated."
        elif supervisor.program_id != program_id:
            problems["supervisor_id"] = "This supervisor works in another program."

    if user is not None:
        if user.id == actor.id and role != user.role:
            problems.setdefault("role", "You cannot change your own role: ask another admin.")
        moves = role != user.role or program_id != user.program_id
        if moves and user.role == Role.COACH:
            n = active_client_count(user)
            if n:
                field = "role" if role != user.role else "program_id"
                problems.setdefault(
                    field,
                    f"This coach still has {n} active client{'s' if n != 1 else ''} in their "
                    "program: reassign the caseload first (Team → Reassign).",
                )
        if moves and user.role == Role.SUPERVISOR:
            n = reporting_coach_count(user)
            if n:
                field = "role" if role != user.role else "program_id"
                problems.setdefault(
                    field,
                    f"{n} coach{'es' if n != 1 else ''} report{'' if n != 1 else 's'} to this "
                    "supervisor: give them another supervisor first.",
                )
    return problems


def check_new_user(data: dict, *, email: str | None, password: str | None, actor: User) -> None:
    """The rules of ``create_user``, asked without writing (an email or password the form
    refused is None, and not judged again). Raises ``AdminRuleError`` naming every field."""
    problems = _user_rule_problems(data, user=None, actor=actor)
    if email and email_taken(normalise_email(email)):
        problems["email"] = "Another account already uses this email."
    problem = password_problem(password) if password is not None else None
    if problem:
        problems["password"] = problem
    if problems:
        raise AdminRuleError(problems)


def check_user(user: User, data: dict, *, actor: User) -> None:
    """The rules of ``update_user``, asked without writing. Raises ``AdminRuleError``."""
    problems = _user_rule_problems(data, user=user, actor=actor)
    if problems:
        raise AdminRuleError(problems)


def create_user(data: dict, *, email: str, password: str, actor: User) -> User:
    """Open an account: ``data`` holds name, role, program_id, team_id and supervisor_id; the
    email is stored lower-case and must be unused (whatever its case); the initial password
    must pass the policy. Audited with field names only."""
    check_new_user(data, email=email, password=password, actor=actor)
    email = normalise_email(email)
    user = User(
        email=email,
        password_hash=hash_password(password),
        active=True,
        session_version=1,
        **{key: data.get(key) for key in USER_FIELDS},
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        fields=["email", "password_hash"]
        + [key for key in USER_FIELDS if data.get(key) not in (None, "")],
    )
    return user


def user_stamp(user: User) -> str:
    """A fingerprint of the fields an admin edits. Users carry no version column (and sign-ins
    touch the row), so an edit form carries this instead and a concurrent change is refused."""
    values = "\x1f".join(
        "" if getattr(user, key) is None else str(getattr(user, key)) for key in USER_FIELDS
    )
    return hashlib.sha256(values.encode("utf-8")).hexdigest()[:20]


def update_user(user: User, data: dict, *, stamp: str | None = None, actor: User) -> list[str]:
    """Change name, role, program, team and supervisor; returns the changed field names.

    ``stamp`` is ``user_stamp`` as the form saw it: another admin's change in between raises
    ``records.StaleRecordError`` and nothing is written. Refused by the rules: a supervisor for a
    non-coach, oneself as supervisor, a supervisor of another program, changing one's own role,
    moving a coach who still has active clients or a supervisor whom coaches still report to
    (reassign first)."""
    if stamp is not None and stamp != user_stamp(user):
        raise records.StaleRecordError(records.StaleRecordError.message)
    check_user(user, data, actor=actor)
    changed = records.apply_changes(user, {key: data.get(key) for key in USER_FIELDS})
    if changed:
        audit.record(
            AuditAction.UPDATE, actor=actor, entity_type="user", entity_id=user.id, fields=changed
        )
    return changed


def deactivate_user(user: User, *, actor: User) -> None:
    """Switch an account off: it cannot sign in, every open session ends (the session version
    moves on) and its API tokens are revoked. An admin cannot deactivate themself."""
    if user.id == actor.id:
        raise AdminRuleError({"active": "You cannot deactivate your own account."})
    if not user.active:
        return
    user.active = False
    user.session_version = (user.session_version or 0) + 1
    for token in tokens_of(user):
        revoke_token(token, actor=actor)
    revoke_feed_tokens(user, actor=actor)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        fields=["active", "session_version"],
        detail="deactivated",
    )


def reactivate_user(user: User, *, actor: User) -> None:
    """Let a deactivated account sign in again (its old API tokens stay revoked)."""
    if user.active:
        return
    user.active = True
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        fields=["active"],
        detail="reactivated",
    )


def check_password_reset(user: User, new_password: str | None, *, actor: User) -> None:
    """The rules of ``reset_password``, asked without writing. Raises ``AdminRuleError``."""
    if user.id == actor.id:
        raise AdminRuleError({"new_password": "Change your own password on your profile page."})  # nosec B105
    problem = password_problem(new_password) if new_password is not None else None
    if problem:
        raise AdminRuleError({"new_password": problem})


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """Set a new password chosen by an admin (policy checked); every session of the user
    ends and the sign-in lockout of the account is lifted, so the new password works at once.
    Admins change their own password on their profile, with their current one."""
    check_password_reset(user, new_password, actor=actor)
    user.password_hash = hash_password(new_password)
    user.session_version = (user.session_version or 0) + 1
    clear_lockout(user.email)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        fields=["password_hash", "session_version"],
        detail="password reset by an admin",
    )


# --- Programs and teams ----------------------------------------------------------------------


def _same_name(column, name: str):
    """``column`` holds ``name`` whatever the case. SQLite's lower() folds ASCII letters only, so
    "ÉCOLE" stored would not match "école" lowered: the exact name is compared too, and the
    unique column can never meet a duplicate it was not told about."""
    return or_(func.lower(column) == name.lower(), column == name)


def _program_name_taken(name: str, *, except_id: int | None = None) -> bool:
    query = select(func.count(Program.id)).where(_same_name(Program.name, name))
    if except_id is not None:
        query = query.where(Program.id != except_id)
    return (db.session.scalar(query) or 0) > 0


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone a program can use: an IANA name ``zoneinfo`` loads
    (None when it is)."""
    if name not in available_timezones():
        return "Choose a time zone from the list, e.g. America/Chicago."
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return "This time zone is not known here."
    return None


def fiscal_month_problem(month: object) -> str | None:
    """Why ``month`` cannot start a program's fiscal year (None when it can: 1 to 12)."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        return "Choose a month from January to December."
    return None


def break_glass_minutes_problem(minutes: object) -> str | None:
    """Why ``minutes`` cannot be how long a break-the-glass access lasts (None when it can:
    15 to 1440, a whole number)."""
    from coachapp.oversight.services import MAX_MINUTES, MIN_MINUTES

    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return f"Give a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}."
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return f"Give a number of minutes from {MIN_MINUTES} to {MAX_MINUTES} (24 hours)."
    return None


def check_program(
    name: str | None,
    timezone: str | None,
    *,
    fiscal_month: object = 1,
    break_glass_minutes: object = 120,
    except_id: int | None = None,
) -> None:
    """The rules of a program (``except_id``: the program edited), asked without writing: a
    name no other program has, whatever the case, a known time zone, a fiscal year starting
    in month 1 to 12 and a break-the-glass access of 15 to 1440 minutes. Raises
    ``AdminRuleError`` naming every field refused."""
    problems: dict[str, str] = {}
    minutes_problem = break_glass_minutes_problem(break_glass_minutes)
    if minutes_problem:
        problems["break_glass_minutes"] = minutes_problem
    month_problem = fiscal_month_problem(fiscal_month)
    if month_problem:
        problems["fiscal_year_start_month"] = month_problem
    if name and _program_name_taken(name, except_id=except_id):
        problems["name"] = "Another program has this name."
    problem = timezone_problem(timezone) if timezone else None
    if problem:
        problems["timezone"] = problem
    if problems:
        raise AdminRuleError(problems)


def create_program(
    name: str,
    timezone: str,
    *,
    actor: User,
    fiscal_year_start_month: int = 1,
    break_glass_minutes: int = 120,
) -> Program:
    """A new program; its name is unique (whatever the case), its time zone a known one, its
    fiscal year starts in month 1 to 12, a break-the-glass access lasts 15 to 1440 minutes."""
    check_program(
        name,
        timezone,
        fiscal_month=fiscal_year_start_month,
        break_glass_minutes=break_glass_minutes,
    )
    program = Program(
        name=name,
        timezone=timezone,
        fiscal_year_start_month=fiscal_year_start_month,
        break_glass_minutes=break_glass_minutes,
    )
    db.session.add(program)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="program",
        entity_id=program.id,
        # the month is named only when it is not the default January
        fields=(["fiscal_year_start_month"] if fiscal_year_start_month != 1 else [])
        + (["break_glass_minutes"] if break_glass_minutes != 120 else [])
        + ["name", "timezone"],
    )
    return program


def update_program(
    program: Program,
    name: str,
    timezone: str,
    *,
    actor: User,
    fiscal_year_start_month: int | None = None,
    break_glass_minutes: int | None = None,
) -> list[str]:
    """Rename a program, change its time zone, the month its fiscal year starts or how long a
    break-the-glass access lasts (None keeps each); returns the changed field names."""
    fiscal_month = (
        program.fiscal_year_start_month
        if fiscal_year_start_month is None
        else fiscal_year_start_month
    )
    minutes = program.break_glass_minutes if break_glass_minutes is None else break_glass_minutes
    check_program(
        name,
        timezone,
        fiscal_month=fiscal_month or 1,
        break_glass_minutes=minutes if minutes is not None else 120,
        except_id=program.id,
    )
    changed = records.apply_changes(
        program,
        {
            "name": name,
            "timezone": timezone,
            "fiscal_year_start_month": fiscal_month,
            "break_glass_minutes": minutes,
        },
    )
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="program",
            entity_id=program.id,
            fields=changed,
        )
    return changed


def _team_name_taken(program_id: int, name: str, *, except_id: int | None = None) -> bool:
    query = select(func.count(Team.id)).where(
        Team.program_id == program_id, _same_name(Team.name, name)
    )
    if except_id is not None:
        query = query.where(Team.id != except_id)
    return (db.session.scalar(query) or 0) > 0


def check_team_name(program_id: int | None, name: str | None, *, except_id: int | None = None):
    """The rule of a team's name, asked without writing: no other team of the program has it
    (whatever the case). Raises ``AdminRuleError``."""
    if program_id is not None and name and _team_name_taken(program_id, name, except_id=except_id):
        raise AdminRuleError({"name": "This program already has a team with this name."})


def create_team(program: Program, name: str, *, actor: User) -> Team:
    """A new team in ``program``; team names are unique inside a program."""
    check_team_name(program.id, name)
    team = Team(program_id=program.id, name=name)
    db.session.add(team)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="team",
        entity_id=team.id,
        fields=["name", "program_id"],
    )
    return team


def rename_team(team: Team, name: str, *, actor: User) -> list[str]:
    """Rename a team (it stays in its program); returns the changed field names."""
    check_team_name(team.program_id, name, except_id=team.id)
    changed = records.apply_changes(team, {"name": name})
    if changed:
        audit.record(
            AuditAction.UPDATE, actor=actor, entity_type="team", entity_id=team.id, fields=changed
        )
    return changed
