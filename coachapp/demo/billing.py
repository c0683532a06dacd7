"""The demo's billable documentation (issue 22): the program's billing settings, payers and
synthetic member ids of clients, coaches' credentials, signed recovery plans of the episodes
open in the recent months, and those months' billable sessions with times, places of service,
goals and signatures; TPO consents signed at intake by clients with a payer; with a realistic
share that cannot be billed (unsigned, no plan, a plan not signed yet, a goal not on the plan, a
member id missing, no consent to disclose to the payer).

Everything here draws from its own random stream, so the rest of the demo stays as it was."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from coachapp.consents import statements
from coachapp.demo.base import BuilderBase
from coachapp.demo.phrases import GOAL_DOMAIN_POOL, GOAL_TEXT, TIME_SLOTS
from coachapp.demo.plan import FUTURE_DAYS, Episode
from coachapp.models import BillingSetting, Goal, RecoveryPlan, recovery_plan_goals
from coachapp.models.enums import GoalStatus

DEMO_PAYER = "Illinois Medicaid (demo)"
DEMO_CREDENTIAL = "CPRS"
BILLING_MONTHS = 3  # full months before this one with billable documentation
# A billable session's fields, set on the rows of the billing window (their own INSERT).
NOT_BILLED: dict[str, Any] = {
    "start_time": None,
    "end_time": None,
    "place_of_service": None,
    "billable": False,
    "group_size": None,
    "signed_at": None,
    "signed_by_id": None,
    "signed_credential": None,
}
IN_PERSON_PLACES = ("11", "11", "11", "12", "99", "99")  # office, home, other
REMOTE_PLACES = ("10", "10", "10", "02")  # telehealth in the home, elsewhere
STRENGTHS = (
    "Determined; a sister who checks in weekly; twelve years as a cook.",
    "Funny and open; goes to meetings; good with budgets.",
    "Steady job history; reconnecting with their children; likes to walk.",
)
BARRIERS = (
    "No stable housing; transport to appointments.",
    "Lost their ID; court dates; cravings in the evening.",
    "Isolation since moving; waiting list for treatment.",
)
SUPPORTS = (
    "Sponsor, sister, the recovery café.",
    "Faith community, a friend from treatment.",
    "Parents, the drop-in centre, the coach.",
)


class BillingRows(BuilderBase):
    """The demo's billing rows, from a random stream of their own."""

    def start_billing(self, seed: int) -> None:
        self.brnd = random.Random(seed * 104_729 + 31).random  # nosec B311
        first_of_month = self.today.replace(day=1)
        start = first_of_month
        for _ in range(BILLING_MONTHS):
            start = (start - timedelta(days=1)).replace(day=1)
        self.billing_from = (start - self.days[0]).days  # day index of the window's first day

    def build_billing_settings(self) -> None:
        """H0038 by 15-minute units, 8/8, 16 units a day per client, from the history's start."""
        self.write(
            BillingSetting,
            [
                {
                    "id": self.new_id("billing_settings"),
                    "program_id": self.program_id,
                    "effective_from": self.days[0],
                    "payer": DEMO_PAYER,
                    "code": "H0038",
                    "group_modifier": "HQ",
                    "telehealth_modifier": "95",
                    "unit_minutes": 15,
                    "first_unit_minutes": 8,
                    "next_unit_minutes": 8,
                    "daily_cap_units": 16,
                    "monthly_cap_units": None,
                    "cosign_required": False,
                    "created_by_id": None,
                    "created_at": self.stamp(0),
                }
            ],
        )

    def client_billing(self, client: dict[str, Any]) -> None:
        """A payer and a synthetic member id (``DM`` and digits); a few still lack the id."""
        r = self.brnd()
        if r < 0.02:
            client["payer"], client["member_id"] = None, None
        else:
            client["payer"] = DEMO_PAYER
            client["member_id"] = None if r < 0.04 else f"DM{client['id'] * 7919 % 10**8:08d}"
        client["diagnosis_code"] = "F11.20" if self.brnd() < 0.4 else None

    def billing_consent(
        self, client: dict[str, Any], intake: int, consents: list[dict[str, Any]]
    ) -> None:
        """A client with a payer signs a TPO consent at intake (the statements given, no expiry),
        so the claims worksheet may name them to the payer; a few have not (their sessions are
        "no consent to disclose to the payer"): only clients with no other TPO consent, so that
        no worksheet depends on the day it is made. From a stream of its own (per client)."""
        if client["payer"] is None:
            return
        own = [row for row in consents if row["client_id"] == client["id"]]
        r = random.Random(client["id"] * 104_729 + 53).random()  # nosec B311
        if r < 0.045 and not any(row["consent_type"] == "tpo" for row in own):
            return
        day = self.days[intake]
        consents.append(
            {
                "id": self.new_id("consent_records"),
                "client_id": client["id"],
                "consent_type": "tpo",
                "recipient": statements.TPO_RECIPIENT_SUGGESTION,
                "purpose": "Treatment, payment and health care operations.",
                "categories": "appointments,attendance,enrollment,goals,referrals",
                "information_disclosed": "",
                "statements_version": statements.CURRENT,
                "signed_on": day,
                "expires_on": None,
                "revoked_on": None,
                "recorded_by_id": client["coach_id"],
                "created_at": self.stamp(intake),
                "updated_at": self.stamp(intake),
            }
        )
        client["consent_on_file"] = True
        if client["consent_date"] is None:
            client["consent_date"] = day

    def plan_rows(
        self,
        client_id: int,
        coach_id: int,
        episode: Episode,
        enrollment_id: int,
        goal_spans: list[tuple[int, int, int]],
        rows: dict[Any, list[dict[str, Any]]],
    ) -> None:
        """The episode's recovery plan when it is open in the billing window: most signed (a
        second version for long episodes), some a draft the client has not signed, some none."""
        end = episode.discharge if episode.discharge is not None else self.t - 1
        if end < self.billing_from or episode.intake >= self.t - 2 or not goal_spans:
            return
        r = self.brnd()
        if r < 0.08:
            return  # no plan yet: its sessions are "no plan"
        first_goal = min(opened for _g, opened, _c in goal_spans)
        day = max(episode.intake + 3 + int(self.brnd() * 18), first_goal)
        days = [day]
        # Reviewed every two or three months through the billing window: a new version signed.
        review = max(day, self.billing_from - 100) + 45 + int(self.brnd() * 30)
        while review < min(end, self.t - 2):
            days.append(review)
            review += 45 + int(self.brnd() * 30)
        for number, signed_day in enumerate(days, start=1):
            if signed_day >= self.t - 1:
                break
            last = number == len(days)
            draft = last and r < 0.14  # the coach signed; the client has not yet
            plan_id = self.new_id("recovery_plans")
            stamp = self.stamp(signed_day)
            status = "draft" if draft else ("signed" if last else "superseded")
            rows[RecoveryPlan].append(
                {
                    "id": plan_id,
                    "client_id": client_id,
                    "enrollment_id": enrollment_id,
                    "number": number,
                    "status": status,
                    "strengths": self.pick_b(STRENGTHS),
                    "barriers": self.pick_b(BARRIERS),
                    "supports": self.pick_b(SUPPORTS),
                    "review_on": self.day(signed_day + 90),
                    "created_by_id": coach_id,
                    "signed_by_client_at": None if draft else stamp,
                    "client_signature_method": None if draft else "typed",
                    "client_signature_name": None,
                    "client_signature_image": None,
                    "signed_by_coach_at": stamp,
                    "coach_signer_id": coach_id,
                    "coach_signature_method": "typed",
                    "coach_signature_name": None,
                    "coach_signature_image": None,
                    "coach_credential": DEMO_CREDENTIAL,
                    "version": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            if not any(opened <= signed_day <= closed for _g, opened, closed in goal_spans):
                goal_spans.append(self.plan_goal(client_id, coach_id, episode, signed_day, rows))
            for goal_id, opened, closed in goal_spans:
                if opened <= signed_day <= closed:
                    rows[recovery_plan_goals].append({"plan_id": plan_id, "goal_id": goal_id})

    def plan_goal(
        self,
        client_id: int,
        coach_id: int,
        episode: Episode,
        day: int,
        rows: dict[Any, list[dict[str, Any]]],
    ) -> tuple[int, int, int]:
        """A goal set at a plan review when none was open: open until the episode ends."""
        goal_id = self.new_id("goals")
        domain = self.pick_b(GOAL_DOMAIN_POOL)
        closed = episode.discharge
        rows[Goal].append(
            {
                "id": goal_id,
                "client_id": client_id,
                "domain": domain,
                "description": self.pick_b(GOAL_TEXT[domain]),
                "target_date": self.day(day + 90),
                "status": GoalStatus.ACTIVE.value if closed is None else GoalStatus.ACHIEVED.value,
                "opened_on": self.days[day],
                "closed_on": self.days[closed] if closed is not None else None,
                "created_by_id": coach_id,
                "version": 1,
                "created_at": self.stamp(day),
                "updated_at": self.stamp(closed if closed is not None else day),
            }
        )
        return goal_id, day, closed if closed is not None else self.t + FUTURE_DAYS

    def pick_b(self, pool):
        return pool[int(self.brnd() * len(pool))]

    def bill_session(
        self,
        row: dict[str, Any],
        d: int,
        modality: str,
        goal_spans: list[tuple[int, int, int]],
        links: list[dict[str, Any]],
    ) -> bool:
        """Make a completed session of the billing window billable: times, place of service,
        a goal addressed and the coach's signature (most; recent ones wait to be signed).
        False when it stays a contact that is not billed (a text, or left unbillable)."""
        brnd = self.brnd
        if modality == "text" or brnd() < 0.1:
            return False
        row.update(NOT_BILLED)
        row["billable"] = True
        start = TIME_SLOTS[int(brnd() * len(TIME_SLOTS))]
        if brnd() >= 0.02:  # a few lack their times
            row["start_time"] = start
            end = datetime.combine(self.today, start) + timedelta(minutes=row["duration_minutes"])
            row["end_time"] = min(end.time(), dtime(23, 59))
        places = IN_PERSON_PLACES if modality == "in_person" else REMOTE_PLACES
        row["place_of_service"] = places[int(brnd() * len(places))]
        if row["kind"] == "group":
            row["group_size"] = 3 + int(brnd() * 6)
        age = self.t - d
        if brnd() < (0.95 if age > 7 else 0.5 if age > 2 else 0.1):
            row["signed_at"] = self.stamps[d]
            row["signed_by_id"] = row["coach_id"]
            row["signed_credential"] = DEMO_CREDENTIAL
        if not (links and links[-1]["session_id"] == row["id"]) and brnd() < 0.97:
            open_goals = [g for g, opened, closed in goal_spans if opened <= d <= closed]
            if open_goals:
                links.append(
                    {"session_id": row["id"], "goal_id": open_goals[int(brnd() * len(open_goals))]}
                )
        return True
