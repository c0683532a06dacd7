"""The demo's made-up names and places: people, streets, team areas, the resource directory
and the mutual-aid meetings."""

from __future__ import annotations

import re
from datetime import time as dtime

# --- Names ------------------------------------------------------------------------------------

FIRST_NAMES = (
    "James", "Maria", "Robert", "Aisha", "Michael", "Jennifer", "David", "Linda", "José", "Zoë",
    "Renée", "Jürgen", "Siobhan", "Ana", "Luis", "Kayla", "Tyrone", "Emily", "Marcus", "Keisha",
    "Daniel", "Sofia", "DeShawn", "Hannah", "Mateo", "Olivia", "Ethan", "Brianna", "Carlos",
    "Grace", "Andre", "Megan", "Jamal", "Chloé", "Björn", "Anaïs", "François", "Łukasz", "Mei",
    "Yusuf", "Fatima", "Omar", "Priya", "Arjun", "Leilani", "Kai", "Dakota", "Shawn", "Crystal",
    "Travis", "Amber", "Cody", "Destiny", "Dustin", "Tiffany", "Jesse", "Rosa", "Guadalupe",
    "Héctor", "Inés", "Nicolás", "Raúl", "Sinéad", "Eoin", "Niamh", "Declan", "Ingrid", "Dmitri",
    "Oksana", "Aroha", "Tanvi", "Kwame", "Adaeze", "Chidi", "Thandiwe", "Malia", "Noa", "Elif",
    "Mehmet", "Ayşe", "Wanda", "Earl", "Bobbie", "Frankie", "Lorraine", "Curtis",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernández", "López", "González", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez",
    "Clark", "Ramírez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyễn", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "O'Connor", "Ñúñez",
    "Brontë", "Müller", "Schröder", "Kowalski", "Wiśniewski", "Dubois", "Lefèvre", "D'Angelo",
    "MacDonald", "van der Berg", "Smith-Jones", "Okafor", "Mensah", "Haddad", "Yılmaz",
    "Kealoha", "Begay", "Yazzie", "Two Bears", "Castillo", "Ortiz", "Morales", "Reyes", "Cruz",
    "Kim", "Park", "Patel", "Shah", "Khan", "Ali", "Cohen", "Novak", "Horvat", "Johansson",
    "Lindqvist", "Popescu", "Ivanova",
)  # fmt: skip
# Names in other scripts: (first, last) pairs so the order and script stay plausible.
OTHER_SCRIPT_NAMES = (
    ("小龙", "李"), ("伟", "王"), ("芳", "张"), ("秀英", "刘"), ("静", "陈"), ("敏", "杨"),
    ("Дмитрий", "Иванов"), ("Ольга", "Петрова"), ("Νίκος", "Παπαδόπουλος"), ("민준", "김"),
)  # fmt: skip
# The demo coach's first clients carry the names that break naive software.
SHOWCASE_NAMES = (("José", "Ñúñez"), ("小龙", "李"), ("Siobhan", "O'Brien"), ("Zoë", "Brontë"))
NICKNAMES = ("Jay", "Lou", "Sunny", "Red", "Tee", "Manny", "Lupe", "Kit", "Dre", "Sam", "Nico")
STREETS = (
    "Elm St", "Maple Ave", "River Rd", "Cedar Ln", "3rd St", "Mill St", "Hillcrest Dr",
    "Lincoln Ave", "Depot St", "Walnut St", "Harbor Way", "Oak Ct",
)  # fmt: skip
AREA_CODES = ("217", "309", "618", "815")
TEAM_AREAS = (
    "Riverside", "Northside", "Eastgate", "Old Town", "Harbor", "Westfield", "Southpark",
    "Millbrook", "Cedar Hill", "Lakeview", "Union", "Fairview",
)  # fmt: skip

# --- Resource directory (HSDS: organization -> services) ---------------------------------------

