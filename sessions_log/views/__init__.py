"""Session-log pages, split by job: the therapist's note and the doctor's progress."""

from .notes import note_addendum, note_detail, note_new, note_sign
from .progress import end_therapy, my_patients, plan_progress_page

__all__ = [
    "end_therapy",
    "my_patients",
    "note_addendum",
    "note_detail",
    "note_new",
    "note_sign",
    "plan_progress_page",
]
