"""Fault injection: scripted 429/403/5xx answers and slow answers for matching REST requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .routing import json_response
from .state import EmulatorState


@dataclass
class Fault:
    """A scripted failure (or slowdown) for matching REST requests."""

    method: str
    route: str
    status: int | None
    times: int | None = 1
    code: int = 0
    message: str | None = None
    retry_after: float = 1.0
    is_global: bool = False
    delay: float = 0.0
    hits: int = 0

    def matches(self, method: str, route: str | None, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method not in ("*", method):
            return False
        return self.route in ("*", route, path)


def fault_response(fault: Fault) -> web.Response:
    """The answer Discord would give for ``fault`` (429s with Discord's headers and body)."""
    status = fault.status or 500
    if status == 429:
        body = {
            "message": fault.message or "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": fault.is_global,
            "code": 0,
        }
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, round(fault.retry_after))),
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Bucket": "emulator-fault",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        return json_response(status, body, headers)
    if status >= 500:
        return web.Response(status=status, text="upstream error", content_type="text/plain")
    default_messages = {
        50001: "Missing Access",
        50013: "Missing Permissions",
        50007: "Cannot send messages to this user",
        10003: "Unknown Channel",
        10008: "Unknown Message",
    }
    return json_response(
        status,
        {
            "message": fault.message or default_messages.get(fault.code, f"{status}: emulated"),
            "code": fault.code,
        },
    )


class FaultsMixin(EmulatorState):
    """``inject_fault`` / ``clear_faults``; the REST server asks :meth:`_apply_fault` first."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.faults: list[Fault] = []

    def inject_fault(
        self,
        method: str,
        route: str,
        *,
        status: int | None = None,
        times: int | None = 1,
        code: int | None = None,
        message: str | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
        delay: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` requests matching ``method``/``route`` fail (or be slow).

        ``route`` is a template (``/channels/{channel_id}/messages``), a concrete path or
        ``"*"``. ``status=None`` with ``delay`` only slows the answer down. ``times=None``
        means forever. 429s have Discord's shape (``Via`` header, JSON ``retry_after``)."""
        if code is None:
            code = {403: 50013, 404: 10003, 429: 0}.get(status or 0, 0)
        fault = Fault(
            method=method.upper(),
            route=route,
            status=status,
            times=times,
            code=code,
            message=message,
            retry_after=retry_after,
            is_global=is_global,
            delay=delay,
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    async def _apply_fault(self, method: str, route: str, path: str) -> web.Response | None:
        """Count the first fault matching the request, sleep its delay; its answer, if any."""
        for fault in self.faults:
            if fault.matches(method, route, path):
                fault.hits += 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    return fault_response(fault)
                break
        return None
