"""The referrals app's models, by noun: the care episode (referral and plan,
episodes.py) and its precautions (precautions.py). Imported here so Django and
`from referrals.models import ...` find them all."""

from .episodes import *  # noqa: F403
from .precautions import *  # noqa: F403
