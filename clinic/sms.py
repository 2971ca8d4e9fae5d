"""Text messages through a small sender interface.

`settings.SMS_BACKEND` names the class (dotted path). The clinic ships a
console backend (the default: prints the message) and a file backend (one
JSON line per message in `settings.SMS_FILE_PATH`, for tests and demos); a real
provider is a class with the same `send(*, to, text, reference="")` that raises on
failure and returns the provider's message id (Twilio: messaging/twilio_sms.py).
`reference` is the reminder's id: a provider whose delivery reports can carry it
back (Twilio's status callback) sends it, the others ignore it."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsBackend:
    def send(self, *, to: str, text: str, reference: str = "") -> str | None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class FileSmsBackend(SmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> None:
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": to, "text": text, "at": timezone.now().isoformat()})
        with path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