# (organization, description, ((service, category, description), ...))
DIRECTORY: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Riverton Housing Authority", "Public housing and homeless services for Riverton County.", (
        ("Emergency Shelter Intake", "housing", "Same-day shelter placement; walk in by 3 pm."),
        ("Rapid Rehousing Program", "housing", "Deposit and first months' rent with case help."),
        ("Housing Choice Voucher Waitlist", "housing", "Applications for rental vouchers."),
    )),
    ("Harbor Light Recovery Residences", "Certified recovery residences (NARR level II).", (
        ("Recovery Residence, Men's House", "housing", "Peer-run sober living, 12 beds."),
        ("Recovery Residence, Women's House", "housing", "Peer-run sober living, 8 beds."),
    )),
    ("Northside Community Health Center", "Federally qualified health center.", (
        ("Primary Care Walk-in Clinic", "healthcare", "Sliding-scale primary care."),
        ("Hepatitis C Testing and Treatment", "healthcare", "Rapid testing; treatment linkage."),
        ("Dental Clinic", "healthcare", "Sliding-scale dental care, emergencies first."),
    )),
    ("Fresh Start Harm Reduction", "Low-barrier harm reduction services.", (
        ("Syringe Services Program", "healthcare", "Supplies, wound care, testing."),
        ("Naloxone Training and Distribution", "healthcare", "Free naloxone kits."),
    )),
    ("Riverton Behavioral Health", "Community mental health center.", (
        ("Outpatient Counseling", "mental_health", "Individual and group therapy."),
        ("Psychiatric Medication Management", "mental_health", "Prescriber visits."),
        ("24/7 Crisis Line", "mental_health", "Phone and mobile crisis response."),
    )),
    ("Youth and Family Services", "Counseling for families affected by substance use.", (
        ("Family Counseling", "mental_health", "Sessions for families and partners."),
    )),
    ("New Dawn Treatment Center", "Licensed substance use disorder treatment.", (
        ("Medically Supervised Withdrawal", "treatment", "Inpatient withdrawal management."),
        ("Intensive Outpatient Program", "treatment", "Nine hours a week, evenings available."),
        ("Opioid Treatment Program", "treatment", "Methadone and buprenorphine dosing."),
        ("Buprenorphine Bridge Clinic", "treatment", "Same-week induction appointments."),
    )),
    ("WorkFirst Riverton", "Employment services for people facing barriers to work.", (
        ("Job Readiness Workshop", "employment", "Two-week course with a job fair."),
        ("Second-Chance Employer Network", "employment", "Employers who hire with records."),
        ("Resume and Interview Coaching", "employment", "One-to-one appointments."),
    )),
    ("Riverton Day Labor Center", "Same-day work placements.", (
        ("Day Labor Sign-up", "employment", "Sign in by 6 am for same-day work."),
    )),
    ("Riverton Legal Aid Society", "Free civil legal help.", (
        ("Record Expungement Clinic", "legal", "Monthly clinic; bring court papers."),
        ("Tenant Rights Hotline", "legal", "Eviction defense and advice."),
        ("Treatment Court Liaison", "legal", "Help with treatment court requirements."),
    )),
    ("Family Court Self-Help Center", "Forms and guidance for family court.", (
        ("Child Support Modification Help", "legal", "Help filing a modification."),
    )),
    ("County Department of Social Services", "Public benefits office.", (
        ("SNAP Application Assistance", "benefits", "Food assistance applications."),
        ("Medicaid Enrollment", "benefits", "Enrollment and renewals."),
        ("SSI/SSDI Application Help", "benefits", "Disability benefits applications."),
        ("Utility Assistance Program", "benefits", "Help with heating and power bills."),
    )),
    ("Veterans Outreach Center", "Services for veterans and their families.", (
        ("VA Benefits Navigation", "benefits", "Claims help and VA health enrollment."),
        ("Veterans Peer Mentoring", "recovery_support", "Veteran-to-veteran recovery support."),
    )),
    ("Riverton Food Bank", "Emergency food for Riverton County.", (
        ("Weekly Food Pantry", "food", "Groceries once a week, no ID needed."),
        ("Mobile Pantry", "food", "Monthly stops in rural townships."),
        ("Community Hot Lunch", "food", "Weekday lunch, 11:30 to 1."),
    )),
    ("Metro Transit Access", "Public transit programs.", (
        ("Reduced-Fare Bus Pass", "transportation", "Half-price passes with a benefits card."),
        ("Medical Rides Program", "transportation", "Rides to medical appointments."),
    )),
    ("Riverton Community College", "Two-year college with adult education programs.", (
        ("High School Equivalency Classes", "education", "Free HSE preparation and testing."),
        ("Recovery-Friendly Campus Program", "education", "Support for students in recovery."),
        ("Digital Literacy Course", "education", "Computer basics, six weeks."),
    )),
    ("Riverton Recovery Community Center", "Peer-run recovery community organization.", (
        ("Recovery Café Drop-in", "recovery_support", "Drop-in space, coffee, peer support."),
        ("Peer-Run Warmline", "recovery_support", "Talk to a peer, 4 pm to midnight."),
        ("All-Pathways Wellness Group", "recovery_support", "Weekly wellness group."),
    )),
    ("Riverton Public Library", "Public library.", (
        ("Free Computer and Internet Access", "other", "Computers, printing, job searching."),
        ("ID Replacement Help", "other", "Help getting birth certificates and state ID."),
    )),
    ("Second Street Clothing Closet", "Free clothing for work and interviews.", (
        ("Work Clothing Closet", "other", "Interview and work clothes, once a month."),
    )),
)  # fmt: skip

