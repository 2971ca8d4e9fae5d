from django.contrib import admin

from clinic.admin import ClinicalRecordAdmin, ManagerAdmin

from .models import (
    Diagnosis,
    Modality,
    PlanArea,
    PlanGoal,
    Precaution,
    Referral,
    TargetArea,
    TreatmentPlan,
)


@admin.register(Modality)
class ModalityAdmin(ManagerAdmin):
    """The technique catalog: managers add more (e.g. manual lymphatic drainage)."""

    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False  # retire with is_active: old plans and notes still name it


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DiagnosisInline(ReadOnlyInline):
    model = Diagnosis
    fields = ("code", "description")


class TargetAreaInline(ReadOnlyInline):
    model = TargetArea
    fields = ("region", "side")


@admin.register(Referral)
class ReferralAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "doctor", "status", "signed_at", "visits_prescribed", "valid_until")
    list_filter = ("status", "doctor")
    search_fields = ("patient__last_name", "patient__first_name", "diagnoses__code")
    list_select_related = ("patient", "doctor")
    date_hierarchy = "created_at"
    inlines = [DiagnosisInline, TargetAreaInline]


class PlanAreaInline(ReadOnlyInline):
    model = PlanArea
    fields = ("region", "side", "notes")


class PlanGoalInline(ReadOnlyInline):
    model = PlanGoal
    fields = ("description", "measure", "baseline", "target")


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "therapist", "status", "planned_visits", "start_date")
    list_filter = ("status", "therapist")
    search_fields = ("patient__last_name", "patient__first_name")
    list_select_related = ("patient", "therapist")
    inlines = [PlanAreaInline, PlanGoalInline]


@admin.register(Precaution)
class PrecautionAdmin(ClinicalRecordAdmin):
    """Contraindication flags and therapists' findings, with their clearance."""

    list_display = ("patient", "kind", "source", "region", "raised_by", "cleared_at")
    list_filter = ("kind", "source")
    search_fields = ("patient__last_name", "patient__first_name")
    list_select_related = ("patient", "raised_by")
