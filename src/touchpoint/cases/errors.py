"""What case services refuse, each with a sentence a person can act on."""

from __future__ import annotations


class CaseError(Exception):
    """Base for refusals; ``str(error)`` is meant for the person who asked."""


class CaseConflict(CaseError):
    """The case changed after the caller read it; nothing was written."""

    def __init__(self, reference: str, had: int, now: int) -> None:
        self.reference, self.had, self.now = reference, had, now
        super().__init__(
            f"{reference} was changed by someone else while you were looking at it "
            f"(you had version {had}, it is now {now}) — reload the case and try again"
        )


class TransitionRefused(CaseError):
    """The journey doesn't allow this event here, or not for this actor; nothing was written."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        super().__init__(reason)


class IdempotencyKeyReused(CaseError):
    def __init__(self, key: str) -> None:
        super().__init__(f"the idempotency key {key!r} was already used for a different case or event — use a new key")


class JourneyNotFound(CaseError):
    """No journey by that name is registered or shipped."""


class JourneyInvalid(CaseError):
    """A journey file that fails the checker, or changed without a version bump."""
