"""All models, one module per aggregate; import from here."""

from coachapp.models.appointments import Appointment, CalendarFeedToken
from coachapp.models.assessments import Assessment
from coachapp.models.assignments import BreakGlassAccess, ClientAssignment, CoveringAssignment
from coachapp.models.audit import AuditArchive, AuditEvent
from coachapp.models.base import Base
from coachapp.models.billing import BillingSetting
from coachapp.models.clients import (
    Client,
    ClientMerge,
    ConsentRecord,
    Disclosure,
    DuplicateDismissal,
    Enrollment,
    MutualAidAttendance,
)
from coachapp.models.followups import FollowUpInterview
from coachapp.models.goals import Goal
from coachapp.models.idempotency import IdempotencyKey
from coachapp.models.login import LoginFailure
from coachapp.models.plans import RecoveryPlan, RecoveryPlanStep, recovery_plan_goals
from coachapp.models.profiles import ClientProfile, ClientStatusRecord
from coachapp.models.programs import Program, Team
from coachapp.models.referrals import Referral, ReferralStatusChange
from coachapp.models.reports import ReportChange, StoredReport, StoredReportPage
from coachapp.models.resources import Organization, Resource, ResourceSource, TaxonomyMapping
from coachapp.models.rollups import (
    ReportClientMonth,
    ReportCoachMonth,
    ReportEpisode,
    ReportRollupStatus,
)
from coachapp.models.sessions import (
    CoachingSession,
    ReviewComment,
    SessionAddendum,
    session_goals,
)
from coachapp.models.supervision import (
    SupervisionNote,
    SupervisionNoteCoach,
    supervision_note_clients,
)
from coachapp.models.users import ApiToken, TrainingRecord, User

__all__ = [
    "ApiToken",
    "Appointment",
    "Assessment",
    "AuditArchive",
    "AuditEvent",
    "Base",
    "BillingSetting",
    "BreakGlassAccess",
    "CalendarFeedToken",
    "ClientAssignment",
    "Client",
    "ClientMerge",
    "DuplicateDismissal",
    "ClientProfile",
    "ClientStatusRecord",
    "CoachingSession",
    "ConsentRecord",
    "Disclosure",
    "CoveringAssignment",
    "Enrollment",
    "FollowUpInterview",
    "Goal",
    "IdempotencyKey",
    "LoginFailure",
    "MutualAidAttendance",
    "Organization",
    "Program",
    "Referral",
    "RecoveryPlan",
    "RecoveryPlanStep",
    "ReferralStatusChange",
    "ReportChange",
    "ReportClientMonth",
    "ReportCoachMonth",
    "ReportEpisode",
    "ReportRollupStatus",
    "ReviewComment",
    "Resource",
    "ResourceSource",
    "SessionAddendum",
    "StoredReport",
    "StoredReportPage",
    "SupervisionNote",
    "SupervisionNoteCoach",
    "TaxonomyMapping",
    "Team",
    "TrainingRecord",
    "User",
    "recovery_plan_goals",
    "session_goals",
    "supervision_note_clients",
]
