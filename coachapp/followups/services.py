"""Recording SUPRT follow-up interviews: done (with its date), or archived as a mistake.

No HTTP here: views and the API pass plain values and commit once after a service succeeds.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.followups.schedule import Window, window_for
from coachapp.models import Client, Enrollment, FollowUpInterview, User
from coachapp.models.enums import AuditAction, InterviewKind


class FollowUpRuleError(records.RuleError):
    """A request the rules refuse; ``errors`` names each field to blame (``""``: the record)."""


FUTURE_MESSAGE = "This date is in the future."


def live_record(enrollment: Enrollment, kind: str) -> FollowUpInterview | None:
    return db.session.scalar(
        select(FollowUpInterview).where(
            FollowUpInterview.enrollment_id == enrollment.id,
            FollowUpInterview.kind == kind,
            FollowUpInterview.archived_at.is_(None),
        )
    )


def outside_window_note(window: Window | None, done_on: date | None) -> str | None:
    """The note shown for a date outside the window: accepted, but not counted as done."""
    if window is None or done_on is None or window.contains(done_on):
        return None
    side = "before" if done_on < window.opens else "after"
    return (
        f"{done_on.isoformat()} is {side} the window ({window.opens.isoformat()} to "
        f"{window.closes.isoformat()}): the interview is recorded, but it will not count as "
        "done for the follow-up rate."
    )


def check_record(client: Client, enrollment: Enrollment, kind: str, done_on: date | None) -> None:
    """The rules of ``record_interview``, asked without writing: a kind that is due for this
    episode and not recorded yet, a date that has come and is not before the intake. A date
    outside the window is allowed (``outside_window_note``). Raises ``FollowUpRuleError``
    naming every problem."""
    problems: dict[str, str] = {}
    if kind not in set(InterviewKind):
        raise FollowUpRuleError("kind", "Choose baseline, six_month or closeout.")
    if window_for(kind, enrollment.intake_date, enrollment.discharge_date) is None:
        problems["kind"] = (
            "This episode has no discharge date yet: the closeout interview is not due."
            if kind == InterviewKind.CLOSEOUT
            else "The episode was discharged before this window opened: the closeout "
            "interview replaces it."
        )
    else:
        existing = live_record(enrollment, kind)
        if existing is not None:
            problems["kind"] = (
                f"Recorded already (done {existing.done_on.isoformat()}): archive that record "
                "to correct it."
            )
    if done_on is not None:
        if done_on > timeutil.local_today(client.program):
            problems["done_on"] = FUTURE_MESSAGE
        elif done_on < enrollment.intake_date:
            problems["done_on"] = (
                f"This date is before the episode's intake ({enrollment.intake_date.isoformat()})."
            )
    if problems:
        raise FollowUpRuleError(problems)


def record_interview(
    client: Client, enrollment: Enrollment, kind: str, done_on: date, *, actor: User
) -> FollowUpInterview:
    """Record that the ``kind`` interview of ``enrollment`` (an episode of ``client``) was done
    on ``done_on``; audited (field names only)."""
    check_record(client, enrollment, kind, done_on)
    row = FollowUpInterview(
        client_id=client.id,
        enrollment_id=enrollment.id,
        kind=kind,
        done_on=done_on,
        recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        # Someone recorded the same interview a moment ago (the partial unique index).
        raise FollowUpRuleError("kind", "Recorded already: reload the page.") from None
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="follow_up_interview",
        entity_id=row.id,
        client_id=client.id,
        fields=["kind", "done_on"],
    )
    return row


def archive_interview(row: FollowUpInterview, *, reason: str, actor: User) -> None:
    """Archive (never delete) a record entered by mistake: who, when, why; audited."""
    records.archive(row, actor=actor, reason=reason, client_id=row.client_id)
