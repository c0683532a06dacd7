"""The demo's words and weights: appointment, session, goal, referral, consent, supervision
and training text, and the weighted pools the builder picks from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time as dtime
from decimal import Decimal

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
