"""A coach's task list: what waits for them to act, counted in SQL over the access rule.

- ``returned``: their session notes a supervisor returned for revision;
- ``comments``: review comments on their sessions that they have not read;
- ``outcomes``: appointments in the past whose outcome is still ``scheduled``;
- ``follow_ups``: referrals still ``referred`` after 14 days (the follow-ups page's rule);
- ``barc_due``: active clients with no BARC-10 in 90 days (the alert's rule);
- ``plan_missing``: active clients with no signed recovery plan 30 days after intake (the
  alert's rule);
- ``plan_review_due``: current signed plans whose review date has passed (the clients carrying
  the alert, one plan each);
- ``consent_expiring``: consents in force expiring within 30 days and not renewed (the alert's
  rule, one task per consent: each is renewed on its own);
- ``acknowledge``: supervision notes naming them that they have not acknowledged;
- ``interviews``: SUPRT follow-up interviews due this week (``followups.metrics.due_soon``).

Every client-linked count starts from ``access.visible_clients`` (a coach's caseload and the
clients they cover); ``counts`` asks one query for all of them, which is what the menu's badge costs
per page (``task_badge``, coaches only, once per request). The home page lists the first few
rows of each kind with one query per kind, never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g
from flask_login import current_user
from sqlalchemy import Select, func, select

from coachapp import access, timeutil
from coachapp.alerts import (
    BARC_DUE_DAYS,
    CONSENT_EXPIRY_DAYS,
    PLAN_DUE_DAYS,
    AlertContext,
    alert_columns,
    current_intake,
    current_signed_plans,
    expiring_consent,
    now_param,
)
from coachapp.clients import bp
from coachapp.extensions import db
from coachapp.followups import metrics as followup_metrics
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientAssignment,
    CoachingSession,
    ConsentRecord,
    RecoveryPlan,
    Referral,
    Resource,
    ReviewComment,
    SupervisionNote,
    SupervisionNoteCoach,
    User,
)
from coachapp.models.enums import AppointmentOutcome, ClientStatus, ReferralStatus, Role
from coachapp.referrals.queries import follow_up_cutoff

LABELS = {
    "returned": "Notes returned for revision",
    "handoffs": "Hand-off notes of clients new to you",
    "comments": "Review comments to read",
    "outcomes": "Appointments without an outcome",
    "follow_ups": "Referrals to follow up",
    "barc_due": f"BARC-10 due (none in {BARC_DUE_DAYS} days)",
    "plan_missing": f"Recovery plans missing ({PLAN_DUE_DAYS} days after intake)",
    "plan_review_due": "Recovery plan reviews due",
    "consent_expiring": f"Consents expiring within {CONSENT_EXPIRY_DAYS} days",
    "acknowledge": "Supervision notes to acknowledge",
    "interviews": "Follow-up interviews due this week",
}
ITEMS_SHOWN = 5


def _visible_ids(user: User) -> Select:
    return access.visible_client_ids(user)


def _returned(user: User):
    return (
        select(CoachingSession.id)
        .where(
            CoachingSession.coach_id == user.id,
            CoachingSession.returned_at.is_not(None),
            CoachingSession.archived_at.is_(None),
            CoachingSession.client_id.in_(_visible_ids(user)),
        )
        .correlate(None)
    )


def _unread(user: User):
    """Unread review entries (by someone else) on the user's own sessions."""
    return (
        select(ReviewComment.id)
        .join(CoachingSession, CoachingSession.id == ReviewComment.session_id)
        .where(
            CoachingSession.coach_id == user.id,
            CoachingSession.archived_at.is_(None),
            CoachingSession.client_id.in_(_visible_ids(user)),
            ReviewComment.read_at.is_(None),
            ReviewComment.author_id != user.id,
        )
        .correlate(None)
    )


def _outcomes(user: User, ctx: AlertContext):
    return (
        select(Appointment.id)
        .where(
            Appointment.client_id.in_(_visible_ids(user)),
            Appointment.outcome == AppointmentOutcome.SCHEDULED,
            Appointment.archived_at.is_(None),
            Appointment.scheduled_at < now_param(ctx),
        )
        .correlate(None)
    )


def _follow_ups(user: User, ctx: AlertContext):
    return (
        select(Referral.id)
        .where(
            Referral.client_id.in_(_visible_ids(user)),
            Referral.status == ReferralStatus.REFERRED,
            Referral.archived_at.is_(None),
            Referral.referred_on < follow_up_cutoff(ctx.today),
        )
        .correlate(None)
    )


def _barc_due(user: User, ctx: AlertContext):
    return (
        access.visible_clients(user)
        .with_only_columns(Client.id)
        .where(Client.status == ClientStatus.ACTIVE, alert_columns(ctx)["barc_due"])
        .correlate(None)
    )


