"""CMS place-of-service codes a peer recovery session may be billed with (the two-digit codes
of the CMS Place of Service Code Set, with CMS's names). Telehealth is two codes since 2022:
02 when the client is somewhere other than their home, 10 when they are at home."""

from __future__ import annotations

PLACES_OF_SERVICE: dict[str, str] = {
    "02": "Telehealth Provided Other than in Patient's Home",
    "10": "Telehealth Provided in Patient's Home",
    "03": "School",
    "04": "Homeless Shelter",
    "09": "Prison/Correctional Facility",
    "11": "Office",
    "12": "Home",
    "13": "Assisted Living Facility",
    "14": "Group Home",
    "15": "Mobile Unit",
    "16": "Temporary Lodging",
    "18": "Place of Employment-Worksite",
    "19": "Off Campus-Outpatient Hospital",
    "20": "Urgent Care Facility",
    "21": "Inpatient Hospital",
    "22": "On Campus-Outpatient Hospital",
    "23": "Emergency Room - Hospital",
    "27": "Outreach Site/Street",
    "50": "Federally Qualified Health Center",
    "53": "Community Mental Health Center",
    "55": "Residential Substance Abuse Treatment Facility",
    "57": "Non-residential Substance Abuse Treatment Facility",
    "58": "Non-residential Opioid Treatment Facility",
    "71": "Public Health Clinic",
    "72": "Rural Health Clinic",
    "99": "Other Place of Service",
}
TELEHEALTH = frozenset({"02", "10"})


def place_label(code: str | None) -> str:
    """``"12 Home"``; an unknown or empty code as it is."""
    if not code:
        return ""
    name = PLACES_OF_SERVICE.get(code)
    return f"{code} {name}" if name else code


def place_choices(blank: str = "Choose the place of service") -> list[tuple[str, str]]:
    """The codes as a select's choices, in code order, after a blank choice."""
    return [("", blank)] + [(code, place_label(code)) for code in sorted(PLACES_OF_SERVICE)]
