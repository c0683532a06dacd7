"""Each demo client's referrals, BARC-10 check-ins, follow-up interviews and mutual-aid
groups."""

from __future__ import annotations

from typing import Any

from coachapp.demo.base import BuilderBase
from coachapp.demo.phrases import (
    MUTUAL_AID_FREQUENCY,
    REFERRAL_CATEGORY_POOL,
    REFERRAL_NOTES,
    REFERRAL_OUTCOME_NOTES,
)
from coachapp.demo.plan import (
    MAX_ASSESSMENTS,
    ClientPlan,
    Episode,
)
from coachapp.followups.schedule import window_for
from coachapp.models import (
    FollowUpInterview,
    Referral,
    ReferralStatusChange,
)
from coachapp.models.enums import (
    MeetingModel,
    ReferralStatus,
)


class OutcomeRows(BuilderBase):
    """Each demo client's referrals, BARC-10 check-ins, follow-up interviews and mutual-aid"""

    def referral_rows(
        self,
        plan: ClientPlan,
        client_id: int,
        coach_id: int,
        episode: Episode,
        rows: dict[Any, list[dict[str, Any]]],
    ) -> None:
        rnd, t = self.rnd, self.t
        yesterday = t - 1
        end = episode.discharge if episode.discharge is not None else yesterday
        span = end - episode.intake + 1
        days = sorted(
            episode.intake + int(rnd() * span) for _ in range(int(rnd() * 2.2 + span / 200 + 0.3))
        )
        stale = plan.stale_referral and episode.discharge is None
        if stale:
            days.append(max(episode.intake, t - 20))
        for n, d in enumerate(days):
            referral_id = self.new_id("referrals")
            category = self.pick(REFERRAL_CATEGORY_POOL)
            resource_id, _name = self.pick(self.resources_by_category[category])
            r = rnd()
            if plan.never_engaged or d > episode.contact_end:
                r = 0.62 + r * 0.38  # a client out of touch does not follow a referral through
            status = ReferralStatus.REFERRED
            changed: int | None = None
            if stale and n == len(days) - 1:
                pass  # still "referred" after more than 14 days: an alert
            elif r < 0.62:
                changed = d + int(rnd() * rnd() * 45)
                status = ReferralStatus.CONNECTED
            elif r < 0.74:
                changed = d + int(rnd() * 10)
                status = ReferralStatus.DECLINED
            elif r < 0.88 or d < end - 45:
                # Left open it is closed out after a month or two: the stale ones stay recent.
                changed = d + 21 + int(rnd() * 55)
                status = ReferralStatus.NOT_CONNECTED
            if changed is not None and changed > end:
                if episode.discharge is None:
                    status, changed = ReferralStatus.REFERRED, None  # not yet known
                else:
                    status, changed = ReferralStatus.NOT_CONNECTED, end  # closed at discharge
            rows[Referral].append(
                {
                    "id": referral_id,
                    "client_id": client_id,
                    "coach_id": coach_id,
                    "resource_id": resource_id,
                    "category": category,
                    "referred_on": self.days[d],
                    "status": status.value,
                    "connected_on": (
                        self.days[changed] if status == ReferralStatus.CONNECTED else None
                    ),
                    "closed_on": (
                        self.days[changed]
                        if changed is not None and status != ReferralStatus.CONNECTED
                        else None
                    ),
                    "notes": (
                        self.pick(REFERRAL_OUTCOME_NOTES[status.value])
                        if status.value in REFERRAL_OUTCOME_NOTES
                        else self.pick(REFERRAL_NOTES)
                        if rnd() < 0.3
                        else None
                    ),
                    "version": 1,
                    "created_at": self.stamp(d),
                    "updated_at": self.stamp(changed if changed is not None else d),
                }
            )
            history = rows[ReferralStatusChange]
            # The first row is the referral itself; a second one records where it ended up.
            for on, value in ((d, ReferralStatus.REFERRED), (changed, status)):
                if on is None:
                    continue
                history.append(
                    {
                        "id": self.new_id("referral_status_changes"),
                        "referral_id": referral_id,
                        "status": value.value,
                        "changed_on": self.days[on],
                        "recorded_at": self.stamp(on),
                        "recorded_by_id": coach_id,
                    }
                )

    def assessment_rows(
        self, plan: ClientPlan, client_id: int, coach_id: int, assessments: list[dict[str, Any]]
    ) -> None:
        """BARC-10 series: every 60 to 120 days, items drifting up a little with time."""
        rnd, t = self.rnd, self.t
        if rnd() < 0.12:
            return
        base = 2.2 + rnd() * 2.4
        growth = 0.02 + rnd() * 0.25  # per item and check-in; a few clients go backwards
        if rnd() < 0.15:
            growth = -growth / 2
        k = 0
        for episode in plan.episodes:
            end = episode.discharge if episode.discharge is not None else t - 1
            d = episode.intake + int(rnd() * 14)
            while d <= end and k < MAX_ASSESSMENTS:
                level = base + growth * k
                items = []
                for offset in (0.4, -0.1, -0.2, -0.4, -0.2, 0.0, -0.1, 0.6, 0.1, 0.2):
                    value = round(level + offset + (rnd() + rnd() - 1) * 1.6)
                    items.append(1 if value < 1 else 6 if value > 6 else value)
                row: dict[str, Any] = {
                    "id": self.new_id("assessments"),
                    "client_id": client_id,
                    "coach_id": coach_id,
                    "administered_on": self.days[d],
                    "total": sum(items),
                    "created_at": self.stamps[d],
                    "updated_at": self.stamps[d],
                }
                for n, value in enumerate(items, start=1):
                    row[f"item{n}"] = value
                assessments.append(row)
                k += 1
                d += 60 + int(rnd() * 61)

    def interview_rows(
        self,
        plan: ClientPlan,
        client_id: int,
        coach_id: int,
        episode: Episode,
        enrollment_id: int,
        rows: dict[Any, list[dict[str, Any]]],
    ) -> None:
        """SUPRT follow-up interviews of one episode (coachapp/followups): most baselines and
        closeouts inside their windows, about 80% of six-month interviews (a few late, the rest
        missed); some open windows recorded, the others left for the due lists."""
        rnd, t = self.interview_rnd, self.t
        # kind: (window, share done in the window, share done late)
        shares = {"baseline": (0.92, 0.04), "six_month": (0.82, 0.06), "closeout": (0.88, 0.04)}
        if plan.never_engaged:  # harder to reach
            shares = {"baseline": (0.7, 0.05), "six_month": (0.65, 0.08), "closeout": (0.75, 0.05)}
        intake = self.day(episode.intake)
        discharge = self.day(episode.discharge) if episode.discharge is not None else None
        for kind, (inside, late) in shares.items():
            window = window_for(kind, intake, discharge)
            if window is None:
                continue
            opens = episode.intake + (window.opens - intake).days
            closes = episode.intake + (window.closes - intake).days
            if opens >= t:
                continue  # upcoming
            r = rnd()
            if closes < t:  # closed: done inside, late, or missed
                if r < inside:
                    day = opens + int(rnd() * (closes - opens + 1))
                elif r < inside + late:
                    day = closes + 1 + int(rnd() * 10)
                else:
                    continue
            elif plan.interview_due or r >= 0.4:
                continue  # open, not done yet
            else:
                day = opens + int(rnd() * (t - opens))
            if day >= t:
                continue
            rows[FollowUpInterview].append(
                {
                    "id": self.new_id("follow_up_interviews"),
                    "client_id": client_id,
                    "enrollment_id": enrollment_id,
                    "kind": kind,
                    "done_on": self.day(day),
                    "recorded_by_id": coach_id,
                    "created_at": self.stamp(day),
                    "updated_at": self.stamp(day),
                }
            )

    def mutual_aid_rows(
        self, client_id: int, first_intake: int, attendance: list[dict[str, Any]]
    ) -> None:
        rnd = self.rnd
        if rnd() >= 0.3:
            return
        for _ in range(1 + (rnd() < 0.25)):
            resource_id: int | None
            if rnd() < 0.8:
                resource_id, model = self.pick(self.meetings)
            else:
                resource_id, model = None, self.pick(list(MeetingModel)).value
            since = min(first_intake - 150 + int(rnd() * 250), self.t - 1)
            ended = since + 60 + int(rnd() * 200) if rnd() < 0.1 else None
            attendance.append(
                {
                    "id": self.new_id("mutual_aid_attendance"),
                    "client_id": client_id,
                    "resource_id": resource_id,
                    "model": model,
                    "frequency": self.pick(MUTUAL_AID_FREQUENCY),
                    "since": self.day(since),
                    "ended_on": self.day(ended) if ended is not None and ended < self.t else None,
                    "created_at": self.stamp(max(since, first_intake)),
                    "updated_at": self.stamp(max(since, first_intake)),
                }
            )
