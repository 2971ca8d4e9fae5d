from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        from clinic.patients import contact_changed

        from . import reminders

        # a patient's new channel, consent or address re-plans the unsent reminders
        contact_changed.connect(reminders.replan_on_contact_change, dispatch_uid="replan")
