"""pytest fixtures for the Discord emulator.

Use from a conftest::

    from emulator.pytest_plugin import emulator  # noqa: F401  (re-exported fixture)

or enable it for a whole run with ``-p emulator.pytest_plugin``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from .server import DiscordEmulator
from .testing import connected_client

__all__ = ["assert_no_problems", "connected_client", "emulator", "emulator_problems"]


def emulator_problems(emu: DiscordEmulator) -> list[str]:
    """Unknown routes and crashed handlers seen by ``emu`` (empty when all is well)."""
    problems = [f"unknown route: {c.method} {c.path}" for c in emu.unknown_routes]
    problems += [f"emulator handler crashed: {c.method} {c.path}" for c in emu.handler_errors]
    return problems


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    """A started :class:`DiscordEmulator`; the test fails if the bot hit unknown routes."""
    emu = DiscordEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert_no_problems(emu)


def assert_no_problems(emu: DiscordEmulator) -> None:
    """``pytest.fail`` listing unknown routes / crashed handlers, if any."""
    problems = emulator_problems(emu)
    if problems:
        pytest.fail("Discord emulator saw problems:\n  " + "\n  ".join(problems), pytrace=False)
