"""The manager's admin of scheduling: closures and availability; visits, series
and reminders read-only (the manager writes no clinical record)."""

from django.contrib import admin

from clinic.admin import ClinicalRecordAdmin, ManagerAdmin

from .models import (
    Appointment,
    AppointmentSeries,
    Closure,
    Location,
    Reminder,
    Room,
    TimeOff,
    WorkingHours,
)


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "channel", "due_at", "status", "attempts", "sent_at", "last_error")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(ClinicalRecordAdmin):
    list_display = ("start", "patient", "therapist", "room", "status", "series")
    list_filter = ("status", "therapist", "room")
    search_fields = ("patient__last_name", "patient__first_name", "therapist__username")
    date_hierarchy = "start"
    list_select_related = ("patient", "therapist", "room__location", "series")
    inlines = [ReminderInline]


@admin.register(AppointmentSeries)
class AppointmentSeriesAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "therapist", "rrule", "first_start", "cancelled_from")
    list_select_related = ("patient", "therapist")
    search_fields = ("patient__last_name", "therapist__username")


@admin.register(Reminder)
class ReminderAdmin(ClinicalRecordAdmin):
    list_display = ("due_at", "appointment", "kind", "channel", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "kind")
    list_select_related = ("appointment__patient", "appointment__therapist")

    def audited_patient(self, obj):
        return obj.appointment.patient


@admin.register(Closure)
class ClosureAdmin(ManagerAdmin):
    list_display = ("date", "reason")
    date_hierarchy = "date"


@admin.register(WorkingHours)
class WorkingHoursAdmin(ManagerAdmin):
    list_display = ("therapist", "location", "weekday", "start_time", "end_time")
    list_filter = ("therapist", "location", "weekday")
    list_select_related = ("therapist", "location")


@admin.register(TimeOff)
class TimeOffAdmin(ManagerAdmin):
    list_display = ("therapist", "start", "end", "reason")
    list_filter = ("therapist",)


@admin.register(Location)
class LocationAdmin(ManagerAdmin):
    list_display = ("name", "address", "time_zone")
    search_fields = ("name",)


@admin.register(Room)
class RoomAdmin(ManagerAdmin):
    list_display = ("name", "location")
    list_filter = ("location",)
    list_select_related = ("location",)
