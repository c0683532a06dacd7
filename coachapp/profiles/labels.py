"""How the client profile's values read on a page: each enumeration value's label (HUD HMIS
FY2024 wording where HMIS has the field), the housing groups' names, the fields' names.

"Declined to answer" is the last value of every list; an empty value reads "Not asked yet"."""

from __future__ import annotations

from coachapp.models.enums import (
    LIVING_SITUATION_GROUP,
    EmploymentStatus,
    GenderIdentity,
    Insurance,
    LivingSituation,
    LivingSituationGroup,
    PrimarySubstance,
    RaceEthnicity,
    ReferralSource,
    StatusKind,
    VeteranStatus,
)

NOT_ASKED = "Not asked yet"
DECLINED = "Declined to answer"

FIELD_LABELS: dict[str, str] = {
    "gender_identity": "Gender identity",
    "race_ethnicity": "Race and ethnicity",
    "veteran_status": "Veteran status",
    "primary_substance": "Primary substance",
    "insurance": "Health insurance",
    "referral_source": "Referral source",
}

KIND_LABELS: dict[str, str] = {
    StatusKind.HOUSING: "Housing",
    StatusKind.EMPLOYMENT: "Employment",
}

VALUE_LABELS: dict[type, dict[str, str]] = {
    GenderIdentity: {
        GenderIdentity.WOMAN: "Woman (girl, if child)",
        GenderIdentity.MAN: "Man (boy, if child)",
        GenderIdentity.TRANSGENDER: "Transgender",
        GenderIdentity.NON_BINARY: "Non-binary",
        GenderIdentity.CULTURALLY_SPECIFIC: "Culturally specific identity (e.g. Two-Spirit)",
        GenderIdentity.DIFFERENT_IDENTITY: "Different identity",
        GenderIdentity.QUESTIONING: "Questioning",
    },
    RaceEthnicity: {
        RaceEthnicity.AMERICAN_INDIAN_ALASKA_NATIVE: "American Indian, Alaska Native or Indigenous",
        RaceEthnicity.ASIAN: "Asian or Asian American",
        RaceEthnicity.BLACK: "Black, African American or African",
        RaceEthnicity.HISPANIC_LATINO: "Hispanic/Latina/e/o",
        RaceEthnicity.MIDDLE_EASTERN_NORTH_AFRICAN: "Middle Eastern or North African",
        RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC_ISLANDER: "Native Hawaiian or Pacific Islander",
        RaceEthnicity.WHITE: "White",
        RaceEthnicity.MULTIPLE: "More than one race or ethnicity",
    },
    VeteranStatus: {VeteranStatus.YES: "Yes, a veteran", VeteranStatus.NO: "No"},
    PrimarySubstance: {
        PrimarySubstance.ALCOHOL: "Alcohol",
        PrimarySubstance.OPIOIDS: "Opioids (heroin, fentanyl, pain pills)",
        PrimarySubstance.METHAMPHETAMINE: "Methamphetamine",
        PrimarySubstance.COCAINE: "Cocaine or crack",
        PrimarySubstance.CANNABIS: "Cannabis",
        PrimarySubstance.SEDATIVES: "Sedatives (benzodiazepines and the like)",
        PrimarySubstance.OTHER: "Other",
    },
    Insurance: {
        Insurance.MEDICAID: "Medicaid",
        Insurance.MEDICARE: "Medicare",
        Insurance.PRIVATE: "Private insurance",
        Insurance.VA_TRICARE: "VA or TRICARE",
        Insurance.UNINSURED: "Uninsured",
        Insurance.OTHER: "Other",
    },
    ReferralSource: {
        ReferralSource.SELF: "Self",
        ReferralSource.FAMILY_FRIEND: "Family or friend",
        ReferralSource.TREATMENT_PROVIDER: "Treatment provider",
        ReferralSource.HOSPITAL_EMERGENCY: "Hospital or emergency department",
        ReferralSource.CRIMINAL_JUSTICE: "Criminal justice (court, probation, police)",
        ReferralSource.COMMUNITY_ORGANIZATION: "Community organization",
        ReferralSource.OTHER: "Other",
    },
    LivingSituation: {
        LivingSituation.PLACE_NOT_MEANT_FOR_HABITATION: "Place not meant for habitation "
        "(street, vehicle, abandoned building)",
        LivingSituation.EMERGENCY_SHELTER: "Emergency shelter (or a hotel or motel paid with a "
        "shelter voucher)",
        LivingSituation.SAFE_HAVEN: "Safe Haven",
        LivingSituation.FOSTER_CARE: "Foster care home or foster care group home",
        LivingSituation.HOSPITAL: "Hospital or other residential non-psychiatric medical facility",
        LivingSituation.JAIL_PRISON: "Jail, prison or juvenile detention facility",
        LivingSituation.LONG_TERM_CARE: "Long-term care facility or nursing home",
        LivingSituation.PSYCHIATRIC_FACILITY: "Psychiatric hospital or other psychiatric facility",
        LivingSituation.SUBSTANCE_USE_TREATMENT: "Substance abuse treatment facility or detox "
        "center",
        LivingSituation.TRANSITIONAL_HOUSING: "Transitional housing for homeless persons",
        LivingSituation.RESIDENTIAL_PROJECT: "Residential project or halfway house with no "
        "homeless criteria",
        LivingSituation.HOTEL_MOTEL_NO_VOUCHER: "Hotel or motel paid for without an emergency "
        "shelter voucher",
        LivingSituation.HOST_HOME: "Host home (non-crisis)",
        LivingSituation.FAMILY_TEMPORARY: "Staying or living with family, temporary tenure",
        LivingSituation.FRIENDS_TEMPORARY: "Staying or living with friends, temporary tenure",
        LivingSituation.FAMILY_PERMANENT: "Staying or living with family, permanent tenure",
        LivingSituation.FRIENDS_PERMANENT: "Staying or living with friends, permanent tenure",
        LivingSituation.RENTAL_WITH_SUBSIDY: "Rental by client, with ongoing housing subsidy",
        LivingSituation.RENTAL_NO_SUBSIDY: "Rental by client, no ongoing housing subsidy",
        LivingSituation.OWNED_WITH_SUBSIDY: "Owned by client, with ongoing housing subsidy",
        LivingSituation.OWNED_NO_SUBSIDY: "Owned by client, no ongoing housing subsidy",
        LivingSituation.OTHER: "Other",
    },
    EmploymentStatus: {
        EmploymentStatus.FULL_TIME: "Employed full-time",
        EmploymentStatus.PART_TIME: "Employed part-time",
        EmploymentStatus.UNEMPLOYED_LOOKING: "Unemployed, looking for work",
        EmploymentStatus.UNEMPLOYED_NOT_LOOKING: "Unemployed, not looking for work",
        EmploymentStatus.NOT_IN_LABOR_FORCE: "Not in the labor force (student, retired, "
        "unable to work)",
    },
}

