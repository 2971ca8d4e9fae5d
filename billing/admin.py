"""The manager's admin for billing: payers with their fee schedules, service
codes and the modality mapping (written here); coverages, authorizations,
charges, claims and payments read-only, each opened record audited."""

from django.contrib import admin

from clinic.admin import ClinicalRecordAdmin, ManagerAdmin
from referrals.admin import ReadOnlyInline

from .models import (
    Authorization,
    Charge,
    ChargeLine,
    Claim,
    Coverage,
    Fee,
    Payer,
    Payment,
    ServiceCode,
    ServiceMapping,
)


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 1
    fields = ("service_code", "per_unit")


class MappingInline(admin.TabularInline):
    """The payer's overrides of the modality mapping."""

    model = ServiceMapping
    extra = 0
    fields = ("modality", "service_code")
    verbose_name_plural = "modality mapping overrides"


@admin.register(Payer)
class PayerAdmin(ManagerAdmin):
    list_display = ("name", "kind", "payer_id", "unit_rule", "requires_authorization", "is_active")
    list_filter = ("kind", "unit_rule", "requires_authorization", "is_active")
    search_fields = ("name", "payer_id")
    fields = ("name", "kind", "payer_id", "unit_rule", "requires_authorization",
              "line_modifiers", "is_active")  # fmt: skip
    inlines = [FeeInline, MappingInline]

    def has_delete_permission(self, request, obj=None):
        return False  # retire with is_active: charges and claims still name it


@admin.register(ServiceCode)
class ServiceCodeAdmin(ManagerAdmin):
    list_display = ("code", "description", "timed", "is_active")
    list_filter = ("timed", "is_active")
    search_fields = ("code", "description")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceMapping)
class ServiceMappingAdmin(ManagerAdmin):
    """Which code each modality bills: the default (no payer) or a payer's."""

    list_display = ("modality", "payer", "service_code")
    list_filter = ("payer",)
    list_select_related = ("modality", "payer", "service_code")


class BillingRecordAdmin(ClinicalRecordAdmin):
    """Billing history: read here, written by the front desk and the biller."""


@admin.register(Coverage)
class CoverageAdmin(BillingRecordAdmin):
    list_display = ("patient", "payer", "priority", "member_id", "valid_from", "valid_until")
    list_filter = ("priority", "payer")
    search_fields = ("patient__last_name", "member_id", "claim_number")
    list_select_related = ("patient", "payer")


@admin.register(Authorization)
class AuthorizationAdmin(BillingRecordAdmin):
    list_display = ("number", "coverage", "visits", "units", "valid_from", "valid_until")
    list_select_related = ("coverage__patient", "coverage__payer")

    def audited_patient(self, obj):
        return obj.coverage.patient


class ChargeLineInline(ReadOnlyInline):
    model = ChargeLine
    fields = ("service_code", "modifiers", "minutes", "units", "diagnosis_pointers", "amount")


@admin.register(Charge)
class ChargeAdmin(BillingRecordAdmin):
    list_display = ("service_date", "patient", "kind", "payer", "status", "total")
    list_filter = ("status", "kind", "payer")
    search_fields = ("patient__last_name", "patient__first_name")
    list_select_related = ("patient", "payer")
    inlines = [ChargeLineInline]


@admin.register(Claim)
class ClaimAdmin(BillingRecordAdmin):
    list_display = ("number", "payer", "coverage", "status", "total", "submitted_at")
    list_filter = ("status", "payer")
    list_select_related = ("payer", "coverage__patient")

    def audited_patient(self, obj):
        return obj.coverage.patient


@admin.register(Payment)
class PaymentAdmin(BillingRecordAdmin):
    list_display = ("created_at", "patient", "method", "amount", "reference", "claim")
    list_filter = ("method",)
    list_select_related = ("patient", "claim")
