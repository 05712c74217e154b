"""REST plumbing with no emulator state: route tables, matching, request bodies, JSON answers.

A route module declares its handlers in a :class:`RouteTable`; handlers are plain functions
``async def handler(emu, req)``. The REST server binds them to its emulator and picks the
route for a request with :func:`match_route`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from .errors import RestError
from .models import JSON, Attachment


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    route: str | None
    """Route template, e.g. ``/channels/{channel_id}/messages`` (None for unknown routes)."""
    query: dict[str, str]
    json: Any
    files: list[Attachment]
    status: int = 0
    response: Any = None

    def __repr__(self) -> str:
        return f"<Call {self.method} {self.path} -> {self.status}>"


@dataclass
class Req:
    """A REST request as a route handler sees it (``params`` are the template's parameters)."""

    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[Attachment] = field(default_factory=list)

    def body(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise RestError(404, 0, "404: Not Found") from None


Handler = Callable[[Req], Awaitable[Any]]
"""A bound route handler; it returns a JSON body, ``(status, body)`` or None (204)."""


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool = True

    @property
    def segments(self) -> list[str]:
        return self.template.strip("/").split("/")


RouteFn = Callable[[Any, Req], Awaitable[Any]]
"""A route module's handler: ``async def handler(emu, req)``."""


@dataclass
class RouteSpec:
    """A route declared by a route module (its handler is bound to an emulator later)."""

    method: str
    template: str
    handler: RouteFn
    auth: bool = True


class RouteTable:
    """The routes one module declares, in declaration order."""

    def __init__(self) -> None:
        self.specs: list[RouteSpec] = []

    def add(self, method: str, template: str, handler: RouteFn, *, auth: bool = True) -> None:
        self.specs.append(RouteSpec(method, template, handler, auth))

    def __call__(
        self, method: str, template: str, *, auth: bool = True
    ) -> Callable[[RouteFn], RouteFn]:
        """Decorator form of :meth:`add`."""

        def deco(fn: RouteFn) -> RouteFn:
            self.add(method, template, fn, auth=auth)
            return fn

        return deco

    def __iter__(self) -> Iterator[RouteSpec]:
        return iter(self.specs)


def match_route(
    routes: list[Route], method: str, path: str
) -> tuple[Route | None, dict[str, str], bool]:
    """The route for ``method path`` (the one with most literal segments wins), its parameters,
    and whether any route matches the path at all (to tell 405 from 404)."""
    segs = path.strip("/").split("/")
    best: tuple[int, Route, dict[str, str]] | None = None
    path_known = False
    for r in routes:
        rsegs = r.segments
        if len(rsegs) != len(segs):
            continue
        params: dict[str, str] = {}
        literal = 0
        for rs, s in zip(rsegs, segs, strict=True):
            if rs.startswith("{"):
                if not s:
                    break
                params[rs[1:-1]] = unquote(s)
            elif rs == s:
                literal += 1
            else:
                break
        else:
            path_known = True
            if r.method == method and (best is None or literal > best[0]):
                best = (literal, r, params)
    if best is None:
        return None, {}, path_known
    return best[1], best[2], True


async def read_body(
    request: web.Request, new_id: Callable[[], int]
) -> tuple[Any, list[Attachment]]:
    """The JSON body (``payload_json`` for multipart) and uploaded files of a request."""
    files: list[Attachment] = []
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if part.name == "payload_json":
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                raw = await part.read()  # type: ignore[union-attr]
                files.append(
                    Attachment(
                        id=new_id(),
                        filename=part.filename or part.name or "file",  # type: ignore[union-attr]
                        data=bytes(raw),
                        content_type=part.headers.get("Content-Type"),  # type: ignore[union-attr]
                    )
                )
        return payload, files
    raw = await request.read()
    if not raw:
        return None, files
    try:
        return json.loads(raw), files
    except ValueError:
        return raw.decode(errors="replace"), files


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