GROUP_LABELS: dict[str, str] = {
    LivingSituationGroup.HOMELESS: "Homeless situations",
    LivingSituationGroup.INSTITUTIONAL: "Institutional situations",
    LivingSituationGroup.TEMPORARY: "Temporary housing situations",
    LivingSituationGroup.PERMANENT: "Permanent housing situations",
    LivingSituationGroup.OTHER: "Other",
}


def value_label(enum_cls: type, value: str | None) -> str:
    """The label of one stored value: "Not asked yet" when empty."""
    if value in (None, ""):
        return NOT_ASKED
    if value == "declined":
        return DECLINED
    return VALUE_LABELS.get(enum_cls, {}).get(value, str(value).replace("_", " ").capitalize())


def choices(enum_cls: type) -> list[tuple[str, str]]:
    """``(value, label)`` of every value of ``enum_cls``, in its order ("declined" last)."""
    return [(m.value, value_label(enum_cls, m.value)) for m in enum_cls]


def housing_groups() -> dict[str, list[tuple[str, str]]]:
    """The living situations grouped as HMIS groups them (for a select's optgroups), "Declined
    to answer" in the last group, last."""
    grouped: dict[str, list[tuple[str, str]]] = {label: [] for label in GROUP_LABELS.values()}
    for situation in LivingSituation:
        group = GROUP_LABELS[LIVING_SITUATION_GROUP[situation]]
        grouped[group].append((situation.value, value_label(LivingSituation, situation.value)))
    return grouped