def _plan_missing(user: User, ctx: AlertContext):
    return (
        access.visible_clients(user)
        .with_only_columns(Client.id)
        .where(alert_columns(ctx)["plan_missing"])
        .correlate(None)
    )


def _plan_review_due(user: User, ctx: AlertContext):
    """The current plan, review date passed, of each client carrying the alert."""
    clients = (
        access.visible_clients(user)
        .with_only_columns(Client.id)
        .where(alert_columns(ctx)["plan_review_due"])
    )
    return (
        current_signed_plans()
        .where(RecoveryPlan.review_on < ctx.today, RecoveryPlan.client_id.in_(clients))
        .correlate(None)
    )


def _consent_expiring(user: User, ctx: AlertContext):
    return (
        select(ConsentRecord.id)
        .where(ConsentRecord.client_id.in_(_visible_ids(user)), expiring_consent(ctx.today))
        .correlate(None)
    )


def _acknowledge(user: User):
    return (
        select(SupervisionNoteCoach.note_id)
        .join(SupervisionNote, SupervisionNote.id == SupervisionNoteCoach.note_id)
        .where(
            SupervisionNoteCoach.coach_id == user.id,
            SupervisionNoteCoach.acknowledged_at.is_(None),
            SupervisionNote.archived_at.is_(None),
        )
        .correlate(None)
    )


def _handoffs(user: User):
    """Open assignment rows of the user's clients with a hand-off note they have not read."""
    return (
        select(ClientAssignment.id)
        .join(Client, Client.id == ClientAssignment.client_id)
        .where(
            ClientAssignment.coach_id == user.id,
            ClientAssignment.ends_on.is_(None),
            ClientAssignment.handoff_note.is_not(None),
            ClientAssignment.handoff_read_at.is_(None),
            Client.coach_id == user.id,
            Client.id.in_(_visible_ids(user)),
        )
        .correlate(None)
    )


def _count(ids: Select):
    """``SELECT count(*) FROM (ids)`` as a column of the one counting query."""
    return select(func.count()).select_from(ids.subquery()).scalar_subquery()


def counts(user: User, ctx: AlertContext) -> dict[str, int]:
    """How many tasks of each kind wait for ``user`` (a coach): one query. Other roles: none."""
    if user.role != Role.COACH:
        return dict.fromkeys(LABELS, 0)
    query = access.built_once(
        user, "tasks.counts", ctx.today, build=lambda: _counts_statement(user, ctx)
    )
    row = db.session.execute(query, ctx.params()).one()
    return {name: row._mapping[name] or 0 for name in LABELS}


def _counts_statement(user: User, ctx: AlertContext) -> Select:
    return select(
        _count(_returned(user)).label("returned"),
        _count(_handoffs(user)).label("handoffs"),
        _count(_unread(user)).label("comments"),
        _count(_outcomes(user, ctx)).label("outcomes"),
        _count(_follow_ups(user, ctx)).label("follow_ups"),
        _count(_barc_due(user, ctx)).label("barc_due"),
        _count(_plan_missing(user, ctx)).label("plan_missing"),
        _count(_plan_review_due(user, ctx)).label("plan_review_due"),
        _count(_consent_expiring(user, ctx)).label("consent_expiring"),
        _count(_acknowledge(user)).label("acknowledge"),
        _count(followup_metrics.due_soon_ids(_visible_ids(user), ctx.today)).label("interviews"),
    )


def context() -> AlertContext:
    program = current_user.program
    return AlertContext(today=timeutil.local_today(program), now=timeutil.local_now(program))


def request_counts() -> dict[str, int]:
    """The signed-in coach's counts, asked once per request (the menu and the home page)."""
    if "task_counts" not in g:
        g.task_counts = counts(current_user, context())
    return g.task_counts


@bp.app_template_global()
def task_badge() -> int:
    """The number on the coach's menu item: every task of every kind (0 for other roles)."""
    if not current_user.is_authenticated or current_user.role != Role.COACH:
        return 0
    return sum(request_counts().values())


# --- The rows behind the counts (the home page shows the first few of each kind) --------------


@dataclass(frozen=True)
class Task:
    """One row of the task list: what, about whom, and the endpoint where to act."""

    kind: str
    on: date | datetime | None
    client_name: str | None
    detail: str
    endpoint: str
    args: dict


def _name(first: str, last: str, preferred: str | None) -> str:
    return f"{preferred or first} {last}"


_CLIENT_NAME = (Client.first_name, Client.last_name, Client.preferred_name)


def _last_barc():
    return (
        select(func.max(Assessment.administered_on))
        .where(Assessment.client_id == Client.id, Assessment.archived_at.is_(None))
        .correlate(Client)
        .scalar_subquery()
    )


