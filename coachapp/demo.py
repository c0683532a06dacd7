"""A synthetic demo program: every record type, deterministic for a seed, at three scales.

``build_demo(scale, seed)`` fills an empty database with one program (its teams, supervisors,
coaches, a program manager and an admin), a resource directory with mutual-aid meetings, and
clients with about 18 months of history: enrollment episodes, goals, sessions, appointments,
referrals, BARC-10 check-ins, mutual-aid groups, consents, supervision notes, training hours and
covering assignments. Every date is relative to ``today``, so the demo always looks current.

Its figures are a real program's, not a brochure's: some clients are never reached after intake,
some drift away (no completed contact for weeks or months, still open, or discharged as lost to
contact after outreach attempts), appointments are missed, and referrals are declined or fail
(no show at intake, not eligible). The small demo's default report shows an engagement rate of
about 70–85%, a no-show rate of about 15–25% and a referral linkage of about 40–50%. Supervisors
sign off most notes within a fortnight, but a few slip through, so the demo supervisor's team has
a backlog of some 300 notes waiting, reaching back over a year.

Everything is made up: names come from lists of first and last names, notes from a few
templates, phone numbers from the fictional 555-01xx range, e-mail from example domains.

The same seed and the same ``today`` give exactly the same rows: one ``random.Random(seed)``
drives everything, in a fixed order. Rows go in with ``INSERT ... executemany`` and ids assigned
here, one batch of clients at a time, so the large scale (about a million sessions) never holds
more than a batch in memory. The whole build is one transaction.

Measured on a 2-core machine, file SQLite: small 0.5 s; medium (~180,000 rows) 6 s, 115 MB
peak; large (~1.75 million rows) 90 s, 125 MB peak, of which 8 s is generating the rows and the
rest SQLAlchemy and SQLite inserting them. PostgreSQL takes about four times as long.
"""

from __future__ import annotations

import bisect
import math
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from coachapp.auth.passwords import hash_password
from coachapp.clients.services import format_code, name_key
from coachapp.extensions import db
from coachapp.followups.schedule import window_for
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientAssignment,
    ClientProfile,
    ClientStatusRecord,
    CoachingSession,
    ConsentRecord,
    CoveringAssignment,
    Enrollment,
    FollowUpInterview,
    Goal,
    MutualAidAttendance,
    Organization,
    Program,
    Referral,
    ReferralStatusChange,
    Resource,
    SupervisionNote,
    SupervisionNoteCoach,
    Team,
    TrainingRecord,
    User,
    session_goals,
    supervision_note_clients,
)
from coachapp.models.enums import (
    AppointmentOutcome,
    ClientStatus,
    DischargeReason,
    GoalDomain,
    GoalStatus,
    MeetingFormat,
    MeetingModel,
    ReferralStatus,
    ResourceCategory,
    Role,
    SupervisionFormat,
    SupportPerson,
    TrainingDomain,
)
from coachapp.profiles.demo import ProfileRows

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SCALES",
    "DemoError",
    "DemoScale",
    "DemoSummary",
    "build_demo",
]


@dataclass(frozen=True)
class DemoScale:
    """How big a demo program is. Sessions are a target: the build lands within 2% of it."""

    coaches: int
    clients: int
    sessions: int
    coaches_per_supervisor: int = 7
    batch_clients: int = 250  # clients generated and inserted together (~12,000 sessions)

    @property
    def supervisors(self) -> int:
        return max(1, math.ceil(self.coaches / self.coaches_per_supervisor))


SCALES: dict[str, DemoScale] = {
    "small": DemoScale(coaches=5, clients=60, sessions=3_000),
    "medium": DemoScale(coaches=40, clients=2_000, sessions=100_000),
    "large": DemoScale(coaches=200, clients=20_000, sessions=1_000_000),
}

DEMO_PASSWORD = "recovery-demo-2026"  # noqa: S105  # nosec B105
DEMO_USERS: list[tuple[str, str]] = [
    (Role.ADMIN.value, "admin@demo.coachapp.example"),
    (Role.PROGRAM_MANAGER.value, "manager@demo.coachapp.example"),
    (Role.SUPERVISOR.value, "supervisor@demo.coachapp.example"),
    (Role.COACH.value, "coach@demo.coachapp.example"),
]
DEMO_PROGRAM_NAME = "Riverton Peer Recovery Coaching (demo)"
DEMO_TIMEZONE = "America/Chicago"


class DemoError(Exception):
    """The demo cannot be built here: a database with data already, or an unknown scale."""


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)  # rows written, per table name
    seconds: float = 0.0


HISTORY_DAYS = 548  # about 18 months of history before today
FUTURE_DAYS = 42  # appointments are booked up to four weeks ahead
CHUNK_ROWS = 10_000  # rows per INSERT executemany
DEMO_COACH_ACTIVE_CLIENTS = 12
MAX_ASSESSMENTS = 5
UTC = timezone.utc
RESET_SEQUENCE = (
    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
    "(SELECT COALESCE(MAX(id), 1) FROM {table}))"
)

# --- Names ------------------------------------------------------------------------------------

