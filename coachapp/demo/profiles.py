"""The demo program's client profiles: demographics for most clients (some not asked yet,
about 5% declined per question) and housing and employment histories (a status at intake for
most clients, and for a share a later change: about 35% of those homeless at intake are housed
later, about 25% of the unemployed find work).

Its own ``random.Random``, seeded from the demo's seed, so these rows are as deterministic as
the rest and adding them left every other demo row as it was. Rows are plain dicts for the
demo's bulk inserts (coachapp/demo/)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from coachapp.models.enums import (
    EmploymentStatus,
    GenderIdentity,
    Insurance,
    LivingSituation,
    PrimarySubstance,
    RaceEthnicity,
    ReferralSource,
    StatusKind,
    VeteranStatus,
)

_LS, _ES = LivingSituation, EmploymentStatus


def _pool(weights: dict[str, int]) -> tuple[str, ...]:
    return tuple(value for value, weight in weights.items() for _ in range(weight))


# Weights of the answered values (declined and not asked are drawn apart).
DEMOGRAPHIC_POOLS: dict[str, tuple[str, ...]] = {
    "gender_identity": _pool(
        {
            GenderIdentity.MAN: 52,
            GenderIdentity.WOMAN: 41,
            GenderIdentity.TRANSGENDER: 2,
            GenderIdentity.NON_BINARY: 3,
            GenderIdentity.CULTURALLY_SPECIFIC: 1,
            GenderIdentity.QUESTIONING: 1,
        }
    ),
    "race_ethnicity": _pool(
        {
            RaceEthnicity.WHITE: 52,
            RaceEthnicity.BLACK: 20,
            RaceEthnicity.HISPANIC_LATINO: 15,
            RaceEthnicity.AMERICAN_INDIAN_ALASKA_NATIVE: 3,
            RaceEthnicity.ASIAN: 2,
            RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC_ISLANDER: 1,
            RaceEthnicity.MIDDLE_EASTERN_NORTH_AFRICAN: 1,
            RaceEthnicity.MULTIPLE: 6,
        }
    ),
    "veteran_status": _pool({VeteranStatus.NO: 90, VeteranStatus.YES: 10}),
    "primary_substance": _pool(
        {
            PrimarySubstance.OPIOIDS: 34,
            PrimarySubstance.ALCOHOL: 30,
            PrimarySubstance.METHAMPHETAMINE: 18,
            PrimarySubstance.COCAINE: 8,
            PrimarySubstance.CANNABIS: 6,
            PrimarySubstance.SEDATIVES: 2,
            PrimarySubstance.OTHER: 2,
        }
    ),
    "insurance": _pool(
        {
            Insurance.MEDICAID: 58,
            Insurance.UNINSURED: 14,
            Insurance.PRIVATE: 12,
            Insurance.MEDICARE: 8,
            Insurance.VA_TRICARE: 4,
            Insurance.OTHER: 4,
        }
    ),
    "referral_source": _pool(
        {
            ReferralSource.TREATMENT_PROVIDER: 30,
            ReferralSource.HOSPITAL_EMERGENCY: 18,
            ReferralSource.SELF: 16,
            ReferralSource.CRIMINAL_JUSTICE: 14,
            ReferralSource.COMMUNITY_ORGANIZATION: 10,
            ReferralSource.FAMILY_FRIEND: 8,
            ReferralSource.OTHER: 4,
        }
    ),
}

HOUSING_AT_INTAKE = _pool(
    {
        _LS.PLACE_NOT_MEANT_FOR_HABITATION: 10,
        _LS.EMERGENCY_SHELTER: 15,
        _LS.SAFE_HAVEN: 2,
        _LS.JAIL_PRISON: 4,
        _LS.SUBSTANCE_USE_TREATMENT: 6,
        _LS.HOSPITAL: 2,
        _LS.TRANSITIONAL_HOUSING: 5,
        _LS.RESIDENTIAL_PROJECT: 3,
        _LS.HOTEL_MOTEL_NO_VOUCHER: 3,
        _LS.FAMILY_TEMPORARY: 8,
        _LS.FRIENDS_TEMPORARY: 6,
        _LS.FAMILY_PERMANENT: 8,
        _LS.RENTAL_NO_SUBSIDY: 14,
        _LS.RENTAL_WITH_SUBSIDY: 7,
        _LS.OWNED_NO_SUBSIDY: 3,
        _LS.OTHER: 1,
        _LS.DECLINED: 3,
    }
)
HOMELESS = {_LS.PLACE_NOT_MEANT_FOR_HABITATION, _LS.EMERGENCY_SHELTER, _LS.SAFE_HAVEN}
HOUSED_LATER = _pool(
    {
        _LS.RENTAL_WITH_SUBSIDY: 5,
        _LS.RENTAL_NO_SUBSIDY: 3,
        _LS.FAMILY_PERMANENT: 2,
        _LS.TRANSITIONAL_HOUSING: 2,
    }
)
# Other moves later on: (share of those at intake in the first set, where they go).
OTHER_MOVES: list[tuple[set[str], float, tuple[str, ...]]] = [
    (
        {_LS.JAIL_PRISON, _LS.SUBSTANCE_USE_TREATMENT, _LS.HOSPITAL},
        0.5,
        (_LS.RESIDENTIAL_PROJECT, _LS.FAMILY_TEMPORARY, _LS.EMERGENCY_SHELTER),
    ),
    (
        {_LS.FAMILY_TEMPORARY, _LS.FRIENDS_TEMPORARY, _LS.HOTEL_MOTEL_NO_VOUCHER},
        0.2,
        (_LS.RENTAL_NO_SUBSIDY, _LS.RENTAL_WITH_SUBSIDY),
    ),
    ({_LS.RENTAL_NO_SUBSIDY}, 0.06, (_LS.FAMILY_TEMPORARY, _LS.EMERGENCY_SHELTER)),
]

EMPLOYMENT_AT_INTAKE = _pool(
    {
        _ES.FULL_TIME: 14,
        _ES.PART_TIME: 15,
        _ES.UNEMPLOYED_LOOKING: 30,
        _ES.UNEMPLOYED_NOT_LOOKING: 15,
        _ES.NOT_IN_LABOR_FORCE: 21,
        _ES.DECLINED: 5,
    }
)
UNEMPLOYED = {_ES.UNEMPLOYED_LOOKING, _ES.UNEMPLOYED_NOT_LOOKING}


class ProfileRows:
    """Makes one client's profile rows at a time, with ids from ``new_id(table)``."""

    def __init__(self, seed: int, new_id: Callable[[str], int]) -> None:
        self.rng = random.Random(seed * 1_000_003 + 19)  # nosec B311
        self.rnd = self.rng.random
        self.new_id = new_id

    def pick(self, pool: Sequence[str]) -> str:
        return pool[int(self.rnd() * len(pool))]

    def profile(self, client_id: int, coach_id: int, stamp: datetime) -> dict[str, Any] | None:
        """Demographics for about 90% of clients; each question not asked yet for some, and
        declined by about 5%."""
        if self.rnd() >= 0.9:
            return None
        row: dict[str, Any] = {
            "id": self.new_id("client_profiles"),
            "client_id": client_id,
            "updated_by_id": coach_id,
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for name, pool in DEMOGRAPHIC_POOLS.items():
            r = self.rnd()
            row[name] = None if r < 0.07 else "declined" if r < 0.12 else self.pick(pool)
        return row

    def statuses(
        self,
        client_id: int,
        coach_id: int,
        intake: date,
        end: date,
        stamp: Callable[[date], datetime],
    ) -> list[dict[str, Any]]:
        """Housing and employment at intake (most clients; a few first asked within three weeks
        after it) and, for a share, one later change between two weeks after intake and
        ``end`` (the episode's last day, never after yesterday)."""
        rows: list[dict[str, Any]] = []

        def add(kind: str, status: str, on: date) -> None:
            rows.append(
                {
                    "id": self.new_id("client_status_records"),
                    "client_id": client_id,
                    "kind": kind,
                    "status": status,
                    "as_of": on,
                    "recorded_by_id": coach_id,
                    "archived_at": None,
                    "archive_reason": None,
                    "archived_by_id": None,
                    "created_at": stamp(on),
                    "updated_at": stamp(on),
                }
            )

        span = (end - intake).days
        for kind, share, pool in (
            (StatusKind.HOUSING.value, 0.88, HOUSING_AT_INTAKE),
            (StatusKind.EMPLOYMENT.value, 0.82, EMPLOYMENT_AT_INTAKE),
        ):
            if self.rnd() >= share:
                continue
            first = self.pick(pool)
            late = int(self.rnd() * 21) if self.rnd() < 0.12 else 0
            asked = intake + timedelta(days=min(late, max(span, 0)))
            add(kind, first, asked)
            later = self.later(kind, first)
            if later is not None and span - (asked - intake).days >= 15:
                start = (asked - intake).days + 14
                add(kind, later, intake + timedelta(days=start + int(self.rnd() * (span - start))))
        return rows

    def later(self, kind: str, first: str) -> str | None:
        """The status a client at ``first`` moves to later, or None (no change)."""
        r = self.rnd()
        if kind == StatusKind.EMPLOYMENT:
            if first in UNEMPLOYED and r < 0.25:
                return _ES.PART_TIME.value if self.rnd() < 0.6 else _ES.FULL_TIME.value
            return None
        if first in HOMELESS:
            return self.pick(HOUSED_LATER) if r < 0.35 else None
        for group, share, targets in OTHER_MOVES:
            if first in group:
                return self.pick(targets) if r < share else None
        return None
