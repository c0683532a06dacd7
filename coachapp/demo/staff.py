"""The demo's program, teams, staff, training records and resource directory."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from coachapp.demo.base import BuilderBase
from coachapp.demo.billing import DEMO_CREDENTIAL
from coachapp.demo.phrases import (
    TRAINING_HOURS,
    TRAINING_PROVIDERS,
    TRAINING_TITLES,
)
from coachapp.demo.plan import (
    DEMO_PROGRAM_NAME,
    DEMO_TIMEZONE,
    DEMO_USERS,
)
from coachapp.demo.vocabulary import (
    DIRECTORY,
    MEETINGS,
    NOT_SLUG,
    STREETS,
    TEAM_AREAS,
    WEEKDAYS,
)
from coachapp.models import (
    Organization,
    Program,
    Resource,
    Team,
    TrainingRecord,
    User,
)
from coachapp.models.enums import (
    MeetingFormat,
    ResourceCategory,
    Role,
    TrainingDomain,
)

CREDENTIALED = (Role.COACH, Role.SUPERVISOR)


class StaffBuilder(BuilderBase):
    """The demo's program, teams, staff, training records and resource directory."""

    # --- program, staff, directory ---

    def build_staff(self, password_hash: str) -> None:
        scale, t = self.scale, self.t
        created = self.stamp(0)
        self.program_id = self.new_id("programs")
        self.write(
            Program,
            [
                {
                    "id": self.program_id,
                    "name": DEMO_PROGRAM_NAME,
                    "timezone": DEMO_TIMEZONE,
                    "client_seq": scale.clients,
                    "created_at": created,
                }
            ],
        )
        teams = []
        for n in range(scale.supervisors):
            area = TEAM_AREAS[n % len(TEAM_AREAS)]
            suffix = f" {n // len(TEAM_AREAS) + 1}" if n >= len(TEAM_AREAS) else ""
            team_id = self.new_id("teams")
            self.team_ids.append(team_id)
            teams.append(
                {
                    "id": team_id,
                    "program_id": self.program_id,
                    "name": f"{area} Team{suffix}",
                    "created_at": created,
                }
            )
        self.write(Team, teams)

        users: list[dict[str, Any]] = []

        def add_user(
            role: Role, email: str, name: str, team: int | None = None, sup: int | None = None
        ) -> int:
            user_id = self.new_id("users")
            users.append(
                {
                    "id": user_id,
                    "email": email,
                    "name": name,
                    "password_hash": password_hash,
                    "role": role.value,
                    "program_id": self.program_id,
                    "team_id": team,
                    "supervisor_id": sup,
                    "active": True,
                    "credential": DEMO_CREDENTIAL if role in CREDENTIALED else None,
                    "session_version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            return user_id

        emails = dict(DEMO_USERS)
        add_user(Role.ADMIN, emails[Role.ADMIN], "Dana Whitfield")
        add_user(Role.PROGRAM_MANAGER, emails[Role.PROGRAM_MANAGER], "Priya Raman")
        for n, team_id in enumerate(self.team_ids):
            if n == 0:
                email, name = emails[Role.SUPERVISOR], "Marcus O'Neill"
            else:
                email, name = (
                    f"supervisor{n:02d}@demo.coachapp.example",
                    " ".join(self.person_name()),
                )
            self.supervisor_ids.append(add_user(Role.SUPERVISOR, email, name, team_id))
        for n in range(scale.coaches):
            # Coaches are dealt to supervisors in turn; coach 0 (the demo coach) to supervisor 0.
            team_n = n % scale.supervisors
            if n == 0:
                email, name = emails[Role.COACH], "Rosa Delgado"
            else:
                email, name = f"coach{n:03d}@demo.coachapp.example", " ".join(self.person_name())
            sup_id = self.supervisor_ids[team_n]
            coach_id = add_user(Role.COACH, email, name, self.team_ids[team_n], sup_id)
            self.coach_ids.append(coach_id)
            self.coach_supervisor[coach_id] = sup_id
            self.coach_team[coach_id] = team_n
            self.caseload[coach_id] = []
        add_user(Role.BILLING, emails[Role.BILLING], "Glenda Moss")
        self.write(User, users)

        # Training hours toward the credential, by domain, over the past two years.
        records = []
        for coach_id in self.coach_ids:
            for domain in TrainingDomain:
                for _ in range(1 + (self.rnd() < 0.5)):
                    done = t - 20 - int(self.rnd() * 680)
                    records.append(
                        {
                            "id": self.new_id("training_records"),
                            "coach_id": coach_id,
                            "domain": domain.value,
                            "hours": self.pick(TRAINING_HOURS),
                            "completed_on": self.day(done),
                            "title": self.pick(TRAINING_TITLES[domain.value]),
                            "provider": self.pick(TRAINING_PROVIDERS),
                            "created_by_id": coach_id,
                            "created_at": self.stamp(done + 2),
                            "updated_at": self.stamp(done + 2),
                        }
                    )
        self.write(TrainingRecord, records)

    def build_directory(self) -> None:
        t = self.t
        orgs: list[dict[str, Any]] = []
        services: list[dict[str, Any]] = []
        org_ids: dict[str, int] = {}

        def add_org(name: str, description: str) -> int:
            org_id = self.new_id("organizations")
            org_ids[name] = org_id
            slug = NOT_SLUG.sub("", name.lower()).replace(" ", "-")
            verified = t - 10 - int(self.rnd() * 420)
            orgs.append(
                {
                    "id": org_id,
                    "external_id": f"demo-org-{len(orgs) + 1:03d}",
                    "name": name,
                    "description": description,
                    "email": f"info@{slug}.example.org",
                    "phone": f"(217) 555-01{len(orgs) % 100:02d}",
                    "website": f"https://{slug}.example.org",
                    "last_verified_on": self.day(verified),
                    "created_at": self.stamp(0),
                    "updated_at": self.stamp(verified),
                }
            )
            return org_id

        def add_service(org_id: int, name: str, category: str, **meeting: Any) -> int:
            service_id = self.new_id("resources")
            verified = t - 5 - int(self.rnd() * 450)
            services.append(
                {
                    "id": service_id,
                    "external_id": f"demo-svc-{len(services) + 1:03d}",
                    "program_id": None,
                    "organization_id": org_id,
                    "name": name,
                    "category": category,
                    "description": meeting.pop("description", None),
                    "phone": f"(217) 555-01{(len(services) * 7) % 100:02d}",
                    "email": None,
                    "website": None,
                    "address": f"{10 + int(self.rnd() * 980)} {self.pick(STREETS)}, Riverton",
                    "active": True,
                    "last_verified_on": self.day(verified),
                    "meeting_model": None,
                    "meeting_format": None,
                    "meeting_open": None,
                    "meeting_day": None,
                    "meeting_time": None,
                    "meeting_end_time": None,
                    "meeting_schedule": None,
                    "conference_url": None,
                    "created_at": self.stamp(0),
                    "updated_at": self.stamp(verified),
                    **meeting,
                }
            )
            return service_id

        for org_name, org_description, offered in DIRECTORY:
            org_id = add_org(org_name, org_description)
            for name, category, description in offered:
                service_id = add_service(org_id, name, category, description=description)
                self.resources_by_category.setdefault(category, []).append((service_id, name))
        for org_name, name, model, fmt, is_open, weekday, starts, minutes in MEETINGS:
            org_id = org_ids.get(org_name) or add_org(org_name, "Mutual-aid meetings.")
            ends = (datetime.combine(self.today, starts) + timedelta(minutes=minutes)).time()
            online = fmt != MeetingFormat.IN_PERSON
            service_id = add_service(
                org_id,
                name,
                ResourceCategory.RECOVERY_SUPPORT.value,
                description=f"{'Open' if is_open else 'Closed'} {model.upper()} meeting.",
                meeting_model=model,
                meeting_format=fmt,
                meeting_open=is_open,
                meeting_day=weekday,
                meeting_time=starts,
                meeting_end_time=ends,
                meeting_schedule=f"{WEEKDAYS[weekday]} {starts.strftime('%H:%M')}",
                conference_url=f"https://meet.example.org/{len(services) + 1}" if online else None,
            )
            if fmt == MeetingFormat.VIRTUAL:
                services[-1]["address"] = None
            self.meetings.append((service_id, model))
            self.resources_by_category.setdefault("recovery_support", []).append((service_id, name))
        self.write(Organization, orgs)
        self.write(Resource, services)
