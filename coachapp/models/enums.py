"""The enumerations of product.md, with their exact lower-case values."""

from enum import StrEnum


class Role(StrEnum):
    COACH = "coach"
    SUPERVISOR = "supervisor"
    PROGRAM_MANAGER = "program_manager"
    BILLING = "billing"  # the billing specialist: billing fields of their program, no notes
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


class ConsentType(StrEnum):
    SPECIFIC = "specific"  # one named recipient, one purpose (42 CFR 2.31)
    TPO = "tpo"  # treatment, payment and health care operations (42 CFR 2.33(b), 2024 rule)


class ConsentCategory(StrEnum):
    """What a consent lets the program disclose: every summary, export or API disclosure made
    under a consent carries these and nothing else."""

    ATTENDANCE = "attendance"  # dates of completed contacts
    ENROLLMENT = "enrollment"  # episodes: intake, discharge and its reason
    GOALS = "goals"
    APPOINTMENTS = "appointments"
    REFERRALS = "referrals"
    ASSESSMENTS = "assessments"  # BARC-10 scores
    NOTES = "notes"  # session notes


class DisclosureKind(StrEnum):
    CONSENT_SUMMARY = "consent_summary"  # a printed or downloaded summary under a consent
    EXPORT = "export"  # an export that carried the client's identity
    BREAK_GLASS = "break_glass"  # the record shown to an admin through break-the-glass
    PATIENT_COPY = "patient_copy"  # the client's own copy of their record


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


# --- The client profile funders ask for (all optional; "declined" = the client chose not to
# answer, empty = not asked yet). Values follow the HUD HMIS FY2024 data standards' wording where
# HMIS has the field (gender, race and ethnicity, veteran status, living situation).


