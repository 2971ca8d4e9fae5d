"""Attachments of a patient's record (API.md, Outside physicians and documents):
a scanned prescription, an imaging report, a signed consent. The bytes live in
the private `documents` storage (settings.STORAGES); the row keeps what the API
shows and where the bytes are."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User
from clinic.vocabulary import Role
from referrals.models import Referral, in_care, opened_by_glass, patients_in_care


class DocumentKind(models.TextChoices):
    PRESCRIPTION = "prescription", "Prescription"
    IMAGING = "imaging", "Imaging"
    REPORT = "report", "Report"
    CONSENT = "consent", "Consent"
    OTHER = "other", "Other"


# What the content says it is (never the name or the client's Content-Type):
# the media type and the file extension a download gets.
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


class PreviewState(models.TextChoices):
    """A small picture of the document for its list: an image scaled down, a
    PDF's first page (documents/previews.py)."""

    PENDING = "pending", "Not made yet"  # made on the first look (uploaded before previews)
    READY = "ready", "Made"
    NONE = "none", "None possible"  # a malformed file, or too large to decode safely


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user, *, glass: bool = False):
        """The documents `user` may read (API.md, Roles): a referral's go with the
        referral's episode, a patient's own with the patient's clinical record;
        `glass` adds what a break-the-glass grant opens (reads only). The front
        desk files the paper, so it lists every document's metadata; the content
        door (documents.access) refuses it the bytes."""
        if user.role in (Role.MANAGER, Role.FRONT_DESK):
            return self.all()
        mine = in_care(user, "referral__")
        if mine is None:
            return self.none()
        patients = patients_in_care(user, glass=glass).values("pk")
        chosen = (mine & Q(referral__isnull=False)) | Q(referral__isnull=True, patient__in=patients)
        if user.role == Role.THERAPIST:
            chosen |= Q(pk__in=self.paper_intake().values("pk"))
        if glass:
            chosen |= opened_by_glass(user, "patient")
        return self.filter(chosen)

    def paper_intake(self):
        """Prescriptions scanned and not yet transcribed: like the intake queue,
        every therapist may pick one up, and it opens nothing else of the patient."""
        return self.filter(kind=DocumentKind.PRESCRIPTION, referral__isnull=True)


class Document(Entity):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="documents")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    content_type = models.CharField(max_length=40, choices=[(t, t) for t in EXTENSIONS])
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # The name inside the `documents` storage; never shown, never a URL.
    storage_name = models.CharField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    # the preview beside the original in the same private storage, read through the same door
    preview_state = models.CharField(
        max_length=10, choices=PreviewState.choices, default=PreviewState.PENDING
    )
    preview_name = models.CharField(max_length=255, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "id"]
        indexes = [
            # the patient's and the referral's pages list their documents, newest first
            models.Index(fields=["patient", "-uploaded_at"], name="document_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=list(EXTENSIONS)), name="document_sniffed_type"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.patient_id}"

    @property
    def download_name(self) -> str:
        # made here, not taken from the upload: a client's file name never reaches a header
        return f"{self.kind}-{self.pk}.{EXTENSIONS[self.content_type]}"
