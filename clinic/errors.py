"""Domain errors raised by the services; the API and the pages translate them.

Validation problems are Django `ValidationError`s with a field dict; these are
the contract's 409s (API.md, Errors)."""


class DomainConflict(Exception):
    code = "conflict"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Conflict(DomainConflict):
    """The request clashes with an existing record (double booking, second note)."""

    code = "conflict"


class Duplicate(DomainConflict):
    """A new patient looks like one already registered (`candidates`)."""

    code = "duplicate"


class Locked(DomainConflict):
    """The record is signed; its clinical content can no longer change."""

    code = "locked"


class InvalidTransition(DomainConflict):
    """The lifecycle does not allow this step from the current status."""

    code = "invalid_transition"


class ConsentMissing(DomainConflict):
    """The patient has not signed the current consent to treatment (API.md)."""

    code = "consent_missing"


class NotAllowed(Exception):
    """The actor's role may never do this (a 403, not a 404)."""


class Invalid(Exception):
    """Bad input, by field, in the shape DRF uses: `{"field": ["message"]}` and,
    for nested lists, `{"areas": [{}, {"region": ["message"]}]}` (the item)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls({name: [message]})
