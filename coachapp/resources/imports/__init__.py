"""Imports into the resource directory: Open Referral HSDS CSV exports and Meeting Guide feeds.

Both are pure functions of a path: they add and flush rows in the current session and return an
``ImportReport``; the caller commits once, so an import is one transaction (or rolls back, for a
dry run). A row that cannot be imported is refused, with its row number and why, and skipped;
every other row is imported. A problem with the input as a whole (missing file, not UTF-8, not
CSV/JSON of the expected shape) imports nothing.

Every import belongs to a ``ResourceSource`` (the feed's URL, or a name given at import, by
default the file's name). An entry's identity is (source, ``external_id``): HSDS services keep
their HSDS ``id``, meetings ``"mg:" + slug``, so two intergroups' ``big-book-study`` are two
meetings. Re-importing a source updates and adds its own entries and retires its own entries the
file no longer has (``active`` False, ``retired_on`` set; records that point at them keep them);
another source's entries are never touched.

Lenient on optional fields, strict on required ones: a bad optional value (a date, an email, a
web address, a type code, a status word) is dropped with a warning in the report and the record
imported; a record missing a required field (a name, an id or slug) or with a bad day or time is
refused.

The shared part (the report, checks of single values, sources, upserts) is ``common``; Open
Referral HSDS is read by ``hsds_files`` and imported by ``hsds``; Meeting Guide's codes are in
``meeting_types`` and its feed is imported by ``meeting_guide``.
"""

from coachapp.resources.imports.common import (
    KIND_LABELS,
    ImportReport,
    InputError,
    Refusal,
    RowError,
    source_for,
)
from coachapp.resources.imports.hsds import import_hsds
from coachapp.resources.imports.hsds_files import category_from_terms, cost_text, format_address
from coachapp.resources.imports.meeting_guide import (
    import_meetings,
    is_approximate,
    meeting_external_id,
)

__all__ = [
    "KIND_LABELS",
    "ImportReport",
    "InputError",
    "Refusal",
    "RowError",
    "category_from_terms",
    "cost_text",
    "format_address",
    "import_hsds",
    "import_meetings",
    "is_approximate",
    "meeting_external_id",
    "source_for",
]
