from django.contrib import admin

from clinic.admin import ClinicalRecordAdmin
from referrals.admin import ReadOnlyInline

from .models import Addendum, NoteArea, OutcomeMeasurement, ProgressReport, SessionNote


class NoteAreaInline(ReadOnlyInline):
    model = NoteArea
    fields = ("region", "side", "minutes")


class AddendumInline(ReadOnlyInline):
    model = Addendum
    fields = ("created_at", "author", "text")
    readonly_fields = ("created_at",)


@admin.register(SessionNote)
class SessionNoteAdmin(ClinicalRecordAdmin):
    list_display = (
        "appointment",
        "therapist",
        "pain_before",
        "pain_after",
        "response",
        "signed_at",
    )
    list_filter = ("response", "therapist")
    search_fields = ("patient__last_name", "patient__first_name")
    list_select_related = ("appointment__patient", "appointment__therapist", "therapist", "patient")
    inlines = [NoteAreaInline, AddendumInline]


@admin.register(OutcomeMeasurement)
class OutcomeMeasurementAdmin(ClinicalRecordAdmin):
    list_display = ("plan", "measure", "score", "taken_at")
    list_filter = ("measure",)
    list_select_related = ("plan__patient", "plan__therapist")

    def audited_patient(self, obj):
        return obj.plan.patient


@admin.register(ProgressReport)
class ProgressReportAdmin(ClinicalRecordAdmin):
    list_display = ("plan", "author", "status", "recommendation", "signed_at", "decision")
    list_filter = ("status", "recommendation", "decision")
    list_select_related = ("plan__patient", "author")

    def audited_patient(self, obj):
        return obj.plan.patient