class GenderIdentity(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    TRANSGENDER = "transgender"
    NON_BINARY = "non_binary"
    CULTURALLY_SPECIFIC = "culturally_specific"
    DIFFERENT_IDENTITY = "different_identity"
    QUESTIONING = "questioning"
    DECLINED = "declined"


class RaceEthnicity(StrEnum):
    AMERICAN_INDIAN_ALASKA_NATIVE = "american_indian_alaska_native"
    ASIAN = "asian"
    BLACK = "black"
    HISPANIC_LATINO = "hispanic_latino"
    MIDDLE_EASTERN_NORTH_AFRICAN = "middle_eastern_north_african"
    NATIVE_HAWAIIAN_PACIFIC_ISLANDER = "native_hawaiian_pacific_islander"
    WHITE = "white"
    MULTIPLE = "multiple"
    DECLINED = "declined"


class VeteranStatus(StrEnum):
    YES = "yes"
    NO = "no"
    DECLINED = "declined"


class PrimarySubstance(StrEnum):
    ALCOHOL = "alcohol"
    OPIOIDS = "opioids"
    METHAMPHETAMINE = "methamphetamine"
    COCAINE = "cocaine"
    CANNABIS = "cannabis"
    SEDATIVES = "sedatives"
    OTHER = "other"
    DECLINED = "declined"


class Insurance(StrEnum):
    MEDICAID = "medicaid"
    MEDICARE = "medicare"
    PRIVATE = "private"
    VA_TRICARE = "va_tricare"
    UNINSURED = "uninsured"
    OTHER = "other"
    DECLINED = "declined"


class ReferralSource(StrEnum):
    SELF = "self"
    FAMILY_FRIEND = "family_friend"
    TREATMENT_PROVIDER = "treatment_provider"
    HOSPITAL_EMERGENCY = "hospital_emergency"
    CRIMINAL_JUSTICE = "criminal_justice"
    COMMUNITY_ORGANIZATION = "community_organization"
    OTHER = "other"
    DECLINED = "declined"


class StatusKind(StrEnum):
    """The two statuses kept as a dated history (``ClientStatusRecord``)."""

    HOUSING = "housing"
    EMPLOYMENT = "employment"


class LivingSituation(StrEnum):
    """HUD HMIS living situations (FY2024 data standards, 3.917 / R15), grouped by
    ``LIVING_SITUATION_GROUP``; the HMIS response code is in ``HMIS_CODE``."""

    PLACE_NOT_MEANT_FOR_HABITATION = "place_not_meant_for_habitation"
    EMERGENCY_SHELTER = "emergency_shelter"
    SAFE_HAVEN = "safe_haven"
    FOSTER_CARE = "foster_care"
    HOSPITAL = "hospital"
    JAIL_PRISON = "jail_prison"
    LONG_TERM_CARE = "long_term_care"
    PSYCHIATRIC_FACILITY = "psychiatric_facility"
    SUBSTANCE_USE_TREATMENT = "substance_use_treatment"
    TRANSITIONAL_HOUSING = "transitional_housing"
    RESIDENTIAL_PROJECT = "residential_project"
    HOTEL_MOTEL_NO_VOUCHER = "hotel_motel_no_voucher"
    HOST_HOME = "host_home"
    FAMILY_TEMPORARY = "family_temporary"
    FRIENDS_TEMPORARY = "friends_temporary"
    FAMILY_PERMANENT = "family_permanent"
    FRIENDS_PERMANENT = "friends_permanent"
    RENTAL_WITH_SUBSIDY = "rental_with_subsidy"
    RENTAL_NO_SUBSIDY = "rental_no_subsidy"
    OWNED_WITH_SUBSIDY = "owned_with_subsidy"
    OWNED_NO_SUBSIDY = "owned_no_subsidy"
    OTHER = "other"
    DECLINED = "declined"


class LivingSituationGroup(StrEnum):
    HOMELESS = "homeless"
    INSTITUTIONAL = "institutional"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    OTHER = "other"


_LS, _LG = LivingSituation, LivingSituationGroup
LIVING_SITUATION_GROUP: dict[LivingSituation, LivingSituationGroup] = {
    _LS.PLACE_NOT_MEANT_FOR_HABITATION: _LG.HOMELESS,
    _LS.EMERGENCY_SHELTER: _LG.HOMELESS,
    _LS.SAFE_HAVEN: _LG.HOMELESS,
    _LS.FOSTER_CARE: _LG.INSTITUTIONAL,
    _LS.HOSPITAL: _LG.INSTITUTIONAL,
    _LS.JAIL_PRISON: _LG.INSTITUTIONAL,
    _LS.LONG_TERM_CARE: _LG.INSTITUTIONAL,
    _LS.PSYCHIATRIC_FACILITY: _LG.INSTITUTIONAL,
    _LS.SUBSTANCE_USE_TREATMENT: _LG.INSTITUTIONAL,
    _LS.TRANSITIONAL_HOUSING: _LG.TEMPORARY,
    _LS.RESIDENTIAL_PROJECT: _LG.TEMPORARY,
    _LS.HOTEL_MOTEL_NO_VOUCHER: _LG.TEMPORARY,
    _LS.HOST_HOME: _LG.TEMPORARY,
    _LS.FAMILY_TEMPORARY: _LG.TEMPORARY,
    _LS.FRIENDS_TEMPORARY: _LG.TEMPORARY,
    _LS.FAMILY_PERMANENT: _LG.PERMANENT,
    _LS.FRIENDS_PERMANENT: _LG.PERMANENT,
    _LS.RENTAL_WITH_SUBSIDY: _LG.PERMANENT,
    _LS.RENTAL_NO_SUBSIDY: _LG.PERMANENT,
    _LS.OWNED_WITH_SUBSIDY: _LG.PERMANENT,
    _LS.OWNED_NO_SUBSIDY: _LG.PERMANENT,
    _LS.OTHER: _LG.OTHER,
    _LS.DECLINED: _LG.OTHER,
}

HMIS_CODE: dict[LivingSituation, int] = {
    _LS.PLACE_NOT_MEANT_FOR_HABITATION: 116,
    _LS.EMERGENCY_SHELTER: 101,
    _LS.SAFE_HAVEN: 118,
    _LS.FOSTER_CARE: 215,
    _LS.HOSPITAL: 206,
    _LS.JAIL_PRISON: 207,
    _LS.LONG_TERM_CARE: 225,
    _LS.PSYCHIATRIC_FACILITY: 204,
    _LS.SUBSTANCE_USE_TREATMENT: 205,
    _LS.TRANSITIONAL_HOUSING: 302,
    _LS.RESIDENTIAL_PROJECT: 329,
    _LS.HOTEL_MOTEL_NO_VOUCHER: 314,
    _LS.HOST_HOME: 332,
    _LS.FAMILY_TEMPORARY: 312,
    _LS.FRIENDS_TEMPORARY: 313,
    _LS.FAMILY_PERMANENT: 422,
    _LS.FRIENDS_PERMANENT: 423,
    _LS.RENTAL_WITH_SUBSIDY: 435,
    _LS.RENTAL_NO_SUBSIDY: 410,
    _LS.OWNED_WITH_SUBSIDY: 421,
    _LS.OWNED_NO_SUBSIDY: 411,
    _LS.OTHER: 17,
    _LS.DECLINED: 9,
}


class EmploymentStatus(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    UNEMPLOYED_LOOKING = "unemployed_looking"
    UNEMPLOYED_NOT_LOOKING = "unemployed_not_looking"
    NOT_IN_LABOR_FORCE = "not_in_labor_force"  # student, retired, unable to work
    DECLINED = "declined"


EMPLOYED = (EmploymentStatus.FULL_TIME, EmploymentStatus.PART_TIME)


class InterviewKind(StrEnum):
    """SAMHSA SUPRT follow-up interviews of an enrollment episode (coachapp/followups)."""

    BASELINE = "baseline"
    SIX_MONTH = "six_month"
    CLOSEOUT = "closeout"


class PlanStatus(StrEnum):
    DRAFT = "draft"  # being written, or signed by one of the two
    SIGNED = "signed"  # signed by client and coach: frozen, the current plan of its episode
    SUPERSEDED = "superseded"  # signed, then replaced by a later signed version


class SignatureMethod(StrEnum):
    DRAWN = "drawn"  # drawn on the screen (a PNG kept encrypted)
    TYPED = "typed"  # the signer's typed name, with the attestation