def _item_statement(kind: str, user: User, ctx: AlertContext) -> Select:
    """The first ``ITEMS_SHOWN`` rows of one kind (built once per user and day)."""
    if kind == "returned":
        return (
            select(CoachingSession.id, CoachingSession.date, *_CLIENT_NAME)
            .join(Client, Client.id == CoachingSession.client_id)
            .where(CoachingSession.id.in_(_returned(user)))
            .order_by(CoachingSession.returned_at.desc(), CoachingSession.id.desc())
            .limit(ITEMS_SHOWN)
        )
    if kind == "handoffs":
        return (
            select(ClientAssignment.client_id, ClientAssignment.starts_on, *_CLIENT_NAME)
            .join(Client, Client.id == ClientAssignment.client_id)
            .where(ClientAssignment.id.in_(_handoffs(user)))
            .order_by(ClientAssignment.id.desc())
            .limit(ITEMS_SHOWN)
        )
    if kind == "comments":
        return (
            select(
                CoachingSession.id,
                CoachingSession.date,
                ReviewComment.body,
                User.name,
                *_CLIENT_NAME,
            )
            .join(CoachingSession, CoachingSession.id == ReviewComment.session_id)
            .join(Client, Client.id == CoachingSession.client_id)
            .join(User, User.id == ReviewComment.author_id)
            .where(ReviewComment.id.in_(_unread(user)))
            .order_by(ReviewComment.id.desc())
            .limit(ITEMS_SHOWN)
        )
    if kind == "outcomes":
        return (
            select(Appointment.id, Appointment.scheduled_at, Appointment.kind, *_CLIENT_NAME)
            .join(Client, Client.id == Appointment.client_id)
            .where(Appointment.id.in_(_outcomes(user, ctx)))
            .order_by(Appointment.scheduled_at.desc())
            .limit(ITEMS_SHOWN)
        )
    if kind == "follow_ups":
        return (
            select(Referral.id, Referral.referred_on, Resource.name, *_CLIENT_NAME)
            .join(Client, Client.id == Referral.client_id)
            .join(Resource, Resource.id == Referral.resource_id)
            .where(Referral.id.in_(_follow_ups(user, ctx)))
            .order_by(Referral.referred_on, Referral.id)
            .limit(ITEMS_SHOWN)
        )
    if kind == "barc_due":
        last = _last_barc()
        return (
            select(Client.id, last, *_CLIENT_NAME)
            .where(Client.id.in_(_barc_due(user, ctx)))
            .order_by(last.is_(None).desc(), last, Client.last_name, Client.first_name)
            .limit(ITEMS_SHOWN)
        )
    if kind == "plan_missing":
        intake = current_intake()
        return (
            select(Client.id, intake, *_CLIENT_NAME)
            .where(Client.id.in_(_plan_missing(user, ctx)))
            .order_by(intake, Client.last_name, Client.first_name, Client.id)
            .limit(ITEMS_SHOWN)
        )
    if kind == "plan_review_due":
        return (
            select(RecoveryPlan.id, RecoveryPlan.review_on, *_CLIENT_NAME)
            .join(Client, Client.id == RecoveryPlan.client_id)
            .where(RecoveryPlan.id.in_(_plan_review_due(user, ctx)))
            .order_by(RecoveryPlan.review_on, RecoveryPlan.id)
            .limit(ITEMS_SHOWN)
        )
    if kind == "consent_expiring":
        return (
            select(
                ConsentRecord.client_id,
                ConsentRecord.recipient,
                ConsentRecord.expires_on,
                *_CLIENT_NAME,
            )
            .join(Client, Client.id == ConsentRecord.client_id)
            .where(ConsentRecord.id.in_(_consent_expiring(user, ctx)))
            .order_by(ConsentRecord.expires_on, ConsentRecord.id)
            .limit(ITEMS_SHOWN)
        )
    if kind == "acknowledge":
        return (
            select(SupervisionNote.id, SupervisionNote.date, User.name)
            .join(User, User.id == SupervisionNote.supervisor_id)
            .where(SupervisionNote.id.in_(_acknowledge(user)))
            .order_by(SupervisionNote.date.desc(), SupervisionNote.id.desc())
            .limit(ITEMS_SHOWN)
        )
    raise ValueError(kind)


def _item_rows(kind: str, user: User, ctx: AlertContext):
    query = access.built_once(
        user, "tasks.items", kind, ctx.today, build=lambda: _item_statement(kind, user, ctx)
    )
    return db.session.execute(query, ctx.params())


