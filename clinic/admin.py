"""The manager's Django admin: staff and roles, catalog, closures, settings, and
read-only views of clinical history (the manager writes no clinical record)."""

from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from .access import ADMINISTRATION
from .audit import record, record_many
from .consents import publish_consent
from .models import AuditEvent, BreakGlass, ConsentDocument, ConsentSignature, Patient, User
from .tokens import revoke_all_tokens, revoke_token

admin.site.site_header = "Clinic administration"
# Roles are the User.role field, not groups.
admin.site.unregister(Group)
admin.site.site_title = "Clinic admin"


def is_manager(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or ADMINISTRATION.may(user, "use"))


class ManagerAdmin(admin.ModelAdmin):
    """Managers administer these records."""

    def has_module_permission(self, request):
        return is_manager(request)

    def has_view_permission(self, request, obj=None):
        return is_manager(request)

    def has_add_permission(self, request):
        return is_manager(request)

    def has_change_permission(self, request, obj=None):
        return is_manager(request)

    def has_delete_permission(self, request, obj=None):
        return is_manager(request)


class AuditedReadsAdmin(admin.ModelAdmin):
    """Every row the admin shows, in a change list or opened, is audited like a
    read through the API or the pages (one INSERT for a page of a list)."""

    def audited_patient(self, obj):
        return getattr(obj, "patient", None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and response.status_code == 200 and request.method == "GET":
            record(
                actor=request.user,
                action=f"{obj._meta.model_name}.read",
                target=obj,
                patient=self.audited_patient(obj),
                detail="admin",
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and response.status_code == 200:
            record_many(
                actor=request.user,
                action=f"{self.model._meta.model_name}.list_read",
                targets=list(changelist.result_list),
                patient_of=lambda obj: getattr(self.audited_patient(obj), "pk", None),
            )
        return response


class ClinicalRecordAdmin(AuditedReadsAdmin, ManagerAdmin):
    """Clinical history: readable by the manager, never written or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class StaffAdmin(BaseUserAdmin, ManagerAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Clinic", {"fields": ("role", "npi", "taxonomy_code")}),  # billing helper: NPI
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "role", "first_name", "last_name", "email"),
            },
        ),
    ) + BaseUserAdmin.add_fieldsets
    actions = ["deactivate", "revoke_tokens"]

    def has_delete_permission(self, request, obj=None):
        return False  # staff are deactivated: their names stay on signed records

    @admin.action(description="Deactivate the selected staff")
    def deactivate(self, request, queryset):
        staff = list(queryset.exclude(pk=request.user.pk))
        for user in staff:
            revoke_all_tokens(user=user, by=request.user, reason="deactivation")
            user.is_active = False
            user.save(update_fields=["is_active"])
            record(actor=request.user, action="staff.deactivated", target=user)
        self.message_user(request, f"{len(staff)} staff deactivated.", messages.SUCCESS)

    @admin.action(description="Revoke the API tokens of the selected staff")
    def revoke_tokens(self, request, queryset):
        count = sum(
            revoke_all_tokens(user=user, by=request.user, reason="the manager") for user in queryset
        )
        self.message_user(request, f"{count} API tokens revoked.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        """Security events (ASVS V16): a new role, a deactivation, a new account."""
        super().save_model(request, obj, form, change)
        changed = set(form.changed_data) if change else set()
        if not change:
            record(actor=request.user, action="staff.created", target=obj, detail=obj.role)
        if "role" in changed:
            before = form.initial.get("role", "")
            record(
                actor=request.user,
                action="staff.role_changed",
                target=obj,
                detail=f"{before} -> {obj.role}",
            )
        if "is_active" in changed:
            action = "staff.reactivated" if obj.is_active else "staff.deactivated"
            record(actor=request.user, action=action, target=obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # the form was valid and saved: the manager set a new password
            user = self.get_object(request, id)
            record(actor=request.user, action="staff.password_set", target=user, detail="admin")
        return response


@admin.register(BreakGlass)
class BreakGlassAdmin(ManagerAdmin):
    """Every break-the-glass with its reason, for the manager's review; nobody
    adds, changes or deletes one here (the API opens them, the audit keeps them)."""

    list_display = ("created_at", "actor", "patient", "reason", "expires_at")
    list_filter = ("actor",)
    search_fields = ("actor__username", "patient__last_name", "reason")
    list_select_related = ("actor", "patient")
    date_hierarchy = "created_at"
    fields = ("actor", "patient", "reason", "created_at", "expires_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(AuditedReadsAdmin, ManagerAdmin):
    """The manager reads the directory; contact details and reminder channel are
    the front desk's to change (API.md, Roles), so nothing is edited here."""

    list_display = ("last_name", "first_name", "date_of_birth", "reminder_channel", "is_active")
    list_filter = ("reminder_channel", "reminder_consent", "is_active")
    search_fields = ("first_name", "last_name", "email", "phone")
    readonly_fields = ("created_by", "calendar_token", "created_at", "updated_at", "version")
    exclude = ()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: clinical records are retained

    def audited_patient(self, obj):
        return obj


@admin.register(AuditEvent)
class AuditEventAdmin(ClinicalRecordAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "patient", "ip")
    list_filter = ("action", "target_type")
    search_fields = ("actor__username", "patient__last_name", "target_id", "ip")
    date_hierarchy = "at"
    list_select_related = ("actor", "patient")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # reading the audit trail is not itself a clinical read
        return admin.ModelAdmin.change_view(self, request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return admin.ModelAdmin.changelist_view(self, request, extra_context)


@admin.register(AccessAttempt)
class LockoutAdmin(ManagerAdmin):
    """Failed sign-ins by username and address; the manager unlocks by deleting."""

    list_display = ("attempt_time", "username", "ip_address", "failures_since_start")
    search_fields = ("username", "ip_address")
    readonly_fields = (
        "username",
        "ip_address",
        "user_agent",
        "attempt_time",
        "failures_since_start",
    )
    fields = readonly_fields
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Unlock the selected sign-ins")
    def unlock(self, request, queryset):
        for attempt in queryset:
            reset(username=attempt.username, ip=attempt.ip_address)
        self.message_user(request, "Unlocked.", messages.SUCCESS)


# --- tokens helper
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)  # knox's own shows digests and mints tokens for anyone


@admin.register(AuthToken)
class ApiTokenAdmin(ManagerAdmin):
    """Live API tokens by person; the manager revokes one by deleting it. Only a
    digest is stored, so there is nothing secret to show, and none is made here."""

    list_display = ("user", "created", "expiry")
    list_filter = ("user__role",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    fields = ("user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        revoke_token(token=obj, by=request.user, reason="the manager")

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            revoke_token(token=token, by=request.user, reason="the manager")


# --- totp helper
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)  # django-otp's own shows and edits the secret


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(ManagerAdmin):
    """A staff member's authenticator apps: the manager sees them and resets one
    (deletes it) for a lost phone; the secret is never shown and nobody edits it."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    fields = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # each person enrols their own phone at /account/two-factor/

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        record(actor=request.user, action="two_factor.reset", target=obj.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            record(actor=request.user, action="two_factor.reset", target=device.user)
        super().delete_queryset(request, queryset)


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(ManagerAdmin):
    """The manager publishes consent documents. A version is never edited: "Add"
    with the same kind publishes the next version, and patients sign it again."""

    list_display = ("title", "kind", "version", "created_at", "created_by")
    list_filter = ("kind",)
    fields = ("kind", "title", "text")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = publish_consent(kind=obj.kind, title=obj.title, text=obj.text, by=request.user)
        obj.pk, obj.version = published.pk, published.version


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "document", "source", "full_name", "signed_at", "ip")
    list_select_related = ("patient", "document")
    exclude = ("image",)
    readonly_fields = ("document_sha256", "signed_at", "ip", "user_agent", "recorded_by")