FIRST_NAMES = (
    "James", "Maria", "Robert", "Aisha", "Michael", "Jennifer", "David", "Linda", "José", "Zoë",
    "Renée", "Jürgen", "Siobhan", "Ana", "Luis", "Kayla", "Tyrone", "Emily", "Marcus", "Keisha",
    "Daniel", "Sofia", "DeShawn", "Hannah", "Mateo", "Olivia", "Ethan", "Brianna", "Carlos",
    "Grace", "Andre", "Megan", "Jamal", "Chloé", "Björn", "Anaïs", "François", "Łukasz", "Mei",
    "Yusuf", "Fatima", "Omar", "Priya", "Arjun", "Leilani", "Kai", "Dakota", "Shawn", "Crystal",
    "Travis", "Amber", "Cody", "Destiny", "Dustin", "Tiffany", "Jesse", "Rosa", "Guadalupe",
    "Héctor", "Inés", "Nicolás", "Raúl", "Sinéad", "Eoin", "Niamh", "Declan", "Ingrid", "Dmitri",
    "Oksana", "Aroha", "Tanvi", "Kwame", "Adaeze", "Chidi", "Thandiwe", "Malia", "Noa", "Elif",
    "Mehmet", "Ayşe", "Wanda", "Earl", "Bobbie", "Frankie", "Lorraine", "Curtis",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernández", "López", "González", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez",
    "Clark", "Ramírez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyễn", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "O'Connor", "Ñúñez",
    "Brontë", "Müller", "Schröder", "Kowalski", "Wiśniewski", "Dubois", "Lefèvre", "D'Angelo",
    "MacDonald", "van der Berg", "Smith-Jones", "Okafor", "Mensah", "Haddad", "Yılmaz",
    "Kealoha", "Begay", "Yazzie", "Two Bears", "Castillo", "Ortiz", "Morales", "Reyes", "Cruz",
    "Kim", "Park", "Patel", "Shah", "Khan", "Ali", "Cohen", "Novak", "Horvat", "Johansson",
    "Lindqvist", "Popescu", "Ivanova",
)  # fmt: skip
# Names in other scripts: (first, last) pairs so the order and script stay plausible.
OTHER_SCRIPT_NAMES = (
    ("小龙", "李"), ("伟", "王"), ("芳", "张"), ("秀英", "刘"), ("静", "陈"), ("敏", "杨"),
    ("Дмитрий", "Иванов"), ("Ольга", "Петрова"), ("Νίκος", "Παπαδόπουλος"), ("민준", "김"),
)  # fmt: skip
# The demo coach's first clients carry the names that break naive software.
SHOWCASE_NAMES = (("José", "Ñúñez"), ("小龙", "李"), ("Siobhan", "O'Brien"), ("Zoë", "Brontë"))
NICKNAMES = ("Jay", "Lou", "Sunny", "Red", "Tee", "Manny", "Lupe", "Kit", "Dre", "Sam", "Nico")
STREETS = (
    "Elm St", "Maple Ave", "River Rd", "Cedar Ln", "3rd St", "Mill St", "Hillcrest Dr",
    "Lincoln Ave", "Depot St", "Walnut St", "Harbor Way", "Oak Ct",
)  # fmt: skip
AREA_CODES = ("217", "309", "618", "815")
TEAM_AREAS = (
    "Riverside", "Northside", "Eastgate", "Old Town", "Harbor", "Westfield", "Southpark",
    "Millbrook", "Cedar Hill", "Lakeview", "Union", "Fairview",
)  # fmt: skip

# --- Resource directory (HSDS: organization -> services) ---------------------------------------

