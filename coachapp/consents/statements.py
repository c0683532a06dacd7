"""The statements a TPO consent must carry (42 CFR 2.31(a)(4)(iii), 2.33(b) as amended in
2024), kept as versioned wording: a consent stores which version the client was given
(``ConsentRecord.statements_version``), so a later change of wording never rewrites what a
client signed. Add a new version beside the old ones; never edit one that was given."""

from __future__ import annotations

from dataclasses import dataclass

# The notice of 42 CFR 2.32 that goes with every disclosure made with the client's consent.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
    "that describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, "
    "against the patient, unless authorized by the consent of the patient, except as provided "
    "at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
    "In addition, the Federal rules prohibit you from making any further disclosure of this "
    "record unless authorized by the written consent of the person to whom it pertains, or as "
    "otherwise permitted by 42 CFR part 2. A general authorization for the release of medical "
    "or other information is NOT sufficient for this purpose (see 42 CFR 2.31)."
)


@dataclass(frozen=True)
class Statements:
    version: str
    revocation: str
    conditioning: str
    redisclosure: str
    expiration: str

    def items(self) -> list[tuple[str, str]]:
        return [
            ("Your right to revoke", self.revocation),
            ("Signing is your choice", self.conditioning),
            ("Redisclosure", self.redisclosure),
            ("When this consent ends", self.expiration),
        ]


VERSIONS: dict[str, Statements] = {
    "2024-02": Statements(
        version="2024-02",
        revocation=(
            "You may revoke this consent at any time, in writing, except for actions already "
            "taken in reliance on it. To revoke, give or send a signed note saying so to your "
            "peer recovery coach or the program office; disclosures made before the revocation "
            "are not undone."
        ),
        conditioning=(
            "Signing is your choice. The program will not condition your treatment, recovery "
            "support services, payment, enrollment or eligibility for benefits on whether you "
            "sign this consent. If you refuse to sign, the program will not share your records "
            "for treatment, payment or health care operations under this consent; you keep "
            "receiving services."
        ),
        redisclosure=(
            "Once disclosed under this consent, your records may be redisclosed by a HIPAA "
            "covered entity or business associate as the HIPAA regulations permit, and may then "
            "no longer be protected by 42 CFR part 2. Each disclosure carries the notice of "
            "42 CFR 2.32 to its recipient."
        ),
        expiration=(
            "This consent ends on the expiration date written on it or, if none is written, "
            "when you revoke it."
        ),
    ),
}

CURRENT = "2024-02"

TPO_RECIPIENT_SUGGESTION = "my treating providers, health plans, and the program's operations staff"


def current() -> Statements:
    return VERSIONS[CURRENT]


def get(version: str | None) -> Statements | None:
    return VERSIONS.get(version) if version else None
