"""The REST server: binds the route modules to the emulator, answers each request (unknown
route, fault, auth, handler) and records it as a :class:`~emulator.routing.Call`."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..errors import RestError
from ..faults import FaultsMixin
from ..routing import Call, Handler, Req, Route, json_response, match_route, read_body
from ..state import API_PREFIX
from . import (
    channels,
    commands,
    guilds,
    interactions,
    messages,
    roles,
    scheduled_events,
    users,
)
from .host import RestHost

log = logging.getLogger("emulator")

#: Route modules, in registration order (a tie between two templates goes to the first).
ROUTE_MODULES = (
    users, commands, guilds, roles, scheduled_events, channels, messages, interactions
)  # fmt: skip


class RestMixin(FaultsMixin, RestHost):
    """Discord REST v10 under ``/api/v10``; every request is recorded in :attr:`calls`."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.calls: list[Call] = []
        self.unknown_routes: list[Call] = []
        self.handler_errors: list[Call] = []
        """Calls whose handler raised (emulator bugs); the pytest fixture fails on these too."""
        self.rate_limit_headers: int | None = None
        """None (the default): no rate-limit headers, so discord.py keeps one request in flight
        per bucket. A number: every answer says that many per bucket and never runs out (for
        benchmarks that measure the bot, not a rate limit)."""
        self._routes: list[Route] = [
            Route(spec.method, spec.template, functools.partial(spec.handler, self), spec.auth)
            for module in ROUTE_MODULES
            for spec in module.routes
        ]

    def route(
        self, method: str, template: str, *, auth: bool = True
    ) -> Callable[[Handler], Handler]:
        """Decorator adding a route to this emulator: ``async def handler(req) -> body``."""

        def deco(fn: Handler) -> Handler:
            self._routes.append(Route(method, template, fn, auth))
            return fn

        return deco

    def route_templates(self) -> list[str]:
        return sorted({f"{r.method} {r.template}" for r in self._routes})

    def calls_matching(self, method: str | None = None, route: str | None = None) -> list[Call]:
        """Recorded REST calls.

        ``route`` is a template (``/channels/{channel_id}/messages``) or a concrete path."""
        return [
            c
            for c in self.calls
            if (method is None or c.method == method.upper())
            and (route is None or route in (c.route, c.path))
        ]

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        method = request.method.upper()
        body, files = await read_body(request, self.new_id)
        versioned = raw_path.startswith(API_PREFIX + "/")
        path = raw_path[len(API_PREFIX) :] if versioned else raw_path
        route, params, path_known = (
            match_route(self._routes, method, path) if versioned else (None, {}, False)
        )
        call = Call(
            method=method,
            path=path,
            route=route.template if route else None,
            query=dict(request.query),
            json=body,
            files=files,
        )
        self.calls.append(call)
        try:
            response = await self._answer(request, call, route, params, path_known)
        except Exception:
            log.exception("emulator: handler for %s %s crashed", method, path)
            response = json_response(500, {"message": "emulator handler crashed", "code": 0})
            self.handler_errors.append(call)
        call.status = response.status
        if self.rate_limit_headers and "X-RateLimit-Remaining" not in response.headers:
            response.headers.update(
                {
                    "X-RateLimit-Limit": str(self.rate_limit_headers),
                    "X-RateLimit-Remaining": str(self.rate_limit_headers - 1),
                    "X-RateLimit-Reset-After": "1.000",
                    "X-RateLimit-Bucket": f"emulator:{call.route or path}",
                }
            )
        if response.body is not None:
            with contextlib.suppress(Exception):
                call.response = json.loads(response.body)  # type: ignore[arg-type]
        self._notify()
        return response

    async def _answer(
        self,
        request: web.Request,
        call: Call,
        route: Route | None,
        params: dict[str, str],
        path_known: bool,
    ) -> web.Response:
        method, path = call.method, call.path
        if route is None:
            if path_known:
                return json_response(405, {"message": "405: Method Not Allowed", "code": 0})
            self.unknown_routes.append(call)
            log.warning("emulator: unknown route %s %s", method, path)
            return json_response(404, {"message": "404: Not Found", "code": 0})
        faulted = await self._apply_fault(method, route.template, path)
        if faulted is not None:
            return faulted
        if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response(401, {"message": "401: Unauthorized", "code": 0})
        req = Req(
            request=request,
            method=method,
            path=path,
            params=params,
            query=call.query,
            json=call.json,
            files=call.files,
        )
        try:
            result = await route.handler(req)
        except RestError as exc:
            return json_response(exc.status, exc.to_payload())
        if result is None:
            return web.Response(status=204)
        if isinstance(result, tuple):
            return json_response(result[0], result[1])
        return json_response(200, result)