# (organization, description, ((service, category, description), ...))
DIRECTORY: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Riverton Housing Authority", "Public housing and homeless services for Riverton County.", (
        ("Emergency Shelter Intake", "housing", "Same-day shelter placement; walk in by 3 pm."),
        ("Rapid Rehousing Program", "housing", "Deposit and first months' rent with case help."),
        ("Housing Choice Voucher Waitlist", "housing", "Applications for rental vouchers."),
    )),
    ("Harbor Light Recovery Residences", "Certified recovery residences (NARR level II).", (
        ("Recovery Residence, Men's House", "housing", "Peer-run sober living, 12 beds."),
        ("Recovery Residence, Women's House", "housing", "Peer-run sober living, 8 beds."),
    )),
    ("Northside Community Health Center", "Federally qualified health center.", (
        ("Primary Care Walk-in Clinic", "healthcare", "Sliding-scale primary care."),
        ("Hepatitis C Testing and Treatment", "healthcare", "Rapid testing; treatment linkage."),
        ("Dental Clinic", "healthcare", "Sliding-scale dental care, emergencies first."),
    )),
    ("Fresh Start Harm Reduction", "Low-barrier harm reduction services.", (
        ("Syringe Services Program", "healthcare", "Supplies, wound care, testing."),
        ("Naloxone Training and Distribution", "healthcare", "Free naloxone kits."),
    )),
    ("Riverton Behavioral Health", "Community mental health center.", (
        ("Outpatient Counseling", "mental_health", "Individual and group therapy."),
        ("Psychiatric Medication Management", "mental_health", "Prescriber visits."),
        ("24/7 Crisis Line", "mental_health", "Phone and mobile crisis response."),
    )),
    ("Youth and Family Services", "Counseling for families affected by substance use.", (
        ("Family Counseling", "mental_health", "Sessions for families and partners."),
    )),
    ("New Dawn Treatment Center", "Licensed substance use disorder treatment.", (
        ("Medically Supervised Withdrawal", "treatment", "Inpatient withdrawal management."),
        ("Intensive Outpatient Program", "treatment", "Nine hours a week, evenings available."),
        ("Opioid Treatment Program", "treatment", "Methadone and buprenorphine dosing."),
        ("Buprenorphine Bridge Clinic", "treatment", "Same-week induction appointments."),
    )),
    ("WorkFirst Riverton", "Employment services for people facing barriers to work.", (
        ("Job Readiness Workshop", "employment", "Two-week course with a job fair."),
        ("Second-Chance Employer Network", "employment", "Employers who hire with records."),
        ("Resume and Interview Coaching", "employment", "One-to-one appointments."),
    )),
    ("Riverton Day Labor Center", "Same-day work placements.", (
        ("Day Labor Sign-up", "employment", "Sign in by 6 am for same-day work."),
    )),
    ("Riverton Legal Aid Society", "Free civil legal help.", (
        ("Record Expungement Clinic", "legal", "Monthly clinic; bring court papers."),
        ("Tenant Rights Hotline", "legal", "Eviction defense and advice."),
        ("Treatment Court Liaison", "legal", "Help with treatment court requirements."),
    )),
    ("Family Court Self-Help Center", "Forms and guidance for family court.", (
        ("Child Support Modification Help", "legal", "Help filing a modification."),
    )),
    ("County Department of Social Services", "Public benefits office.", (
        ("SNAP Application Assistance", "benefits", "Food assistance applications."),
        ("Medicaid Enrollment", "benefits", "Enrollment and renewals."),
        ("SSI/SSDI Application Help", "benefits", "Disability benefits applications."),
        ("Utility Assistance Program", "benefits", "Help with heating and power bills."),
    )),
    ("Veterans Outreach Center", "Services for veterans and their families.", (
        ("VA Benefits Navigation", "benefits", "Claims help and VA health enrollment."),
        ("Veterans Peer Mentoring", "recovery_support", "Veteran-to-veteran recovery support."),
    )),
    ("Riverton Food Bank", "Emergency food for Riverton County.", (
        ("Weekly Food Pantry", "food", "Groceries once a week, no ID needed."),
        ("Mobile Pantry", "food", "Monthly stops in rural townships."),
        ("Community Hot Lunch", "food", "Weekday lunch, 11:30 to 1."),
    )),
    ("Metro Transit Access", "Public transit programs.", (
        ("Reduced-Fare Bus Pass", "transportation", "Half-price passes with a benefits card."),
        ("Medical Rides Program", "transportation", "Rides to medical appointments."),
    )),
    ("Riverton Community College", "Two-year college with adult education programs.", (
        ("High School Equivalency Classes", "education", "Free HSE preparation and testing."),
        ("Recovery-Friendly Campus Program", "education", "Support for students in recovery."),
        ("Digital Literacy Course", "education", "Computer basics, six weeks."),
    )),
    ("Riverton Recovery Community Center", "Peer-run recovery community organization.", (
        ("Recovery Café Drop-in", "recovery_support", "Drop-in space, coffee, peer support."),
        ("Peer-Run Warmline", "recovery_support", "Talk to a peer, 4 pm to midnight."),
        ("All-Pathways Wellness Group", "recovery_support", "Weekly wellness group."),
    )),
    ("Riverton Public Library", "Public library.", (
        ("Free Computer and Internet Access", "other", "Computers, printing, job searching."),
        ("ID Replacement Help", "other", "Help getting birth certificates and state ID."),
    )),
    ("Second Street Clothing Closet", "Free clothing for work and interviews.", (
        ("Work Clothing Closet", "other", "Interview and work clothes, once a month."),
    )),
)  # fmt: skip

# Mutual-aid meetings (Meeting Guide fields); names are generic, none is a real group.
# (organization, name, model, format, open, day 0=Sunday, start, minutes)
_AA, _NA = "Riverton Area Intergroup (AA)", "Riverton Area NA"
_SMART, _RCC = "SMART Recovery Riverton", "Riverton Recovery Community Center"
_LR = "LifeRing Riverton"
MEETINGS: tuple[tuple[str, str, str, str, bool, int, dtime, int], ...] = (
    (_AA, "Monday Night Big Book", "aa", "in_person", True, 1, dtime(19), 60),
    (_AA, "Early Risers", "aa", "in_person", False, 3, dtime(7), 60),
    (_AA, "Women's Step Study", "aa", "hybrid", False, 4, dtime(18, 30), 90),
    (_AA, "Online Daily Reflections", "aa", "virtual", True, 6, dtime(12), 60),
    (_NA, "Just for Today Group", "na", "in_person", True, 2, dtime(19), 60),
    (_NA, "Saturday Clean Start", "na", "in_person", False, 6, dtime(10), 90),
    (_NA, "NA Online Evening", "na", "virtual", True, 0, dtime(20), 60),
    (_SMART, "SMART Recovery Tuesday", "smart_recovery", "in_person", True, 2, dtime(18), 90),
    (_SMART, "SMART Recovery Online", "smart_recovery", "virtual", True, 4, dtime(19), 90),
    (_LR, "LifeRing Secular Recovery", "lifering", "hybrid", True, 3, dtime(19), 60),
    (_RCC, "Dual Recovery Meeting", "dual_recovery", "in_person", True, 5, dtime(17), 60),
    (_RCC, "Family Recovery Circle", "family", "in_person", True, 1, dtime(18), 60),
    (_RCC, "Friends and Family Online", "family", "virtual", True, 0, dtime(15), 60),
    (_RCC, "Recovery Dharma Sitting Group", "other", "hybrid", True, 0, dtime(10), 75),
    (_RCC, "All-Recovery Meeting", "other", "in_person", True, 5, dtime(12), 60),
)
WEEKDAYS = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")

