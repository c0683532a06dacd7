"""The demo's supervision notes (individual and group) and covering assignments."""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import Any

from coachapp.demo.base import BuilderBase
from coachapp.demo.phrases import (
    GROUP_SUPERVISION_NOTES,
    SUPERVISION_ACTIONS,
    SUPERVISION_NOTES,
    SUPERVISION_TOPICS,
)
from coachapp.demo.plan import (
    HISTORY_DAYS,
)
from coachapp.models import (
    CoveringAssignment,
    SupervisionNote,
    SupervisionNoteCoach,
    supervision_note_clients,
)
from coachapp.models.enums import (
    ClientStatus,
    SupervisionFormat,
)


class SupervisionBuilder(BuilderBase):
    """The demo's supervision notes (individual and group) and covering assignments."""

    # --- supervision and cover ---

    def build_supervision(self) -> None:
        """Roughly monthly individual supervision per coach, and monthly group supervision."""
        rnd, t = self.rnd, self.t
        notes: list[dict[str, Any]] = []
        named: list[dict[str, Any]] = []
        discussed: list[dict[str, Any]] = []
        months = HISTORY_DAYS // 30

        def acknowledged(day: int) -> datetime | None:
            if rnd() < (0.92 if t - day > 14 else 0.35):
                return self.stamp(day + 1 + int(rnd() * 6))
            return None

        def add_note(supervisor_id: int, day: int, fmt: str, minutes: int) -> int:
            note_id = self.new_id("supervision_notes")
            group = fmt == SupervisionFormat.GROUP
            notes.append(
                {
                    "id": note_id,
                    "supervisor_id": supervisor_id,
                    "date": self.days[day],
                    "duration_minutes": minutes,
                    "format": fmt,
                    "topics": "; ".join(sorted({self.pick(SUPERVISION_TOPICS) for _ in range(2)})),
                    "note": self.pick(GROUP_SUPERVISION_NOTES if group else SUPERVISION_NOTES),
                    "action_items": self.pick(SUPERVISION_ACTIONS),
                    "version": 1,
                    "created_at": self.stamp(day),
                    "updated_at": self.stamp(day),
                }
            )
            return note_id

        for coach_number, coach_id in enumerate(self.coach_ids):
            supervisor_id = self.coach_supervisor[coach_id]
            caseload = sorted(self.caseload[coach_id])
            intakes = [first for first, _ in caseload]
            for month in range(months, -1, -1):
                if coach_number == 0 and month == 0:
                    day = t - 2 - int(rnd() * 5)  # the demo coach has one to acknowledge
                elif rnd() < 0.85:
                    day = t - 30 * month - 1 - int(rnd() * 28)
                else:
                    continue
                if day < 0:
                    continue
                note_id = add_note(
                    supervisor_id, day, SupervisionFormat.INDIVIDUAL, 30 + 15 * int(rnd() * 5)
                )
                ack = None if coach_number == 0 and month == 0 else acknowledged(day)
                named.append({"note_id": note_id, "coach_id": coach_id, "acknowledged_at": ack})
                known = bisect.bisect_right(intakes, day)
                if known and rnd() < 0.35:
                    picks = {caseload[int(rnd() * known)][1] for _ in range(1 + (rnd() < 0.4))}
                    for client_id in sorted(picks):
                        discussed.append({"note_id": note_id, "client_id": client_id})

        for team_n, supervisor_id in enumerate(self.supervisor_ids):
            team = [c for c in self.coach_ids if self.coach_team[c] == team_n]
            for month in range(months, 0, -1):
                day = t - 30 * month + 8 + int(rnd() * 10)
                if day < 0 or day >= t or rnd() >= 0.9:
                    continue
                present = [c for c in team if rnd() < 0.85] or team[:1]
                note_id = add_note(
                    supervisor_id, day, SupervisionFormat.GROUP, 60 + 15 * int(rnd() * 5)
                )
                for coach_id in present:
                    named.append(
                        {
                            "note_id": note_id,
                            "coach_id": coach_id,
                            "acknowledged_at": acknowledged(day),
                        }
                    )
        self.write(SupervisionNote, notes)
        self.write(SupervisionNoteCoach, named)
        self.write(supervision_note_clients, discussed)

    def build_cover(self) -> None:
        """One covering assignment in force today and one from the past."""
        t = self.t
        demo_coach = self.coach_ids[0]
        team = [c for c in self.coach_ids[1:] if self.coach_team[c] == 0]
        colleague = team[0] if team else self.coach_ids[-1]
        if colleague == demo_coach:
            return
        colleague_clients = [
            p
            for p in self.plans
            if self.coach_ids[p.coach] == colleague and p.status == ClientStatus.ACTIVE
        ]
        first_client_id = self.first_client_id()
        covered = first_client_id + colleague_clients[0].number - 1 if colleague_clients else None
        supervisor_id = self.supervisor_ids[0]
        rows = [
            {
                "id": self.new_id("covering_assignments"),
                "covering_user_id": colleague,
                "coach_id": demo_coach,
                "client_id": None,
                "starts_on": self.days[t - 130],
                "ends_on": self.days[t - 116],
                "reason": "Annual leave: whole caseload covered.",
                "created_by_id": supervisor_id,
                "created_at": self.stamp(t - 135),
                "ended_at": None,
            },
            {
                "id": self.new_id("covering_assignments"),
                "covering_user_id": demo_coach,
                "coach_id": colleague,
                "client_id": covered,
                "starts_on": self.days[t - 2],
                "ends_on": self.days[t + 12],
                "reason": "Colleague on leave; covering this client's court dates.",
                "created_by_id": supervisor_id,
                "created_at": self.stamp(t - 3),
                "ended_at": None,
            },
        ]
        self.write(CoveringAssignment, rows)
