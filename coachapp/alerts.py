"""The alerts of product.md, as SQL over the access rule's scope.

- ``quiet``: an active client with no completed session in 14 days (counted from the later of
  the last completed session and the current episode's intake, so a brand-new client is not
  "quiet" on their first day);
- ``outcome_missing``: an appointment in the past whose outcome is still ``scheduled``;
- ``referral_waiting``: a referral still ``referred`` 14 days after it was made;
- ``barc_due``: an active client with no BARC-10 in the last 90 days (none at all counts);
- ``plan_missing``: an active client whose current episode began 30 or more days ago with no
  signed recovery plan in that episode;
- ``plan_review_due``: an active client whose current (signed) plan's review date has passed;
- ``consent_expiring``: a consent in force today expires within 30 days, and no other consent
  to the same recipient in force today runs past that window (a renewed consent ends it).

Each is a correlated EXISTS / scalar subquery on indexed (client, date) pairs, so a page of any
size asks one query for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, bindparam, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    CoachingSession,
    ConsentRecord,
    Enrollment,
    RecoveryPlan,
    Referral,
)
from coachapp.models.enums import (
    AppointmentOutcome,
    ClientStatus,
    PlanStatus,
    ReferralStatus,
    SessionOutcome,
)

QUIET_DAYS = 14
REFERRAL_WAIT_DAYS = 14
BARC_DUE_DAYS = 90
PLAN_DUE_DAYS = 30
CONSENT_EXPIRY_DAYS = 30

ALERT_LABELS = {
    "quiet": f"No completed contact in {QUIET_DAYS} days",
    "outcome_missing": "Appointment outcome not recorded",
    "referral_waiting": f"Referral waiting over {REFERRAL_WAIT_DAYS} days",
    "barc_due": f"BARC-10 not done in {BARC_DUE_DAYS} days",
    "plan_missing": f"No signed recovery plan {PLAN_DUE_DAYS} days after intake",
    "plan_review_due": "Recovery plan review overdue",
    "consent_expiring": f"Consent expires within {CONSENT_EXPIRY_DAYS} days",
}


@dataclass(frozen=True)
class AlertContext:
    today: date
    now: datetime  # program-local wall clock, like appointments

    def params(self) -> dict:
        """The values to run a statement with that was built once for the day (``now``)."""
        return {NOW: self.now}


# The clock as a bind parameter: a statement built once for a day (``access.built_once``) is
# run with ``ctx.params()``; one built for one use carries the value it was built with.
NOW = "alert_now"


def now_param(ctx: AlertContext):
    return bindparam(NOW, ctx.now, type_=Appointment.scheduled_at.type)


def last_completed_contact():
    return (
        select(func.max(CoachingSession.date))
        .where(
            CoachingSession.client_id == Client.id,
            CoachingSession.outcome == SessionOutcome.COMPLETED,
            CoachingSession.archived_at.is_(None),
        )
        .correlate(Client)
        .scalar_subquery()
    )


def current_intake():
    return (
        select(func.max(Enrollment.intake_date))
        .where(Enrollment.client_id == Client.id)
        .correlate(Client)
        .scalar_subquery()
    )


def alert_columns(ctx: AlertContext) -> dict:
    """Boolean SQL expressions on ``Client``, one per alert (label them in a select)."""
    quiet_since = ctx.today - timedelta(days=QUIET_DAYS)
    active = Client.status == ClientStatus.ACTIVE
    recent_contact = exists().where(
        CoachingSession.client_id == Client.id,
        CoachingSession.outcome == SessionOutcome.COMPLETED,
        CoachingSession.archived_at.is_(None),
        CoachingSession.date > quiet_since,
    )
    recent_intake = exists().where(
        Enrollment.client_id == Client.id, Enrollment.intake_date > quiet_since
    )
    outcome_missing = exists().where(
        Appointment.client_id == Client.id,
        Appointment.outcome == AppointmentOutcome.SCHEDULED,
        Appointment.archived_at.is_(None),
        Appointment.scheduled_at < now_param(ctx),
    )
    referral_waiting = exists().where(
        Referral.client_id == Client.id,
        Referral.status == ReferralStatus.REFERRED,
        Referral.archived_at.is_(None),
        Referral.referred_on < ctx.today - timedelta(days=REFERRAL_WAIT_DAYS),
    )
    recent_barc = exists().where(
        Assessment.client_id == Client.id,
        Assessment.archived_at.is_(None),
        Assessment.administered_on > ctx.today - timedelta(days=BARC_DUE_DAYS),
    )
    signed_plan = (
        current_signed_plans().where(RecoveryPlan.client_id == Client.id).correlate(Client)
    )
    plan_review_due = exists(signed_plan.where(RecoveryPlan.review_on < ctx.today))
    return {
        "quiet": and_(active, not_(recent_contact), not_(recent_intake)),
        "outcome_missing": outcome_missing,
        "referral_waiting": referral_waiting,
        "barc_due": and_(active, not_(recent_barc)),
        "plan_missing": and_(
            active,
            current_intake() <= ctx.today - timedelta(days=PLAN_DUE_DAYS),
            not_(exists(signed_plan)),
        ),
        "plan_review_due": and_(active, plan_review_due),
        "consent_expiring": consent_expiring(ctx.today),
    }


def current_signed_plans() -> Select:
    """``SELECT recovery_plans.id``: the signed (not superseded) version of an open episode,
    the current plan of its client (one per episode: signing a version supersedes the one
    before). Correlate it to ``Client`` for an alert, or join it for the plans themselves."""
    return (
        select(RecoveryPlan.id)
        .join(Enrollment, Enrollment.id == RecoveryPlan.enrollment_id)
        .where(RecoveryPlan.status == PlanStatus.SIGNED, Enrollment.discharge_date.is_(None))
    )


def _consent_in_force(consent, today: date):
    return and_(
        consent.archived_at.is_(None),
        consent.signed_on <= today,
        or_(consent.revoked_on.is_(None), consent.revoked_on > today),
        or_(consent.expires_on.is_(None), consent.expires_on >= today),
    )


def consent_expiring(today: date):
    """A consent in force ``today`` that expires within ``CONSENT_EXPIRY_DAYS``, unless another
    consent in force to the same recipient runs past that window (one EXISTS per client)."""
    return exists().where(ConsentRecord.client_id == Client.id, expiring_consent(today))


def expiring_consent(today: date):
    """The alert's rule as a condition on one ``ConsentRecord`` row: in force ``today``,
    expiring within ``CONSENT_EXPIRY_DAYS``, not renewed (the task list lists these rows)."""
    horizon = today + timedelta(days=CONSENT_EXPIRY_DAYS)
    renewed = aliased(ConsentRecord)
    return and_(
        _consent_in_force(ConsentRecord, today),
        ConsentRecord.expires_on <= horizon,
        not_(
            exists().where(
                renewed.client_id == ConsentRecord.client_id,
                renewed.id != ConsentRecord.id,
                renewed.recipient == ConsentRecord.recipient,
                _consent_in_force(renewed, today),
                or_(renewed.expires_on.is_(None), renewed.expires_on > horizon),
            )
        ),
    )


def alert_counts(client_scope, ctx: AlertContext) -> dict[str, int]:
    """How many clients of ``client_scope`` (a Select of Client) carry each alert: one query."""
    return run_alert_counts(alert_counts_query(client_scope, ctx), ctx)


def alert_counts_query(client_scope, ctx: AlertContext) -> Select:
    """The statement of ``alert_counts`` (to build once: run it with ``run_alert_counts``)."""
    scoped = client_scope.with_only_columns(Client.id).subquery()
    columns = alert_columns(ctx)
    return select(*(func.count().filter(expr).label(name) for name, expr in columns.items())).where(
        Client.id.in_(select(scoped.c.id))
    )


def run_alert_counts(query: Select, ctx: AlertContext, params: dict | None = None) -> dict:
    row = db.session.execute(query, {**ctx.params(), **(params or {})}).one()
    return dict(row._mapping)
