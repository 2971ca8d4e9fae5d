from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the clinic: health, metrics, logs with request ids, backups."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self):
        # the worker records the reminder scan's heartbeat, and every task
        # carries the request id of the request that queued it
        from ops import health, logs

        health.connect_signals()
        logs.connect_signals()
