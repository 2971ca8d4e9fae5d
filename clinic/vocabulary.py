"""The clinic's shared words (DESIGN.md, Vocabulary): regions, sides, roles."""

from django.db import models


class Role(models.TextChoices):
    DOCTOR = "doctor", "Doctor"
    THERAPIST = "therapist", "Therapist"
    FRONT_DESK = "front_desk", "Front desk"
    MANAGER = "manager", "Manager"
    BILLING = "billing", "Biller"


class Sex(models.TextChoices):
    """Administrative sex, as a claim carries it (X12 DMG03: F, M, U)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


class Region(models.TextChoices):
    HEAD = "head", "Head"
    JAW = "jaw", "Jaw"
    NECK = "neck", "Neck"
    SHOULDER = "shoulder", "Shoulder"
    UPPER_BACK = "upper_back", "Upper back"
    MID_BACK = "mid_back", "Mid back"
    LOWER_BACK = "lower_back", "Lower back"
    SACROILIAC = "sacroiliac", "Sacroiliac"
    HIP = "hip", "Hip"
    GLUTEAL = "gluteal", "Gluteal"
    CHEST = "chest", "Chest"
    ABDOMEN = "abdomen", "Abdomen"
    UPPER_ARM = "upper_arm", "Upper arm"
    ELBOW = "elbow", "Elbow"
    FOREARM = "forearm", "Forearm"
    WRIST_HAND = "wrist_hand", "Wrist and hand"
    THIGH = "thigh", "Thigh"
    KNEE = "knee", "Knee"
    CALF = "calf", "Calf"
    ANKLE_FOOT = "ankle_foot", "Ankle and foot"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"
    MIDLINE = "midline", "Midline"


def side_covers(granted: str, wanted: str) -> bool:
    """A bilateral target area covers work on either side of that region."""
    return granted == wanted or (granted == Side.BILATERAL and wanted in (Side.LEFT, Side.RIGHT))


class Measure(models.TextChoices):
    NPRS = "nprs", "Numeric pain rating (0-10)"
    NDI = "ndi", "Neck Disability Index (0-50)"
    ODI = "odi", "Oswestry Disability Index (0-100 %)"
    PSFS = "psfs", "Patient-Specific Functional Scale (0-10)"
    ROM = "rom", "Range of motion (degrees)"


# API.md, Vocabulary: the score range of each measure.
MEASURE_RANGES = {
    Measure.NPRS: (0, 10),
    Measure.NDI: (0, 50),
    Measure.ODI: (0, 100),
    Measure.PSFS: (0, 10),
    Measure.ROM: (0, 360),
}


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


# Visits that use up a prescription (API.md: visits_used): every count of visits
# used (referrals.models, with_visits_used) counts these and only these.
COUNTED_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)
