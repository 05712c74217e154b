"""The health endpoint: ``GET /health`` answers JSON and HTTP 200 when Kindred is healthy, 503
when not. Off by default (``[health] enabled``) and bound to 127.0.0.1 unless told otherwise.

Healthy means: connected to Discord's gateway, the database takes a write lock, and no due
timer has waited longer than ``[health] max_timer_lag_seconds``. ``python -m bot health`` asks
the endpoint and exits 0 or 1, for a container's ``HEALTHCHECK``.

No discord import here: the client hands in a function that says how its gateway is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.clock import Clock, utcnow
from bot.config import HealthSettings
from bot.db import Database
from bot.timers import Scheduler

log = logging.getLogger(__name__)

#: How long the database probe may take before the answer says "no answer".
DB_PROBE_SECONDS = 2.0


@dataclass(frozen=True)
class Gateway:
    connected: bool
    latency_ms: float | None


class HealthCheck:
    """Gathers the facts; never raises (a failing probe is an unhealthy answer)."""

    def __init__(
        self,
        db: Database,
        scheduler: Scheduler,
        gateway: Callable[[], Gateway],
        *,
        max_lag: timedelta,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.scheduler = scheduler
        self.gateway = gateway
        self.max_lag = max_lag
        self.clock = clock
        self._probe: asyncio.Task[None] | None = None

    async def report(self) -> dict[str, Any]:
        gateway = self.gateway()
        writable, db_error = await self._database()
        lag = await self._timer_lag()
        healthy = gateway.connected and writable and lag is not None and lag <= self.max_lag
        return {
            "healthy": healthy,
            "gateway": {"connected": gateway.connected, "latency_ms": gateway.latency_ms},
            "database": {"writable": writable, "error": db_error},
            "timers": {
                "lag_seconds": None if lag is None else round(lag.total_seconds(), 1),
                "max_lag_seconds": self.max_lag.total_seconds(),
            },
        }

    async def _database(self) -> tuple[bool, str | None]:
        """Take the write lock and let it go. The probe is never cancelled half-way (that could
        leave a transaction open): a slow one is reported as such and finishes on its own."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self.db.probe_write())
        try:
            await asyncio.wait_for(asyncio.shield(self._probe), DB_PROBE_SECONDS)
        except TimeoutError:
            return False, f"no answer within {DB_PROBE_SECONDS:g} s"
        except Exception as exc:
            return False, type(exc).__name__ + ": " + str(exc)[:200]
        return True, None

    async def _timer_lag(self) -> timedelta | None:
        """How long the earliest overdue timer has waited (zero when none is overdue)."""
        try:
            return await self.scheduler.lag()
        except Exception:
            log.exception("health: could not read the timer queue")
            return None


class HealthServer:
    def __init__(self, check: HealthCheck, host: str, port: int) -> None:
        self.check = check
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/health", self._answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self._runner = runner
        log.info("health endpoint on http://%s:%d/health", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        report = await self.check.report()
        return web.json_response(report, status=200 if report["healthy"] else 503)


def latency_ms(seconds: float) -> float | None:
    """discord.py's latency (seconds; inf or nan before the first heartbeat) in ms."""
    return round(seconds * 1000, 1) if math.isfinite(seconds) else None


def _client_host(host: str) -> str:
    """A server bound to every address is asked on the loopback one."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


async def query_health(settings: HealthSettings, *, seconds: float = 5.0) -> tuple[bool, str]:
    """Ask the endpoint; (healthy, the answer or what went wrong, in one line)."""
    if not settings.enabled:
        return False, (
            "the health endpoint is off: set [health] enabled = true "
            "(or KINDRED_HEALTH__ENABLED=true) and restart Kindred"
        )
    host = _client_host(settings.host)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{settings.port}/health"
    try:
        async with (
            ClientSession(timeout=ClientTimeout(total=seconds)) as session,
            session.get(url) as response,
        ):
            body = await response.text()
            status = response.status
    except (ClientError, TimeoutError, OSError) as exc:
        return False, f"no answer from {url}: {type(exc).__name__} {exc}".strip()
    with contextlib.suppress(ValueError):
        body = json.dumps(json.loads(body), separators=(",", ":"))
    return status == 200, f"{status} {body}"
