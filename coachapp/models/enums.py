"""The enumerations of product.md, with their exact lower-case values."""

from enum import StrEnum


class Role(StrEnum):
    COACH = "coach"
    SUPERVISOR = "supervisor"
    PROGRAM_MANAGER = "program_manager"
    ADMIN = "admin"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DISCHARGED = "discharged"


class DischargeReason(StrEnum):
    COMPLETED = "completed"
    DISENGAGED = "disengaged"
    MOVED = "moved"
    INCARCERATED = "incarcerated"
    DECEASED = "deceased"
    TRANSFERRED = "transferred"
    OTHER = "other"


class GoalDomain(StrEnum):
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    PHYSICAL_HEALTH = "physical_health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    FAMILY_SOCIAL = "family_social"
    LEGAL = "legal"
    FINANCIAL = "financial"
    TRANSPORTATION = "transportation"
    OTHER = "other"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    DISCONTINUED = "discontinued"


class Modality(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    TEXT = "text"


class SessionKind(StrEnum):
    COACHING = "coaching"
    ACCOMPANIMENT = "accompaniment"
    CRISIS_SUPPORT = "crisis_support"
    OUTREACH = "outreach"
    GROUP = "group"
    OTHER = "other"


class SessionOutcome(StrEnum):
    COMPLETED = "completed"
    ATTEMPTED = "attempted"


class AppointmentKind(StrEnum):
    MEDICAL = "medical"
    MENTAL_HEALTH = "mental_health"
    TREATMENT = "treatment"
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    LEGAL_COURT = "legal_court"
    BENEFITS = "benefits"
    OTHER = "other"


class AppointmentOutcome(StrEnum):
    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


class ResourceCategory(StrEnum):
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    HEALTHCARE = "healthcare"
    MENTAL_HEALTH = "mental_health"
    TREATMENT = "treatment"
    RECOVERY_SUPPORT = "recovery_support"
    LEGAL = "legal"
    BENEFITS = "benefits"
    FOOD = "food"
    TRANSPORTATION = "transportation"
    EDUCATION = "education"
    OTHER = "other"


class ReferralStatus(StrEnum):
    REFERRED = "referred"
    CONNECTED = "connected"
    DECLINED = "declined"
    NOT_CONNECTED = "not_connected"


class MeetingModel(StrEnum):
    AA = "aa"
    NA = "na"
    SMART_RECOVERY = "smart_recovery"
    LIFERING = "lifering"
    DUAL_RECOVERY = "dual_recovery"
    FAMILY = "family"
    OTHER = "other"


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class SupportPerson(StrEnum):
    SPONSOR = "sponsor"
    MENTOR = "mentor"


class SupervisionFormat(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class TrainingDomain(StrEnum):
    ADVOCACY = "advocacy"
    MENTORING_EDUCATION = "mentoring_education"
    RECOVERY_WELLNESS = "recovery_wellness"
    ETHICS = "ethics"


class AuditAction(StrEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    RESTORE = "restore"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    BREAK_GLASS = "break_glass"
    ACCESS_DENIED = "access_denied"
