from django.db import models


class Heartbeat(models.Model):
    """When a periodic job last finished, by name: /readyz reads the reminder
    scan's to tell that beat, the broker and a worker all still run."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
