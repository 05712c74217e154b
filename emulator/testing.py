"""Helpers to point the real discord.py at a :class:`DiscordEmulator`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl

from .server import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def discord_endpoints_kept() -> Iterator[None]:
    """Put discord.py's REST base and gateway URL (class attributes, shared by the whole
    process) back as they were on exit, however they were changed inside: by
    :func:`patch_discord`, or by Kindred, which points them at its configured endpoints
    when it starts."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.contextmanager
def patch_discord(emu: DiscordEmulator) -> Iterator[None]:
    """Point discord.py's REST base and gateway at the emulator (restored on exit).

    discord.py 2.x quirk: a non-sharded ``Client`` never asks ``GET /gateway/bot`` for the
    gateway URL; it connects to ``DiscordWebSocket.DEFAULT_GATEWAY`` (and falls back to it
    after INVALID_SESSION), using READY's ``resume_gateway_url`` only to RESUME. So both
    ``Route.BASE`` and ``DEFAULT_GATEWAY`` must be overridden."""
    with discord_endpoints_kept():
        discord.http.Route.BASE = emu.api_base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
        yield


@contextlib.asynccontextmanager
async def connected_client(
    emu: DiscordEmulator,
    client_factory: Callable[[], ClientT] | ClientT,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109
) -> AsyncIterator[ClientT]:
    """Start a discord.py client against the emulator and wait for ``on_ready``.

    Tip: build clients with ``guild_ready_timeout=0.05`` or READY waits 2 s after the
    last GUILD_CREATE (discord.py's default)."""
    client = client_factory if isinstance(client_factory, discord.Client) else client_factory()
    with patch_discord(emu):
        async with client:  # runs discord.py's _async_setup_hook (creates the ready event)
            task = asyncio.create_task(client.start(emu.token), name="emulator-client")
            ready = asyncio.create_task(client.wait_until_ready())
            try:
                done, _ = await asyncio.wait(
                    {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if task in done:
                    ready.cancel()
                    task.result()  # re-raise the login/connect failure
                    raise RuntimeError("discord client stopped before becoming ready")
                if ready not in done:
                    raise TimeoutError(f"discord client not ready after {timeout}s")
                await emu.gateway_idle(timeout)
                yield client
            finally:
                ready.cancel()
                if not client.is_closed():
                    await client.close()
                try:
                    await asyncio.wait_for(task, timeout=5)
                except (asyncio.CancelledError, TimeoutError):
                    task.cancel()
                except Exception:
                    pass
