"""Errors raised by the emulator."""

from __future__ import annotations

from typing import Any


class RestError(Exception):
    """A Discord JSON error answer (``{"message", "code"}``) raised inside a REST handler."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def to_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


def missing_access() -> RestError:
    return RestError(403, 50001, "Missing Access")


def missing_permissions() -> RestError:
    return RestError(403, 50013, "Missing Permissions")


def invalid_form(field: str, code: str, message: str) -> RestError:
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        errors = {part: errors}
    return RestError(400, 50035, "Invalid Form Body", errors)


class EmulatorTimeoutError(AssertionError):
    """A wait on the emulator timed out (an AssertionError so pytest shows it as a failure)."""


def _default_wait() -> float:
    import os

    try:
        return max(0.1, float(os.environ.get("EMULATOR_WAIT", "20")))
    except ValueError:
        return 20.0


#: How long the emulator's ``wait_*`` helpers and interaction responses wait by default
#: before giving up. Generous so a slow, shared CI machine never flakes; a test that expects
#: *nothing* to happen passes its own short timeout. Set ``EMULATOR_WAIT`` (seconds) to change.
DEFAULT_WAIT = _default_wait()
