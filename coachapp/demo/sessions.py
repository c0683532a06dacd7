"""Each demo client's goals, sessions and appointments, per enrollment episode."""

from __future__ import annotations

from datetime import datetime
from datetime import time as dtime
from typing import Any

from coachapp.demo.billing import BillingRows
from coachapp.demo.phrases import (
    APPOINTMENT_KIND_CATEGORY,
    APPOINTMENT_KIND_POOL,
    APPOINTMENT_NOTES,
    APPOINTMENT_PLACES,
    ATTEMPTED_POOL,
    COMPLETED_POOL,
    GOAL_DOMAIN_POOL,
    GOAL_TEXT,
    NEXT_STEPS,
    REVIEW_COMMENTS,
    TIME_SLOTS,
)
from coachapp.demo.plan import (
    FUTURE_DAYS,
    ClientPlan,
    Episode,
)
from coachapp.models import (
    CoachingSession,
    session_goals,
)
from coachapp.models.enums import (
    AppointmentOutcome,
    ClientStatus,
    GoalDomain,
    GoalStatus,
)


class SessionRows(BillingRows):
    """Each demo client's goals, sessions and appointments, per enrollment episode."""

    def goal_rows(
        self, client_id: int, coach_id: int, episode: Episode, goals: list[dict[str, Any]]
    ) -> list[tuple[int, int, int]]:
        """An episode's goals; returns (id, opened day, last open day) for session links."""
        rnd, t = self.rnd, self.t
        end = episode.discharge if episode.discharge is not None else t - 1
        span = end - episode.intake
        spans = []
        for k in range(1 + int(rnd() * 3) + (span > 180)):
            goal_id = self.new_id("goals")
            opened = episode.intake + (int(rnd() * 14) if k == 0 else int(rnd() * span * 0.7))
            opened = min(opened, end)
            lag = 14 + int(rnd() * 170)
            closed: int | None = None
            if episode.discharge is not None:
                status = GoalStatus.ACHIEVED if rnd() < 0.5 else GoalStatus.DISCONTINUED
                closed = min(opened + lag, end)
            else:
                r = rnd()
                status = GoalStatus.ACTIVE
                if r < 0.5 and opened + lag <= end:
                    status = GoalStatus.ACHIEVED if r < 0.35 else GoalStatus.DISCONTINUED
                    closed = opened + lag
            number = self.counts.get("goals", 0) + len(goals)
            domains = list(GoalDomain)
            domain = domains[number].value if number < len(domains) else self.pick(GOAL_DOMAIN_POOL)
            goals.append(
                {
                    "id": goal_id,
                    "client_id": client_id,
                    "domain": domain,
                    "description": self.pick(GOAL_TEXT[domain]),
                    "target_date": self.day(opened + 60 + int(rnd() * 120))
                    if rnd() < 0.85
                    else None,
                    "status": status.value,
                    "opened_on": self.days[opened],
                    "closed_on": self.days[closed] if closed is not None else None,
                    "created_by_id": coach_id,
                    "version": 1,
                    "created_at": self.stamp(opened),
                    "updated_at": self.stamp(closed if closed is not None else opened),
                }
            )
            spans.append((goal_id, opened, closed if closed is not None else t + FUTURE_DAYS))
        return spans

    def session_rows(
        self,
        plan: ClientPlan,
        client_id: int,
        coach_id: int,
        episode: Episode,
        goal_spans: list[tuple[int, int, int]],
        rows: dict[Any, list[dict[str, Any]]],
    ) -> None:
        """The hot loop of the large scale: keep the work per session small."""
        count = episode.sessions
        if count <= 0 and episode.attempts_after <= 0:
            return
        rnd = self.rnd
        days, stamps = self.days, self.stamps
        t = self.t
        yesterday = t - 1
        start = episode.intake
        contact_end = episode.contact_end
        span = contact_end - start + 1
        # The first contact comes within days of the intake; the rest spread over the episode.
        dates = [start + int(rnd() * span) for _ in range(count - 1)]
        if count > 0:
            dates.append(start + int(rnd() * rnd() * min(span, 10)))
        # Then, once contact stops, outreach attempts that reach no one.
        stop = episode.discharge if episode.discharge is not None else yesterday
        if stop > contact_end:
            silence = stop - contact_end
            dates += [contact_end + 1 + int(rnd() * silence) for _ in range(episode.attempts_after)]
        dates.sort()
        supervisor_id = self.coach_supervisor[coach_id]
        attempt_rate = plan.attempt_rate
        completed_pool, attempted_pool = COMPLETED_POOL, ATTEMPTED_POOL
        n_completed, n_attempted = len(completed_pool), len(attempted_pool)
        n_next = len(NEXT_STEPS)
        sessions = rows[CoachingSession]
        billed = rows[CoachingSession.__table__]
        links = rows[session_goals]
        session_id = self.next_ids["sessions"]
        billing_from = self.billing_from
        for d in dates:
            if d > contact_end or rnd() < attempt_rate:
                kind, modality, low, steps, step, notes, n_notes = attempted_pool[
                    int(rnd() * n_attempted)
                ]
                outcome = "attempted"
            else:
                kind, modality, low, steps, step, notes, n_notes = completed_pool[
                    int(rnd() * n_completed)
                ]
                outcome = "completed"
                if goal_spans and rnd() < 0.35:
                    open_goals = [g for g, opened, closed in goal_spans if opened <= d <= closed]
                    if open_goals:
                        links.append(
                            {
                                "session_id": session_id,
                                "goal_id": open_goals[int(rnd() * len(open_goals))],
                            }
                        )
            age = t - d
            # Supervisors sign off most notes within a week or two; a few older ones slip
            # through and wait still (the backlog of a real team), and the last days are open.
            if rnd() < (0.96 if age > 60 else 0.75 if age > 14 else 0.3 if age > 4 else 0.0):
                reviewed_by = supervisor_id
                reviewed = d + 1 + int(rnd() * 6)
                reviewed_at = stamps[reviewed if reviewed < yesterday else yesterday]
                comment = REVIEW_COMMENTS[int(rnd() * 4)] if rnd() < 0.08 else None
            else:
                reviewed_by = reviewed_at = comment = None
            stamp = stamps[d]
            row = {
                "id": session_id,
                "client_id": client_id,
                "coach_id": coach_id,
                "date": days[d],
                "duration_minutes": low + step * int(rnd() * steps),
                "modality": modality,
                "kind": kind,
                "outcome": outcome,
                "note": notes[int(rnd() * n_notes)],
                "next_steps": NEXT_STEPS[int(rnd() * n_next)] if rnd() < 0.8 else None,
                "reviewed_by_id": reviewed_by,
                "reviewed_at": reviewed_at,
                "review_comment": comment,
                "version": 1,
                "created_at": stamp,
                "updated_at": reviewed_at or stamp,
            }
            if (
                d >= billing_from
                and outcome == "completed"
                and self.bill_session(row, d, modality, goal_spans, links)
            ):
                billed.append(row)  # an INSERT of its own: the other rows stay narrow
            else:
                sessions.append(row)
            session_id += 1
        self.next_ids["sessions"] = session_id

    def appointment_rows(
        self,
        plan: ClientPlan,
        client_id: int,
        coach_id: int,
        episode: Episode,
        appointments: list[dict[str, Any]],
    ) -> None:
        rnd, t = self.rnd, self.t
        yesterday = t - 1
        if episode.discharge is not None:
            end = episode.discharge
        elif plan.status == ClientStatus.INACTIVE:
            end = min(episode.contact_end + 20, yesterday)
        else:
            end = t + 28
        if plan.never_engaged:
            end = min(end, episode.intake + 30, yesterday)
        span = end - episode.intake + 1
        count = int(span / 30 * (0.5 + rnd()) + rnd())
        days = sorted(episode.intake + int(rnd() * span) for _ in range(count))
        is_open = episode.discharge is None and plan.status == ClientStatus.ACTIVE
        if is_open and plan.pending_appointment and episode.intake <= t - 3:
            days.append(t - 3)
        if is_open and plan.appointment_today:
            days.append(t)
        days.sort()
        for d in days:
            kind = self.pick(APPOINTMENT_KIND_POOL)
            planned = rnd() < 0.3
            slot = TIME_SLOTS[int(rnd() * len(TIME_SLOTS))]
            recorded_at = None
            accompanied = None
            if d >= t:
                outcome = AppointmentOutcome.SCHEDULED
                if d == t and plan.appointment_today:
                    planned, slot = True, dtime(14)
            elif d == t - 3 and plan.pending_appointment:
                outcome = AppointmentOutcome.SCHEDULED  # past, outcome never recorded: an alert
            elif d >= t - 21 and rnd() < 0.05:
                outcome = AppointmentOutcome.SCHEDULED
            elif d > episode.contact_end and rnd() < 0.5:
                # Out of touch with the coach: the client misses it.
                outcome = AppointmentOutcome.NO_SHOW
                accompanied = False
                recorded_at = self.stamp(d + int(rnd() * 2))
            else:
                r = rnd()
                # Accompaniment halves no-shows or better: the effect the reports show.
                cut = (0.80, 0.88, 0.95) if planned else (0.68, 0.86, 0.94)
                if r < cut[0]:
                    outcome = AppointmentOutcome.ATTENDED
                    accompanied = rnd() < (0.88 if planned else 0.04)
                elif r < cut[1]:
                    outcome = AppointmentOutcome.NO_SHOW
                    accompanied = False
                elif r < cut[2]:
                    outcome = AppointmentOutcome.CANCELLED
                    accompanied = False
                else:
                    outcome = AppointmentOutcome.RESCHEDULED
                    accompanied = False
                recorded_at = self.stamp(d + int(rnd() * 2))
            resource_id = None
            location = None
            if rnd() < 0.45:
                resource_id = self.pick(
                    self.resources_by_category[APPOINTMENT_KIND_CATEGORY[kind]]
                )[0]
            else:
                location = self.pick(APPOINTMENT_PLACES[kind])
            booked = max(episode.intake, d - 3 - int(rnd() * 20))
            appointments.append(
                {
                    "id": self.new_id("appointments"),
                    "client_id": client_id,
                    "coach_id": coach_id,
                    "scheduled_at": datetime.combine(self.days[d], slot),
                    "kind": kind,
                    "location": location,
                    "resource_id": resource_id,
                    "accompaniment_planned": planned,
                    "outcome": outcome.value,
                    "outcome_recorded_at": recorded_at,
                    "coach_accompanied": accompanied,
                    "notes": self.pick(APPOINTMENT_NOTES) if rnd() < 0.15 else None,
                    "version": 1,
                    "created_at": self.stamp(booked),
                    "updated_at": recorded_at or self.stamp(booked),
                }
            )