# How often a referral goes to each category (weights).
REFERRAL_CATEGORY_WEIGHTS = {
    "housing": 18, "employment": 12, "healthcare": 10, "mental_health": 10, "treatment": 10,
    "recovery_support": 14, "legal": 5, "benefits": 9, "food": 6, "transportation": 4,
    "education": 3, "other": 2,
}  # fmt: skip
APPOINTMENT_KIND_WEIGHTS = {
    "medical": 20, "mental_health": 15, "treatment": 20, "housing": 12, "employment": 8,
    "legal_court": 10, "benefits": 10, "other": 5,
}  # fmt: skip
APPOINTMENT_KIND_CATEGORY = {
    "medical": "healthcare", "mental_health": "mental_health", "treatment": "treatment",
    "housing": "housing", "employment": "employment", "legal_court": "legal",
    "benefits": "benefits", "other": "other",
}  # fmt: skip
APPOINTMENT_PLACES = {
    "medical": ("Dr. Alvarez, Riverton Family Medicine", "St. Brendan's Hospital outpatient",
                "Urgent care, Mill St"),
    "mental_health": ("Therapist at Lakeview Counseling", "Psychiatry follow-up, county clinic"),
    "treatment": ("IOP intake, Harbor Treatment Services", "MAT clinic dosing review"),
    "housing": ("Landlord viewing, 40 Depot St apt 2", "Housing case manager, City Hall annex"),
    "employment": ("Interview at Riverton Logistics", "Warehouse orientation, Eastgate"),
    "legal_court": ("Riverton County Court, courtroom 3", "Probation officer check-in",
                    "Public defender's office"),
    "benefits": ("Social Security field office", "DMV for state ID"),
    "other": ("Bank, to open an account", "Phone store, replacement phone"),
}  # fmt: skip
APPOINTMENT_NOTES = (
    "Bring photo ID and insurance card.",
    "Client asked for a reminder call the day before.",
    "Meet at the bus stop 20 minutes early.",
    "Paperwork from the last visit is in the client's folder.",
    "Client nervous about this one; plan a check-in afterwards.",
)
TIME_SLOTS = tuple(dtime(h, m) for h in range(8, 17) for m in (0, 30))

# --- Session text ----------------------------------------------------------------------------

_COACHING_OPEN = (
    "Met for our weekly check-in.",
    "Client called to catch up.",
    "Coffee at the recovery café.",
    "Walked and talked near the river trail.",
    "Check-in at the drop-in center.",
    "Short check-in before the client's shift.",
)
_COACHING_TOPIC = (
    "Talked through the housing application and what is still missing.",
    "Reviewed the week: two meetings attended, cravings manageable.",
    "Worked on a budget for the next pay period.",
    "Practiced what to say at the job interview on Thursday.",
    "Client shared a hard conversation with family; we named supports to lean on.",
    "Went over the recovery plan and updated one goal.",
    "Discussed sleep and stress; client wants to try the wellness group.",
    "Talked about a close call with use last weekend and what helped.",
    "Celebrated 90 days; planned how to mark it.",
    "Reviewed court dates and transportation for each.",
)
_COACHING_CLOSE = (
    "Client in good spirits.",
    "Client tired but engaged.",
    "Agreed on small steps for the week.",
    "Client asked to meet again next week.",
    "",
)
_NOTES_BY_KIND: dict[str, tuple[str, ...]] = {
    "coaching": tuple(
        " ".join(part for part in (a, b, c) if part)
        for a in _COACHING_OPEN
        for b in _COACHING_TOPIC
        for c in _COACHING_CLOSE
    ),
    "accompaniment": (
        "Went with client to the appointment; waited together and debriefed after.",
        "Drove client to the clinic; helped fill in the intake forms.",
        "Accompanied client to court; hearing continued, next date set.",
        "Went along to the benefits office; application submitted.",
        "Met client at the housing viewing; landlord will call back.",
    ),
    "crisis_support": (
        "Client called upset after a relapse; stayed on the line and made a safety plan.",
        "Met client after an eviction notice; connected to the tenant hotline the same day.",
        "Client in distress; warm handoff to the crisis line, followed up an hour later.",
    ),
    "outreach": (
        "Stopped by the shelter to reconnect; client agreed to meet next week.",
        "Outreach at the day center; left a card and a note.",
        "Reached client after several tries; caught up briefly.",
        "Home visit to re-engage; talked on the porch for a while.",
    ),
    "group": (
        "Co-facilitated the peer support group; client shared for the first time.",
        "Recovery skills group: coping with triggers at work.",
        "Group session on building a support network.",
    ),
    "other": (
        "Helped client set up an email account for job applications.",
        "Sorted through mail together; flagged two letters that need answers.",
        "Quick text exchange to confirm tomorrow's plan.",
    ),
}
_ATTEMPT_NOTES = (
    "No answer; left a voicemail.",
    "Texted, no reply yet.",
    "Number out of service; will try the backup contact.",
    "Stopped by, client not home; left a note.",
    "Client did not come to the planned meeting spot.",
    "Called twice, no answer.",
)
NEXT_STEPS = (
    "Call on Monday to check on the application.",
    "Meet next week at the café.",
    "Client to bring pay stubs for the housing application.",
    "Follow up on the referral.",
    "Confirm transportation for Thursday's appointment.",
    "Try again in two days.",
    "Client will attend two meetings before we meet again.",
    "Send the interview tips sheet by text.",
    "Check in after the court date.",
    "Update the goal plan next session.",
)
REVIEW_COMMENTS = (
    "Good note; clear next steps.",
    "Please add how the client responded to the plan.",
    "Nice follow-through on the referral.",
    "Discuss boundaries around texting at our next supervision.",
)

