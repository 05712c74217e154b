"""The health endpoint's facts (gateway, database write lock, timer lag) and its HTTP answer."""

from __future__ import annotations

import socket
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import HealthSettings
from bot.db import Database
from bot.health import Gateway, HealthCheck, HealthServer, latency_ms, query_health
from bot.services import Services
from tests.unit.conftest import FakeClock

UP = Gateway(connected=True, latency_ms=42.0)
DOWN = Gateway(connected=False, latency_ms=None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check(services: Services, gateway: Gateway = UP, db: Database | None = None) -> HealthCheck:
    return HealthCheck(
        db or services.db,
        services.scheduler,
        lambda: gateway,
        max_lag=timedelta(minutes=5),
        clock=services.clock,
    )


async def test_healthy_when_connected_writable_and_no_timer_waits(services: Services) -> None:
    report = await check(services).report()
    assert report == {
        "healthy": True,
        "gateway": {"connected": True, "latency_ms": 42.0},
        "database": {"writable": True, "error": None},
        "timers": {"lag_seconds": 0.0, "max_lag_seconds": 300.0},
    }


async def test_a_lost_gateway_is_unhealthy(services: Services) -> None:
    report = await check(services, DOWN).report()
    assert report["healthy"] is False
    assert report["gateway"] == {"connected": False, "latency_ms": None}


async def test_a_timer_waiting_too_long_is_unhealthy(services: Services, clock: FakeClock) -> None:
    await services.scheduler.schedule_once("test.kind", clock() - timedelta(minutes=1))
    report = await check(services).report()
    assert report["timers"]["lag_seconds"] == 60.0
    assert report["healthy"] is True, "a minute late is within the bound"
    clock.advance(minutes=10)
    report = await check(services).report()
    assert report["timers"]["lag_seconds"] == 660.0
    assert report["healthy"] is False


async def test_a_database_that_takes_no_write_lock_is_unhealthy(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "locked.db"
    db = Database(path, busy_timeout_ms=50)
    await db.connect()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
        report = await check(services, db=db).report()
        assert report["database"]["writable"] is False
        assert "locked" in report["database"]["error"]
        assert report["healthy"] is False
        other.execute("ROLLBACK")
        report = await check(services, db=db).report()
        assert report["database"] == {"writable": True, "error": None}
        # The probe left no transaction open: an ordinary write still works.
        await db.execute("CREATE TABLE t (x)")
    finally:
        other.close()
        await db.close()


async def test_the_endpoint_answers_200_or_503_and_the_query_says_which(
    services: Services,
) -> None:
    port = free_port()
    gateway = {"now": UP}
    probe = HealthCheck(
        services.db, services.scheduler, lambda: gateway["now"], max_lag=timedelta(minutes=5)
    )
    server = HealthServer(probe, "127.0.0.1", port)
    await server.start()
    settings = HealthSettings(enabled=True, port=port)
    try:
        healthy, text = await query_health(settings)
        assert healthy
        assert text.startswith('200 {"healthy":true')
        gateway["now"] = DOWN
        healthy, text = await query_health(settings)
        assert not healthy
        assert text.startswith('503 {"healthy":false,"gateway":{"connected":false')
    finally:
        await server.stop()
    healthy, text = await query_health(settings, seconds=2)
    assert not healthy
    assert text.startswith(f"no answer from http://127.0.0.1:{port}/health")


async def test_asking_a_switched_off_endpoint_says_how_to_switch_it_on() -> None:
    healthy, text = await query_health(HealthSettings())
    assert not healthy
    assert "[health] enabled = true" in text
    assert "KINDRED_HEALTH__ENABLED" in text


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0.0421, 42.1), (float("inf"), None), (float("nan"), None)]
)
def test_latency_before_the_first_heartbeat_is_unknown(
    seconds: float, expected: float | None
) -> None:
    assert latency_ms(seconds) == expected
