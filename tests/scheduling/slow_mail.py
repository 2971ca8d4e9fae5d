"""A file email backend that takes its time, so the worker test can kill a
worker in the middle of a batch (EMAIL_BACKEND for the worker subprocess)."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        pause = float(os.environ.get("SLOW_MAIL_SECONDS", "0.3")) / 2
        time.sleep(pause)
        sent = super().send_messages(email_messages)
        time.sleep(pause)  # sent but not yet recorded: the window of the one duplicate
        return sent