# Mutual-aid meetings (Meeting Guide fields); names are generic, none is a real group.
# (organization, name, model, format, open, day 0=Sunday, start, minutes)
_AA, _NA = "Riverton Area Intergroup (AA)", "Riverton Area NA"
_SMART, _RCC = "SMART Recovery Riverton", "Riverton Recovery Community Center"
_LR = "LifeRing Riverton"
MEETINGS: tuple[tuple[str, str, str, str, bool, int, dtime, int], ...] = (
    (_AA, "Monday Night Big Book", "aa", "in_person", True, 1, dtime(19), 60),
    (_AA, "Early Risers", "aa", "in_person", False, 3, dtime(7), 60),
    (_AA, "Women's Step Study", "aa", "hybrid", False, 4, dtime(18, 30), 90),
    (_AA, "Online Daily Reflections", "aa", "virtual", True, 6, dtime(12), 60),
    (_NA, "Just for Today Group", "na", "in_person", True, 2, dtime(19), 60),
    (_NA, "Saturday Clean Start", "na", "in_person", False, 6, dtime(10), 90),
    (_NA, "NA Online Evening", "na", "virtual", True, 0, dtime(20), 60),
    (_SMART, "SMART Recovery Tuesday", "smart_recovery", "in_person", True, 2, dtime(18), 90),
    (_SMART, "SMART Recovery Online", "smart_recovery", "virtual", True, 4, dtime(19), 90),
    (_LR, "LifeRing Secular Recovery", "lifering", "hybrid", True, 3, dtime(19), 60),
    (_RCC, "Dual Recovery Meeting", "dual_recovery", "in_person", True, 5, dtime(17), 60),
    (_RCC, "Family Recovery Circle", "family", "in_person", True, 1, dtime(18), 60),
    (_RCC, "Friends and Family Online", "family", "virtual", True, 0, dtime(15), 60),
    (_RCC, "Recovery Dharma Sitting Group", "other", "hybrid", True, 0, dtime(10), 75),
    (_RCC, "All-Recovery Meeting", "other", "in_person", True, 5, dtime(12), 60),
)
WEEKDAYS = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")
NOT_SLUG = re.compile(r"[^a-z0-9 ]")
