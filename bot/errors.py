"""Typed errors that services raise and the Discord layer turns into kind, private messages.

A ``KindredError`` carries a message written for the person who triggered it. Anything else
that escapes a command is a bug: it is logged with an incident id, and the user sees that id.
"""

from __future__ import annotations


class KindredError(Exception):
    """Base for errors whose message is safe and useful to show to the user."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotFoundError(KindredError):
    pass


class InvalidInputError(KindredError):
    pass


class PermissionDeniedError(KindredError):
    pass


class ConflictError(KindredError):
    """The state changed under the user (already claimed, already closed, ...)."""


class LimitReachedError(KindredError):
    pass


class NotConfiguredError(KindredError):
    """A moderator has not set up the feature yet; the message says which command does it."""