# (kind, modality, low minutes, high minutes, step, weight)
COMPLETED_MIX = (
    ("coaching", "in_person", 30, 90, 5, 30),
    ("coaching", "phone", 10, 45, 5, 16),
    ("coaching", "video", 20, 60, 5, 8),
    ("coaching", "text", 2, 15, 1, 8),
    ("accompaniment", "in_person", 60, 240, 15, 9),
    ("crisis_support", "phone", 15, 60, 5, 2),
    ("crisis_support", "in_person", 30, 120, 15, 2),
    ("outreach", "in_person", 15, 45, 5, 4),
    ("outreach", "phone", 5, 20, 5, 3),
    ("group", "in_person", 60, 90, 15, 6),
    ("group", "video", 45, 90, 15, 2),
    ("other", "in_person", 15, 60, 15, 3),
    ("other", "text", 2, 10, 1, 2),
)
ATTEMPTED_MIX = (
    ("coaching", "phone", 1, 5, 1, 30),
    ("coaching", "text", 1, 3, 1, 15),
    ("coaching", "video", 1, 5, 1, 3),
    ("outreach", "phone", 1, 5, 1, 20),
    ("outreach", "in_person", 5, 20, 5, 10),
    ("outreach", "text", 1, 2, 1, 10),
    ("accompaniment", "in_person", 10, 30, 5, 3),
    ("crisis_support", "phone", 1, 10, 1, 2),
    ("other", "phone", 1, 5, 1, 5),
)

