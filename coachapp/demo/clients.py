"""The demo's clients: the plan of each (status, coach, episodes, share of the sessions),
then their rows, one batch of clients at a time."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from coachapp.clients.services import format_code, name_key
from coachapp.consents import categories as consent_categories
from coachapp.consents import statements
from coachapp.demo.outcomes import OutcomeRows
from coachapp.demo.phrases import (
    CLIENT_NOTES,
    CONSENT_INFORMATION,
    CONSENT_PURPOSES,
    CONSENT_RECIPIENTS,
    DISCHARGE_NOTES,
    DISCHARGE_POOL,
)
from coachapp.demo.plan import (
    DEMO_COACH_ACTIVE_CLIENTS,
    ClientPlan,
    Episode,
)
from coachapp.demo.sessions import SessionRows
from coachapp.demo.vocabulary import (
    AREA_CODES,
    NICKNAMES,
    NOT_SLUG,
    SHOWCASE_NAMES,
    STREETS,
)
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientAssignment,
    ClientProfile,
    ClientStatusRecord,
    CoachingSession,
    ConsentRecord,
    Enrollment,
    FollowUpInterview,
    Goal,
    MutualAidAttendance,
    RecoveryPlan,
    Referral,
    ReferralStatusChange,
    recovery_plan_goals,
    session_goals,
)
from coachapp.models.enums import (
    ClientStatus,
    DischargeReason,
    SupportPerson,
)


class ClientBuilder(SessionRows, OutcomeRows):
    """The demo's clients: the plan of each (status, coach, episodes, share of the sessions),"""

    # --- clients: the plan ---

    def plan_clients(self) -> None:
        """Decide every client's status, coach and episodes, then share out the session target."""
        rnd, t, scale = self.rnd, self.t, self.scale
        yesterday = t - 1
        # Shares by quota, not by independent draws, so even 60 clients show a program's
        # proportions: 8% re-enrolled, 24% discharged, 14% inactive (drifted, still open).
        n_clients = scale.clients
        quota = (
            ["reenrolled"] * round(n_clients * 0.08)
            + [ClientStatus.DISCHARGED.value] * round(n_clients * 0.24)
            + [ClientStatus.INACTIVE.value] * round(n_clients * 0.14)
        )[:n_clients]
        statuses = quota + [ClientStatus.ACTIVE.value] * (n_clients - len(quota))
        self.rng.shuffle(statuses)
        # Open caseloads are shared evenly; the demo coach gets at least a dozen active clients.
        open_numbers = [n for n, s in enumerate(statuses) if s in ("active", "reenrolled")]
        n_coaches = len(self.coach_ids)
        share = len(open_numbers) / n_coaches
        demo_count = min(len(open_numbers), max(DEMO_COACH_ACTIVE_CLIENTS, round(share)))
        slots = [0] * demo_count
        others = list(range(1, n_coaches)) or [0]
        slots += [others[k % len(others)] for k in range(len(open_numbers) - demo_count)]
        self.rng.shuffle(slots)
        coach_of = dict(zip(open_numbers, slots, strict=True))

        discharges = 0
        demo_seen = 0
        interview_due = False
        for n, status in enumerate(statuses):
            coach = coach_of.get(n)
            if coach is None:
                coach = int(rnd() * n_coaches)
            episodes: list[Episode] = []
            never_engaged = False
            if status == "reenrolled":
                intake = int(rnd() * (t - 200))
                discharge = intake + 30 + int(rnd() * 120)
                second = min(discharge + 20 + int(rnd() * 100), t - 3)
                episodes.append(Episode(intake, discharge, None, discharge))
                episodes.append(Episode(second, None, None, yesterday))
                status = ClientStatus.ACTIVE.value
            elif status == ClientStatus.DISCHARGED:
                intake = int(rnd() * (t - 45))
                if rnd() < 0.55:
                    # Never reached after the intake: closed as lost to contact after one to
                    # three months of outreach.
                    never_engaged = True
                    discharge = min(intake + 30 + int(rnd() * 60), yesterday)
                    episode = Episode(intake, discharge, DischargeReason.DISENGAGED.value, intake)
                else:
                    discharge = min(intake + 30 + int(rnd() * rnd() * 420), yesterday)
                    episode = Episode(intake, discharge, None, discharge)
                episodes.append(episode)
            elif status == ClientStatus.INACTIVE:
                # Drifted away and still open: no contact for 30 days to over a year.
                intake = int(rnd() * (t - 45))
                never_engaged = rnd() < 0.6
                if never_engaged:
                    last = intake
                else:
                    last = min(max(intake + 14, t - 35 - int(rnd() * 420)), t - 35)
                episodes.append(Episode(intake, None, None, max(intake, last)))
            else:
                intake = int(rnd() * (t - 2))
                last = yesterday
                if coach != 0 and intake >= t - 21 and rnd() < 0.4:
                    never_engaged = True  # a new intake not reached yet
                    last = intake
                elif rnd() < 0.1:  # gone quiet: no contact for 15 to 45 days
                    last = max(intake, t - 15 - int(rnd() * 30))
                episodes.append(Episode(intake, None, None, last))
            for episode in episodes:
                if episode.discharge is not None and episode.reason is None:
                    # Every reason appears early on, whatever the scale; then by weight.
                    reasons = list(DischargeReason)
                    episode.reason = (
                        reasons[discharges].value
                        if discharges < len(reasons)
                        else self.pick(DISCHARGE_POOL)
                    )
                    discharges += 1
                    if episode.reason == DischargeReason.DISENGAGED:
                        # Lost to contact: two to four months without contact before the
                        # discharge.
                        episode.contact_end = max(
                            episode.intake, episode.discharge - 60 - int(rnd() * 60)
                        )
            plan = ClientPlan(
                number=n + 1,
                status=status,
                coach=coach,
                episodes=episodes,
                engagement=0.4 + rnd() * 1.2,
                attempt_rate=0.1 + rnd() * 0.22,
                never_engaged=never_engaged,
            )
            if coach == 0 and status == ClientStatus.ACTIVE:
                if demo_seen < len(SHOWCASE_NAMES):
                    plan.names = SHOWCASE_NAMES[demo_seen]
                plan.pending_appointment = demo_seen == 1
                plan.stale_referral = demo_seen == 2
                plan.appointment_today = demo_seen == 3
                if demo_seen >= 4 and not interview_due and len(plan.episodes) == 1:
                    # Intake 26 days ago: the baseline window closes in 4 days.
                    plan.interview_due = interview_due = True
                    episode = plan.episodes[-1]
                    episode.intake = t - 26
                    episode.contact_end = max(episode.contact_end, episode.intake)
                if demo_seen == 0:  # the first one has gone quiet
                    plan.episodes[-1].contact_end = max(plan.episodes[-1].intake, t - 20)
                demo_seen += 1
            for episode in episodes:
                span = episode.contact_end - episode.intake + 1
                if not never_engaged:
                    episode.weight = max(span, 0) * plan.engagement
                # After the last contact: outreach attempts, one every few weeks of silence.
                stop = episode.discharge if episode.discharge is not None else yesterday
                silence = stop - episode.contact_end
                if silence >= 14 or never_engaged:
                    episode.attempts_after = 1 + min(int(silence / 21 * rnd()), 5)
            self.plans.append(plan)

        attempts = sum(e.attempts_after for p in self.plans for e in p.episodes)
        total_weight = sum(e.weight for p in self.plans for e in p.episodes) or 1.0
        rate = max(scale.sessions - attempts, 0) / total_weight
        for plan in self.plans:
            for episode in plan.episodes:
                episode.sessions = int(episode.weight * rate + rnd())

    # --- clients: the rows ---

    def build_clients(self) -> None:
        batch = self.scale.batch_clients
        duplicate_of: tuple[str, str, date] | None = None
        for start in range(0, len(self.plans), batch):
            rows: dict[Any, list[dict[str, Any]]] = {
                model: []
                for model in (
                    Client,
                    Enrollment,
                    Goal,
                    CoachingSession,
                    CoachingSession.__table__,
                    session_goals,
                    Appointment,
                    Referral,
                    ReferralStatusChange,
                    Assessment,
                    MutualAidAttendance,
                    ConsentRecord,
                    FollowUpInterview,
                    ClientProfile,
                    ClientStatusRecord,
                    ClientAssignment,
                    RecoveryPlan,
                    recovery_plan_goals,
                )
            }
            for plan in self.plans[start : start + batch]:
                dob = self.client_rows(plan, rows)
                self.profile_rows(plan, rows)
                if plan.names == SHOWCASE_NAMES[0]:
                    duplicate_of = (*SHOWCASE_NAMES[0], dob)
                elif duplicate_of and plan.coach != 0 and plan.status == "active":
                    # One likely duplicate (same name, accents aside, and birth date) for the
                    # intake warning and the merge screen.
                    client = rows[Client][-1]
                    client["first_name"], client["last_name"] = "Jose", "Nunez"
                    client["name_key"] = name_key("Jose", "Nunez")
                    client["date_of_birth"] = duplicate_of[2]
                    if client["email"]:
                        client["email"] = f"jose.nunez{plan.number}@example.com"
                    duplicate_of = None
            for model, model_rows in rows.items():
                self.write(model, model_rows)

    def profile_rows(self, plan: ClientPlan, rows: dict[Any, list[dict[str, Any]]]) -> None:
        """The client's demographics and housing and employment history (its first episode);
        coachapp/demo/profiles.py decides them."""
        client = rows[Client][-1]
        episode = plan.episodes[0]
        end = episode.discharge if episode.discharge is not None else self.t - 1
        profile = self.profiles.profile(client["id"], client["coach_id"], client["created_at"])
        if profile is not None:
            rows[ClientProfile].append(profile)
        rows[ClientStatusRecord] += self.profiles.statuses(
            client["id"],
            client["coach_id"],
            self.day(episode.intake),
            self.day(min(end, self.t - 1)),
            lambda on: self.stamp((on - self.days[0]).days),
        )

    def client_rows(self, plan: ClientPlan, rows: dict[Any, list[dict[str, Any]]]) -> date:
        """Append one client's rows of every kind to ``rows``; return the date of birth."""
        rnd, t = self.rnd, self.t
        yesterday = t - 1
        client_id = self.new_id("clients")
        coach_id = self.coach_ids[plan.coach]
        first_intake = plan.episodes[0].intake
        last = plan.episodes[-1]
        self.caseload[coach_id].append((first_intake, client_id))

        first, last_name = plan.names or self.person_name()
        key = name_key(first, last_name)
        dob = self.today - timedelta(days=int(365.25 * (19 + rnd() * 48)))
        has_phone = rnd() < 0.9
        consent = rnd() < 0.88
        consent_day = min(first_intake + int(rnd() * 7), yesterday)
        support = None
        support_since = None
        r = rnd()
        if r < 0.35:
            support = SupportPerson.SPONSOR.value if r < 0.25 else SupportPerson.MENTOR.value
            support_since = self.day(first_intake - 200 + int(rnd() * 300))
        local = ".".join(NOT_SLUG.sub("", key).split()) or "client"
        changed = last.discharge if last.discharge is not None else last.intake
        rows[Client].append(
            {
                "id": client_id,
                "program_id": self.program_id,
                "code": format_code(plan.number),
                "first_name": first,
                "last_name": last_name,
                "preferred_name": self.pick(NICKNAMES) if rnd() < 0.12 else None,
                "name_key": key,
                "date_of_birth": dob,
                "phone": (
                    f"({self.pick(AREA_CODES)}) 555-01{int(rnd() * 100):02d}" if has_phone else None
                ),
                "email": f"{local}{plan.number}@example.com" if rnd() < 0.55 else None,
                "address": (
                    f"{1 + int(rnd() * 999)} {self.pick(STREETS)}, Riverton"
                    if rnd() < 0.6
                    else None
                ),
                "okay_to_call": has_phone and rnd() < 0.85,
                "okay_to_text": has_phone and rnd() < 0.7,
                "status": plan.status,
                "coach_id": coach_id,
                "consent_on_file": consent,
                "consent_date": self.day(consent_day) if consent else None,
                "notes": self.pick(CLIENT_NOTES) if rnd() < 0.2 else None,
                "support_person": support,
                "support_person_since": support_since,
                "version": 1,
                "created_at": self.stamp(first_intake),
                "updated_at": self.stamp(changed),
            }
        )
        self.client_billing(rows[Client][-1])

        # Intake opens the assignment history (metrics.md, "Credit to coaches").
        rows[ClientAssignment].append(
            {
                "id": self.new_id("client_assignments"),
                "client_id": client_id,
                "coach_id": coach_id,
                "starts_on": self.days[first_intake],
                "ends_on": None,
                "reason": None,
                "handoff_note": None,
                "handoff_read_at": None,
                "created_by_id": coach_id,
                "created_at": self.stamp(first_intake),
            }
        )

        goal_spans: list[tuple[int, int, int]] = []
        for episode in plan.episodes:
            enrollment_id = self.new_id("enrollments")
            rows[Enrollment].append(
                {
                    "id": enrollment_id,
                    "client_id": client_id,
                    "intake_date": self.days[episode.intake],
                    "discharge_date": (
                        self.days[episode.discharge] if episode.discharge is not None else None
                    ),
                    "discharge_reason": episode.reason,
                    "discharge_note": DISCHARGE_NOTES[episode.reason] if episode.reason else None,
                    "opened_by_id": coach_id,
                    "discharged_by_id": coach_id if episode.discharge is not None else None,
                    "created_at": self.stamp(episode.intake),
                    "updated_at": self.stamp(
                        episode.discharge if episode.discharge is not None else episode.intake
                    ),
                }
            )
            goal_spans = self.goal_rows(client_id, coach_id, episode, rows[Goal])
            self.plan_rows(client_id, coach_id, episode, enrollment_id, goal_spans, rows)
            self.session_rows(plan, client_id, coach_id, episode, goal_spans, rows)
            self.appointment_rows(plan, client_id, coach_id, episode, rows[Appointment])
            self.referral_rows(plan, client_id, coach_id, episode, rows)
            self.interview_rows(plan, client_id, coach_id, episode, enrollment_id, rows)
        self.assessment_rows(plan, client_id, coach_id, rows[Assessment])
        self.mutual_aid_rows(client_id, first_intake, rows[MutualAidAttendance])
        if consent:
            for k in range(1 + (rnd() < 0.4)):
                signed = min(consent_day + k * int(rnd() * 60), yesterday)
                revoked = signed + 30 + int(rnd() * 200) if rnd() < 0.04 else None
                row = {
                    "id": self.new_id("consent_records"),
                    "client_id": client_id,
                    "recipient": self.pick(CONSENT_RECIPIENTS),
                    "purpose": self.pick(CONSENT_PURPOSES),
                    "information_disclosed": self.pick(CONSENT_INFORMATION),
                    "signed_on": self.days[signed],
                    "expires_on": self.day(signed + 365) if rnd() < 0.8 else None,
                    "revoked_on": (
                        self.days[revoked] if revoked is not None and revoked < t else None
                    ),
                    "recorded_by_id": coach_id,
                    "created_at": self.stamp(signed),
                    "updated_at": self.stamp(signed),
                }
                row.update(self.consent_terms(client_id, signed, k, row["revoked_on"] is None))
                rows[ConsentRecord].append(row)
        self.billing_consent(rows[Client][-1], first_intake, rows[ConsentRecord])
        return dob

    def consent_terms(self, client_id: int, signed: int, k: int, live: bool) -> dict[str, Any]:
        """What a demo consent allows: mostly attendance and enrollment, some goals, referrals
        or appointments too, a few TPO consents (the statements given, a class of recipients);
        a few in force expire within 30 days of the demo's today. From a stream of its own, so
        the other rows stay as they were."""
        crnd = random.Random(client_id * 1_000_003 + signed * 101 + k).random  # nosec B311
        r = crnd()
        terms: dict[str, Any] = {"consent_type": "specific", "statements_version": None}
        if r < 0.08:
            terms |= {
                "consent_type": "tpo",
                "recipient": statements.TPO_RECIPIENT_SUGGESTION,
                "purpose": "Treatment, payment and health care operations.",
                "categories": "appointments,attendance,enrollment,goals,referrals",
                "information_disclosed": "",
                "statements_version": statements.CURRENT,
            }
        elif r < 0.33:
            extra = ("goals", "referrals", "appointments")[int(crnd() * 3)]
            terms["categories"] = consent_categories.store(["attendance", "enrollment", extra])
        else:
            terms["categories"] = "attendance,enrollment"
        if live and crnd() < 0.06:
            terms["expires_on"] = self.day(self.t + 3 + int(crnd() * 26))
        return terms
