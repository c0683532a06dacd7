"""Field lengths and ranges, in one home: the forms, the services, the API schemas and the
importers read them from here, so a page and the API refuse the same input.

A leaf: constants only, no imports from the app (anything may import it without a circle).
Where a column has a size, the limit is that size; the others are what a person could sensibly
type.
"""

from __future__ import annotations

from decimal import Decimal

# --- Text ---------------------------------------------------------------------------------------

MAX_TEXT = 10_000  # narrative fields: notes, descriptions, action items
MAX_LINE = 200  # one-line names: programs, teams, staff, resources, organizations
MAX_PERSON_NAME = 100  # a client's first, last or preferred name
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_URL = 300
MAX_LOCATION = 300  # where an appointment is
MAX_RESOURCE_ADDRESS = 1000
MAX_TIMEZONE = 64  # an IANA time zone name
MAX_SEARCH = 100  # characters of a search box (clients, resources)
MAX_PERIOD_NAME = 40  # a named report period, e.g. FY2026Q1
MAX_PASSWORD_INPUT = 1000  # what the API reads; the password rules (auth) refuse past 128

# --- Client records -----------------------------------------------------------------------------

MAX_NEXT_STEPS = 2000  # a session's next steps
MAX_REPLY = 2000  # a reply in a session's review thread
MAX_GOAL_DESCRIPTION = 2000
MAX_GROUP_SIZE = 100  # clients in one group session
MAX_ADDENDUM_REASON = 2000  # why a signed note is corrected (the addendum's text: MAX_TEXT)
MAX_SESSION_GOALS = 100  # goals one session may name (API)

# --- Supervision and training -------------------------------------------------------------------

# Minutes of a coaching session and of a supervision meeting.
MIN_MINUTES, MAX_MINUTES = 1, 720
MAX_TOPICS = 2000  # a supervision note's topics
MAX_NOTE_COACHES = 100  # coaches one supervision note names (API)
MAX_NOTE_CLIENTS = 500  # clients one supervision note names (API)
MIN_TRAINING_HOURS = Decimal("0.25")
MAX_TRAINING_HOURS = Decimal("200")

# --- Team: reassignment and cover ---------------------------------------------------------------

REASON_MAX = 500  # why a client changes coach
HANDOFF_MAX = 4000  # the note handed to the new coach

# --- Resource imports (HSDS, Meeting Guide) -----------------------------------------------------

MAX_EXTERNAL_ID = 100
MAX_SOURCE_NAME = 300
MAX_IMPORTED_DESCRIPTION = 20_000

# --- API paging ---------------------------------------------------------------------------------

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 200

# --- Recovery plans -----------------------------------------------------------------------------

MAX_PLAN_STEPS = 30  # action steps of one plan version
MAX_PLAN_STEP = 1000  # one action step's text
MAX_PLAN_WHO = 200  # who does a step (the column's size)
MAX_PLAN_GOALS = 100  # goals one plan version names (API)
MAX_SIGNATURE_BYTES = 200_000  # a drawn signature's PNG, decoded
MAX_SIGNATURE_NAME = 200  # a typed signature

# --- Billing (issue 22) -------------------------------------------------------------------------

CREDENTIAL_MAX = 100  # users.credential ("CPRS", "CRPS")
PAYER_MAX = 200  # a payer's name (billing settings, clients)
MEMBER_ID_MAX = 40  # a payer's member id
MAX_UNITS = 10_000  # an upper bound for unit caps
# ICD-10-CM: a letter, a digit, a letter or digit, then optionally a dot and 1-4 more (F11.20).
ICD10_PATTERN = r"^[A-Z][0-9][A-Z0-9](\.[A-Z0-9]{1,4})?$"
