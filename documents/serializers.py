from rest_framework import serializers

from clinic.models import Patient
from clinic.serializers import ScopedRelatedField
from referrals.models import Referral

from .models import Document, DocumentKind


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id", "patient", "referral", "kind", "content_type", "size", "sha256",
            "uploaded_by", "uploaded_at",
        ]  # fmt: skip


class DocumentUploadSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    referral = ScopedRelatedField(Referral, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file is refused by its content, naming `file`
        help_text="PDF, JPEG or PNG (judged by content), at most DOCUMENT_MAX_MB.",
    )