GOAL_TEXT: dict[str, tuple[str, ...]] = {
    "housing": ("Move into stable housing", "Get on the voucher waitlist",
                "Find a recovery residence bed"),
    "employment": ("Find part-time work", "Finish job readiness course",
                   "Get a reference letter from a past employer"),
    "education": ("Start HSE classes", "Enroll in a community college course"),
    "physical_health": ("See a primary care doctor", "Get dental work done",
                        "Complete hepatitis C treatment"),
    "mental_health": ("Connect with a counselor", "Keep psychiatry appointments"),
    "substance_use": ("Attend two meetings a week", "Stay on medication for OUD",
                      "Build a relapse prevention plan"),
    "family_social": ("Reconnect with sister", "Supervised visits with children",
                      "Find a sponsor or mentor"),
    "legal": ("Complete probation requirements", "Clear outstanding warrant",
              "Apply for record expungement"),
    "financial": ("Open a bank account", "Make a monthly budget", "Pay off court fines"),
    "transportation": ("Get a reduced-fare bus pass", "Get driver's license reinstated"),
    "other": ("Replace birth certificate and ID", "Get a phone with a data plan"),
}  # fmt: skip
GOAL_DOMAIN_WEIGHTS = {
    "housing": 16, "employment": 13, "education": 4, "physical_health": 9, "mental_health": 9,
    "substance_use": 15, "family_social": 9, "legal": 8, "financial": 7, "transportation": 5,
    "other": 5,
}  # fmt: skip
# Weights for clients who engaged; those never reached are discharged as lost to contact on top.
DISCHARGE_WEIGHTS = {
    "completed": 36, "disengaged": 12, "moved": 10, "incarcerated": 7, "transferred": 8,
    "deceased": 2, "other": 7,
}  # fmt: skip
DISCHARGE_NOTES = {
    "completed": "Goals met; stepping down to mutual-aid and community support.",
    "disengaged": "No contact for more than 60 days despite outreach.",
    "moved": "Client moved out of the service area; given contacts there.",
    "incarcerated": "Client incarcerated; will reconnect on release if they wish.",
    "deceased": "Client passed away. Team debrief held.",
    "transferred": "Transferred to another peer support program closer to home.",
    "other": "Closed at client's request.",
}  # fmt: skip
REFERRAL_NOTES = (
    "Client prefers afternoon appointments.",
    "Warm handoff by phone with the intake worker.",
    "Waitlist; call back in two weeks.",
    "Needs ID before intake.",
    "Coach will go along to the first visit.",
)
# Why a referral did not work out: the note a coach leaves when closing it.
REFERRAL_OUTCOME_NOTES = {
    "declined": (
        "Client declined: not ready for this yet.",
        "Client declined; prefers to wait until after the court date.",
        "Client declined the waitlist spot; too far to travel.",
    ),
    "not_connected": (
        "No show for the intake appointment; client did not answer follow-up calls.",
        "Not eligible: income above the program's limit.",
        "Not eligible: needs a county ID first.",
        "Waitlist closed before the client reached the top.",
        "No show twice; the provider closed the referral.",
    ),
}
CLIENT_NOTES = (
    "Prefers text over calls.",
    "Best reached in the morning.",
    "Works evenings; meet before 2 pm.",
    "Has a dog; meet outside when possible.",
    "Spanish preferred for paperwork.",
)
MUTUAL_AID_FREQUENCY = (
    "once a week", "twice a week", "three times a week", "daily", "every other week",
    "when they can",
)  # fmt: skip
CONSENT_RECIPIENTS = (
    "New Dawn Treatment Center", "Riverton Behavioral Health", "Riverton Housing Authority",
    "Riverton County Probation", "Northside Community Health Center", "WorkFirst Riverton",
)  # fmt: skip
CONSENT_PURPOSES = (
    "Coordinate treatment and recovery support.",
    "Support the housing application.",
    "Report attendance to treatment court.",
    "Coordinate care with the primary care provider.",
)
CONSENT_INFORMATION = (
    "Attendance and engagement in peer coaching.",
    "Dates of contact and referral status.",
    "Recovery plan goals and progress.",
)
SUPERVISION_TOPICS = (
    "Caseload review; documentation timeliness",
    "Boundaries and self-disclosure",
    "Self-care and secondary trauma",
    "Motivational interviewing practice",
    "Clients gone quiet: outreach plan",
    "Housing referrals that stalled",
    "Ethics: dual relationships in a small town",
    "Accompaniment safety and transport",
    "Preparing for the credential exam",
    "Crisis response debrief",
)
SUPERVISION_NOTES = (
    "Reviewed caseload; discussed clients with pending referrals and how to follow up.",
    "Talked through a difficult contact and what went well. Coach is pacing themselves.",
    "Role-played a re-engagement call. Coach will try the new opening this week.",
    "Went over notes from the past month; strong detail, next steps sometimes missing.",
    "Debriefed a crisis call; coach followed protocol and asked for support afterwards.",
)
GROUP_SUPERVISION_NOTES = (
    "Team case consultation: each coach brought one client (de-identified) for ideas.",
    "Group practice on strengths-based language in notes.",
    "Shared resources for the new housing voucher round; updated the directory list.",
)
SUPERVISION_ACTIONS = (
    "Follow up on referrals older than two weeks.",
    "Schedule outreach for clients not seen in 14 days.",
    "Complete the ethics training module by month end.",
    "Bring two session notes to review next time.",
    "Take the afternoon off after the Friday court day.",
)
TRAINING_TITLES = {
    "advocacy": ("Advocating across systems", "Navigating benefits for clients",
                 "Recovery-oriented systems of care"),
    "mentoring_education": ("Motivational interviewing basics", "Recovery coaching skills",
                            "Facilitating peer groups"),
    "recovery_wellness": ("Wellness recovery action planning", "Trauma-informed care",
                          "Multiple pathways of recovery"),
    "ethics": ("Ethics for peer specialists", "Boundaries and confidentiality (42 CFR Part 2)",
               "Ethical decision making"),
}  # fmt: skip
TRAINING_PROVIDERS = (
    "State Certification Board", "Riverton Community College", "Regional Recovery Academy",
    "Online learning portal",
)  # fmt: skip
TRAINING_HOURS = (Decimal("2.0"), Decimal("3.0"), Decimal("4.0"), Decimal("6.0"),
                  Decimal("8.0"), Decimal("12.0"), Decimal("16.0"))  # fmt: skip


def _weighted_pool(weights: dict[str, int]) -> tuple[str, ...]:
    """A tuple with each key repeated by its weight: a uniform pick from it is a weighted pick."""
    return tuple(key for key, weight in weights.items() for _ in range(weight))


