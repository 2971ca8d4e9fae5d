"""Referring physicians outside the clinic (API.md, Outside physicians and
documents): they have no account here; their prescriptions arrive on paper or
by fax, and their plans of care go back to them to sign."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, User
from clinic.npi import validate_npi

__all__ = ["OutsidePhysician"]


class PhysicianQuerySet(models.QuerySet):
    def visible_to(self, user, *, glass: bool = False):
        """A directory, not a clinical record: every staff role reads it."""
        return self.all() if getattr(user, "role", None) else self.none()


class OutsidePhysician(Entity):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    practice = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    fax = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = PhysicianQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            # the check digit is the validator's; ten digits the database holds itself
            models.CheckConstraint(
                condition=Q(npi__regex=r"^[0-9]{10}$"), name="physician_npi_digits"
            )
        ]

    def __str__(self):
        return f"Dr. {self.first_name} {self.last_name} (NPI {self.npi})"
