"""Fixtures for service unit tests: a migrated database and a clock the test moves.

``services`` (and ``database_url``) run every test twice: on a SQLite file and on a fresh
PostgreSQL schema (``backend``; the PostgreSQL runs carry the ``pg`` marker and skip without
PostgreSQL outside CI, see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import Services, build_services
from tests.helpers.postgres import Cluster

BACKENDS = ("sqlite", "postgres")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database: a SQLite file, or a new schema on the session's PostgreSQL
    cluster (``build_services`` and ``apply_migrations`` migrate it)."""
    if backend == "sqlite":
        return str(tmp_path / "kindred.db")
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return await cluster.create_schema()


@pytest.fixture
async def services(database_url: str, clock: FakeClock) -> AsyncIterator[Services]:
    url = database_url if database_url.startswith("postgres") else None
    config = Settings(database={"path": database_url, "url": url})
    built = await build_services(config, clock=clock)
    yield built
    await built.close()
