"""A synthetic demo program: every record type, deterministic for a seed, at three scales.

``build_demo(scale, seed)`` fills an empty database with one program (its teams, supervisors,
coaches, a program manager and an admin), a resource directory with mutual-aid meetings, and
clients with about 18 months of history: enrollment episodes, goals, sessions, appointments,
referrals, BARC-10 check-ins, mutual-aid groups, consents, supervision notes, training hours and
covering assignments. Every date is relative to ``today``, so the demo always looks current.

Its figures are a real program's, not a brochure's: some clients are never reached after intake,
some drift away (no completed contact for weeks or months, still open, or discharged as lost to
contact after outreach attempts), appointments are missed, and referrals are declined or fail
(no show at intake, not eligible). The small demo's default report shows an engagement rate of
about 70–85%, a no-show rate of about 15–25% and a referral linkage of about 40–50%. Supervisors
sign off most notes within a fortnight, but a few slip through, so the demo supervisor's team has
a backlog of some 300 notes waiting, reaching back over a year.

Everything is made up: names come from lists of first and last names, notes from a few
templates, phone numbers from the fictional 555-01xx range, e-mail from example domains.

The same seed and the same ``today`` give exactly the same rows: one ``random.Random(seed)``
drives everything, in a fixed order. Rows go in with ``INSERT ... executemany`` and ids assigned
here, one batch of clients at a time, so the large scale (about a million sessions) never holds
more than a batch in memory. The whole build is one transaction.

Measured on a 2-core machine, file SQLite: small 0.5 s; medium (~180,000 rows) 6 s, 115 MB
peak; large (~1.75 million rows) 90 s, 125 MB peak, of which 8 s is generating the rows and the
rest SQLAlchemy and SQLite inserting them. PostgreSQL takes about four times as long.
"""

from coachapp.demo.build import build_demo
from coachapp.demo.plan import (
    DEMO_PASSWORD,
    DEMO_PROGRAM_NAME,
    DEMO_TIMEZONE,
    DEMO_USERS,
    SCALES,
    DemoError,
    DemoScale,
    DemoSummary,
)
from coachapp.demo.vocabulary import SHOWCASE_NAMES

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PROGRAM_NAME",
    "DEMO_TIMEZONE",
    "DEMO_USERS",
    "SCALES",
    "SHOWCASE_NAMES",
    "DemoError",
    "DemoScale",
    "DemoSummary",
    "build_demo",
]
