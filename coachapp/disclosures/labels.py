"""How a disclosure's kind reads, on the accounting and in the client's copy."""

from __future__ import annotations

from coachapp.models.enums import DisclosureKind

KIND_WORDS = {
    DisclosureKind.CONSENT_SUMMARY.value: "Summary under the client's consent",
    DisclosureKind.EXPORT.value: "Export with the client's identity",
    DisclosureKind.BREAK_GLASS.value: "Record opened in an emergency (break-the-glass)",
    DisclosureKind.PATIENT_COPY.value: "Copy of the record given to the client",
}
