"""A SHA-256 of a signed record's clinical content, stored at signing and
re-verified later, so a change that bypasses the app is detectable."""

import hashlib
import json


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
