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