def items(user: User, ctx: AlertContext, found: dict[str, int]) -> dict[str, list[Task]]:
    """The first ``ITEMS_SHOWN`` rows of each kind that ``found`` (from ``counts``) says has
    any: one query per such kind, whatever the caseload holds."""
    out: dict[str, list[Task]] = {name: [] for name in LABELS}
    if found.get("returned"):
        for sid, on, *names in _item_rows("returned", user, ctx):
            out["returned"].append(
                Task(
                    "returned",
                    on,
                    _name(*names),
                    "Revise the note",
                    "sessions.edit",
                    {"session_id": sid, "_anchor": "review"},
                )
            )
    if found.get("handoffs"):
        for cid, on, *names in _item_rows("handoffs", user, ctx):
            out["handoffs"].append(
                Task(
                    "handoffs",
                    on,
                    _name(*names),
                    "Read the hand-off note",
                    "clients.detail",
                    {"client_id": cid},
                )
            )
    if found.get("comments"):
        for sid, on, body, author, *names in _item_rows("comments", user, ctx):
            text = body if len(body) <= 200 else body[:199] + "…"
            out["comments"].append(
                Task(
                    "comments",
                    on,
                    _name(*names),
                    f"{author}: {text}",
                    "sessions.edit",
                    {"session_id": sid, "_anchor": "review"},
                )
            )
    if found.get("outcomes"):
        for aid, at, kind, *names in _item_rows("outcomes", user, ctx):
            label = kind.replace("_", " ")
            out["outcomes"].append(
                Task(
                    "outcomes",
                    at,
                    _name(*names),
                    f"Record the outcome ({label})",
                    "appointments.outcome",
                    {"appointment_id": aid},
                )
            )
    if found.get("follow_ups"):
        for rid, on, resource, *names in _item_rows("follow_ups", user, ctx):
            out["follow_ups"].append(
                Task(
                    "follow_ups",
                    on,
                    _name(*names),
                    f"Follow up: {resource}",
                    "referrals.status",
                    {"referral_id": rid},
                )
            )
    if found.get("barc_due"):
        for cid, on, *names in _item_rows("barc_due", user, ctx):
            detail = f"Last BARC-10 {on.isoformat()}" if on else "No BARC-10 yet"
            out["barc_due"].append(
                Task("barc_due", on, _name(*names), detail, "assessments.new", {"client_id": cid})
            )
    if found.get("plan_missing"):
        for cid, intake, *names in _item_rows("plan_missing", user, ctx):
            due = intake + timedelta(days=PLAN_DUE_DAYS)
            out["plan_missing"].append(
                Task(
                    "plan_missing",
                    None,
                    _name(*names),
                    f"Draft and sign a recovery plan (due {due.isoformat()})",
                    "clients.detail",
                    {"client_id": cid, "_anchor": "plans"},
                )
            )
    if found.get("plan_review_due"):
        for pid, review_on, *names in _item_rows("plan_review_due", user, ctx):
            out["plan_review_due"].append(
                Task(
                    "plan_review_due",
                    None,
                    _name(*names),
                    f"Review the recovery plan (due {review_on.isoformat()})",
                    "plans.show",
                    {"plan_id": pid},
                )
            )
    if found.get("consent_expiring"):
        for cid, recipient, expires_on, *names in _item_rows("consent_expiring", user, ctx):
            out["consent_expiring"].append(
                Task(
                    "consent_expiring",
                    None,
                    _name(*names),
                    f"Renew the consent to {recipient} (expires {expires_on.isoformat()})",
                    "clients.detail",
                    {"client_id": cid, "_anchor": "consents"},
                )
            )
    if found.get("acknowledge"):
        for nid, on, author in _item_rows("acknowledge", user, ctx):
            out["acknowledge"].append(
                Task(
                    "acknowledge",
                    on,
                    None,
                    f"Supervision note from {author}",
                    "supervision.note_detail",
                    {"note_id": nid},
                )
            )
    if found.get("interviews"):
        query = access.built_once(
            user,
            "tasks.items",
            "interviews",
            ctx.today,
            build=lambda: followup_metrics.due_soon_rows_query(
                _visible_ids(user), ctx.today, ITEMS_SHOWN
            ),
        )
        for row in followup_metrics.due_soon_result(db.session.execute(query)):
            out["interviews"].append(
                Task(
                    "interviews",
                    row.closes,
                    row.client_name,
                    f"{row.label} interview: last day {row.closes.isoformat()}",
                    "clients.detail",
                    {"client_id": row.client_id, "_anchor": "h-followups"},
                )
            )
    return out


# Where the whole list of a kind lives, when there are more than the home page shows.
MORE = {
    "follow_ups": ("referrals.follow_ups", {}),
    "acknowledge": ("supervision.notes", {"pending": 1}),
    "interviews": ("followups.due", {}),
}
