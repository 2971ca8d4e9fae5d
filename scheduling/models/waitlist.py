"""The waitlist (API.md, Scheduling (v1 additions)): patients who want an
earlier visit, within dates, weekdays and hours; and the offers made to them
when a visit is cancelled. The first acceptance of a freed slot books it; the
other offers of that slot are then taken."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User
from clinic.vocabulary import Role

from .places import Room
from .visits import Appointment

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # RRULE codes, Monday first


class WaitlistQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The front desk and the manager keep the waitlist; no one else reads it."""
        if getattr(user, "role", None) in (Role.FRONT_DESK, Role.MANAGER):
            return self.all()
        return self.none()


class WaitlistEntry(Entity):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist")
    plan = models.ForeignKey(
        "referrals.TreatmentPlan", on_delete=models.PROTECT, related_name="waitlist"
    )
    therapist = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="waitlist"
    )
    earliest = models.DateField()
    latest = models.DateField()
    weekdays = models.JSONField(default=list, help_text="RRULE day codes: MO TU WE TH FR SA SU")
    from_time = models.TimeField()
    to_time = models.TimeField()
    # closed once one of its offers is accepted, or once it is withdrawn
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # withdrawn (the patient no longer waits): kept, with when, who and why
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = WaitlistQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(latest__gte=models.F("earliest")), name="waitlist_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(to_time__gt=models.F("from_time")), name="waitlist_hours_in_order"
            ),
        ]
        indexes = [models.Index(fields=["active", "earliest", "latest"], name="waitlist_open_idx")]

    def __str__(self):
        return f"{self.patient} waiting {self.earliest}-{self.latest}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    TAKEN = "taken", "Taken by another"
    WITHDRAWN = "withdrawn", "Withdrawn"  # its entry was withdrawn or no longer fits


class WaitlistOffer(Entity):
    """A freed slot offered to one entry: the cancelled visit's time, therapist
    and room."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    freed = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    # the channel the patient was told on ("" when the patient has none usable)
    sent_by = models.CharField(max_length=10, blank=True)
    booked = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = WaitlistQuerySet.as_manager()

    class Meta:
        ordering = ["start", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "freed"], name="offer_once_per_entry_and_slot"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_known"
            ),
            # the database's word on "first acceptance wins": one accepted offer a slot
            models.UniqueConstraint(
                fields=["freed"], condition=Q(status="accepted"), name="offer_one_accepted_per_slot"
            ),
        ]

    def __str__(self):
        return f"{self.start:%Y-%m-%d %H:%M} offered to {self.entry.patient}"
