"""The referrals app's models, by noun: the care episode (referral and plan,
episodes.py), its diagnoses and target areas (prescription.py), its precautions
(precautions.py), the outside physicians (physicians.py), the links that take a
plan to them to sign (links.py) and the code sets (catalog.py). Imported here so Django and
`from referrals.models import ...` find them all."""

from .catalog import *  # noqa: F403
from .episodes import *  # noqa: F403
from .links import *  # noqa: F403
from .physicians import *  # noqa: F403
from .precautions import *  # noqa: F403
from .prescription import *  # noqa: F403