def _mix_pool(mix: Sequence[tuple[str, str, int, int, int, int]], attempted: bool) -> tuple:
    """Session kinds/modalities expanded by weight, each with its minute range and notes."""
    pool = []
    for kind, modality, low, high, step, weight in mix:
        notes = _ATTEMPT_NOTES if attempted else _NOTES_BY_KIND[kind]
        entry = (kind, modality, low, (high - low) // step + 1, step, notes, len(notes))
        pool.extend([entry] * weight)
    return tuple(pool)


COMPLETED_POOL = _mix_pool(COMPLETED_MIX, attempted=False)
ATTEMPTED_POOL = _mix_pool(ATTEMPTED_MIX, attempted=True)
REFERRAL_CATEGORY_POOL = _weighted_pool(REFERRAL_CATEGORY_WEIGHTS)
APPOINTMENT_KIND_POOL = _weighted_pool(APPOINTMENT_KIND_WEIGHTS)
GOAL_DOMAIN_POOL = _weighted_pool(GOAL_DOMAIN_WEIGHTS)
DISCHARGE_POOL = _weighted_pool(DISCHARGE_WEIGHTS)
_NOT_SLUG = re.compile(r"[^a-z0-9 ]")


# --- The plan of one client, decided before any row is written -------------------------------


@dataclass(slots=True)
class _Episode:
    intake: int  # day index (0 = HISTORY_DAYS before today)
    discharge: int | None
    reason: str | None
    contact_end: int  # last day a completed session may fall on
    weight: float = 0.0  # share of the session target
    sessions: int = 0
    # Outreach attempts after contact stopped (after ``contact_end``), outside the target share.
    attempts_after: int = 0


@dataclass(slots=True)
class _ClientPlan:
    number: int  # 1-based: the client code and the offset of the id
    status: str
    coach: int  # index into the coach list
    episodes: list[_Episode]
    engagement: float
    attempt_rate: float
    names: tuple[str, str] | None = None
    # Never reached after intake: outreach attempts only, no completed contact, no-shows.
    never_engaged: bool = False
    # Alert cases forced on the demo coach's caseload so the home page always shows them.
    pending_appointment: bool = False
    stale_referral: bool = False
    appointment_today: bool = False
    # A baseline interview due this week, left unrecorded (the demo coach's due list).
    interview_due: bool = False


class _Builder:
    """Generates and inserts the rows; one instance per build."""

    def __init__(self, scale: DemoScale, seed: int, today: date) -> None:
        self.scale = scale
        self.rng = random.Random(seed)  # nosec B311
        self.rnd = self.rng.random
        # Follow-up interviews draw from their own stream: the other rows stay as they were.
        self.interview_rnd = random.Random(seed * 7919 + 17).random  # nosec B311
        # The client profiles draw from their own generator: the other rows stay as they were.
        self.profiles = ProfileRows(seed, self.new_id)
        self.today = today
        self.t = HISTORY_DAYS  # today's day index
        start = today - timedelta(days=HISTORY_DAYS)
        self.days = [start + timedelta(days=i) for i in range(HISTORY_DAYS + FUTURE_DAYS + 1)]
        # Records are stamped at 22:00 UTC of their day (evening in the program's zone).
        self.stamps = [datetime(d.year, d.month, d.day, 22, tzinfo=UTC) for d in self.days]
        self.counts: dict[str, int] = {}
        self.next_ids: dict[str, int] = {}
        self.is_postgres = db.engine.dialect.name == "postgresql"

        self.program_id = 0
        self.coach_ids: list[int] = []
        self.coach_supervisor: dict[int, int] = {}
        self.coach_team: dict[int, int] = {}
        self.supervisor_ids: list[int] = []
        self.team_ids: list[int] = []
        self.resources_by_category: dict[str, list[tuple[int, str]]] = {}
        self.meetings: list[tuple[int, str]] = []  # (resource id, model)
        self.plans: list[_ClientPlan] = []
        # Per coach: sorted first-intake day and client id, for supervision notes.
        self.caseload: dict[int, list[tuple[int, int]]] = {}

    # --- plumbing ---

    def day(self, offset: int) -> date:
        """The date ``offset`` days after the start of the history (may fall outside it)."""
        if 0 <= offset < len(self.days):
            return self.days[offset]
        return self.days[0] + timedelta(days=offset)

    def stamp(self, offset: int) -> datetime:
        """A timestamp on day ``offset``, never later than yesterday evening."""
        offset = min(offset, self.t - 1)
        if offset >= 0:
            return self.stamps[offset]
        d = self.day(offset)
        return datetime(d.year, d.month, d.day, 22, tzinfo=UTC)

    def pick(self, pool: Sequence[Any]) -> Any:
        return pool[int(self.rnd() * len(pool))]

    def start_ids(self, *models: Any) -> None:
        """Ids continue after any rows already there (an admin made before the demo, say)."""
        for model in models:
            table = model.__table__
            self.counts[table.name] = 0
            if "id" in table.c:
                current = db.session.scalar(select(func.max(table.c.id))) or 0
                self.next_ids[table.name] = current + 1

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def write(self, target: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        name = target.name if isinstance(target, Table) else target.__tablename__
        # render_nulls: without it the ORM leaves a row's None columns out of its INSERT, rows
        # with different None columns stop sharing one statement, and executemany turns into
        # one execute per row (three times slower at the medium scale).
        statement = insert(target).execution_options(render_nulls=True)
        for start in range(0, len(rows), CHUNK_ROWS):
            db.session.execute(statement, rows[start : start + CHUNK_ROWS])
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def reset_sequences(self) -> None:
        """PostgreSQL hands out ids from sequences that explicit ids did not advance."""
        if not self.is_postgres:
            return
        for table in self.next_ids:  # names from the metadata, never from input
            db.session.execute(text(RESET_SEQUENCE.format(table=table)))

    # --- names ---

    def person_name(self) -> tuple[str, str]:
        if self.rnd() < 0.05:
            return self.pick(OTHER_SCRIPT_NAMES)
        return self.pick(FIRST_NAMES), self.pick(LAST_NAMES)

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
            slug = _NOT_SLUG.sub("", name.lower()).replace(" ", "-")
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
            episodes: list[_Episode] = []
            never_engaged = False
            if status == "reenrolled":
                intake = int(rnd() * (t - 200))
                discharge = intake + 30 + int(rnd() * 120)
                second = min(discharge + 20 + int(rnd() * 100), t - 3)
                episodes.append(_Episode(intake, discharge, None, discharge))
                episodes.append(_Episode(second, None, None, yesterday))
                status = ClientStatus.ACTIVE.value
            elif status == ClientStatus.DISCHARGED:
                intake = int(rnd() * (t - 45))
                if rnd() < 0.55:
                    # Never reached after the intake: closed as lost to contact after one to
                    # three months of outreach.
                    never_engaged = True
                    discharge = min(intake + 30 + int(rnd() * 60), yesterday)
                    episode = _Episode(intake, discharge, DischargeReason.DISENGAGED.value, intake)
                else:
                    discharge = min(intake + 30 + int(rnd() * rnd() * 420), yesterday)
                    episode = _Episode(intake, discharge, None, discharge)
                episodes.append(episode)
            elif status == ClientStatus.INACTIVE:
                # Drifted away and still open: no contact for 30 days to over a year.
                intake = int(rnd() * (t - 45))
                never_engaged = rnd() < 0.6
                if never_engaged:
                    last = intake
                else:
                    last = min(max(intake + 14, t - 35 - int(rnd() * 420)), t - 35)
                episodes.append(_Episode(intake, None, None, max(intake, last)))
            else:
                intake = int(rnd() * (t - 2))
                last = yesterday
                if coach != 0 and intake >= t - 21 and rnd() < 0.4:
                    never_engaged = True  # a new intake not reached yet
                    last = intake
                elif rnd() < 0.1:  # gone quiet: no contact for 15 to 45 days
                    last = max(intake, t - 15 - int(rnd() * 30))
                episodes.append(_Episode(intake, None, None, last))
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
            plan = _ClientPlan(
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

    def profile_rows(self, plan: _ClientPlan, rows: dict[Any, list[dict[str, Any]]]) -> None:
        """The client's demographics and housing and employment history (its first episode);
        coachapp/profiles/demo.py decides them."""
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

    def client_rows(self, plan: _ClientPlan, rows: dict[Any, list[dict[str, Any]]]) -> date:
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
        local = ".".join(_NOT_SLUG.sub("", key).split()) or "client"
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
                rows[ConsentRecord].append(
                    {
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
                )
        return dob

    def goal_rows(
        self, client_id: int, coach_id: int, episode: _Episode, goals: list[dict[str, Any]]
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
        plan: _ClientPlan,
        client_id: int,
        coach_id: int,
        episode: _Episode,
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
        links = rows[session_goals]
        session_id = self.next_ids["sessions"]
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
            sessions.append(
                {
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
            )
            session_id += 1
        self.next_ids["sessions"] = session_id

    def appointment_rows(
        self,
        plan: _ClientPlan,
        client_id: int,
        coach_id: int,
        episode: _Episode,
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

    def referral_rows(
        self,
        plan: _ClientPlan,
        client_id: int,
        coach_id: int,
        episode: _Episode,
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
        self, plan: _ClientPlan, client_id: int, coach_id: int, assessments: list[dict[str, Any]]
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
        plan: _ClientPlan,
        client_id: int,
        coach_id: int,
        episode: _Episode,
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

    def first_client_id(self) -> int:
        return self.next_ids["clients"] - len(self.plans)


def build_demo(scale: str, seed: int = 1, *, today: date | None = None) -> DemoSummary:
    """Load the synthetic demo program at ``scale`` into an empty database and commit.

    Needs an app context. Raises ``DemoError`` for an unknown scale or when a program exists
    already (the demo is for a fresh database). The same ``seed`` and ``today`` give exactly
    the same rows; every date is relative to ``today`` (default: the current date).
    """
    spec = SCALES.get(scale)
    if spec is None:
        raise DemoError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    if db.session.scalar(select(Program.id).limit(1)) is not None:
        raise DemoError("the database has a program already: the demo loads into an empty one")
    emails = [email for _role, email in DEMO_USERS]
    if db.session.scalar(select(User.id).where(func.lower(User.email).in_(emails)).limit(1)):
        raise DemoError("a demo user exists already")

    started = time.perf_counter()
    builder = _Builder(spec, seed, today or date.today())
    builder.start_ids(
        Program,
        Team,
        User,
        TrainingRecord,
        Organization,
        Resource,
        Client,
        Enrollment,
        Goal,
        CoachingSession,
        Appointment,
        Referral,
        ReferralStatusChange,
        Assessment,
        MutualAidAttendance,
        ConsentRecord,
        FollowUpInterview,
        SupervisionNote,
        CoveringAssignment,
        ClientProfile,
        ClientStatusRecord,
        ClientAssignment,
    )
    for table in (session_goals, supervision_note_clients):
        builder.counts[table.name] = 0
    builder.counts[SupervisionNoteCoach.__tablename__] = 0
    try:
        builder.build_staff(hash_password(DEMO_PASSWORD))
        builder.build_directory()
        builder.plan_clients()
        builder.build_clients()
        builder.build_supervision()
        builder.build_cover()
        # Sign-off comments open their sessions' review threads (the last 30 days unread).
        from coachapp.team.services import threads_from_sign_off_comments

        threads_from_sign_off_comments(
            datetime.combine(builder.today - timedelta(days=30), datetime.min.time(), timezone.utc)
        )
        builder.reset_sequences()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return DemoSummary(counts=builder.counts, seconds=time.perf_counter() - started)
