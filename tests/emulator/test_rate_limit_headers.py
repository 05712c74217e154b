"""Rate-limit headers on demand: off by default (discord.py then keeps one request in flight
per bucket), or a generous limit that never runs out, for benchmarks of the bot itself."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from emulator import DiscordEmulator, connected_client


async def _headers(emulator: DiscordEmulator) -> dict[str, str]:
    auth = {"Authorization": f"Bot {emulator.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(emulator.api_base_url + "/users/@me", headers=auth) as answer,
    ):
        assert answer.status == 200
        return dict(answer.headers)


async def test_no_headers_by_default_a_limit_that_never_runs_out_on_demand(
    emulator: DiscordEmulator,
) -> None:
    assert "X-RateLimit-Remaining" not in await _headers(emulator)
    emulator.rate_limit_headers = 50
    headers = await _headers(emulator)
    assert headers["X-RateLimit-Limit"] == "50"
    assert headers["X-RateLimit-Remaining"] == "49"
    assert headers["X-RateLimit-Bucket"] == "emulator:/users/@me"


@pytest.mark.parametrize(("limit", "together"), [(None, 1), (50, 10)])
async def test_discord_py_keeps_one_request_in_flight_per_bucket_without_them(
    emulator: DiscordEmulator, limit: int | None, together: int
) -> None:
    emulator.rate_limit_headers = limit
    flying = peak = 0

    @emulator.route("GET", "/slow/{n}")
    async def slow(req) -> dict:
        nonlocal flying, peak
        flying += 1
        peak = max(peak, flying)
        await asyncio.sleep(0.05)
        flying -= 1
        return {}

    def client() -> discord.Client:
        return discord.Client(intents=discord.Intents.none())

    async with connected_client(emulator, client) as bot:
        await bot.http.request(discord.http.Route("GET", "/slow/{n}", n=0))  # learns the bucket
        await asyncio.gather(
            *(bot.http.request(discord.http.Route("GET", "/slow/{n}", n=i)) for i in range(10))
        )
    assert peak == together
