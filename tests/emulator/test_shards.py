"""Emulator sharding (issue #14): /gateway/bot reports shards and max_concurrency, events are
routed by Discord's formula with DMs on shard 0, and an IDENTIFY too soon in a bucket gets op 9."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from emulator import DiscordEmulator
from emulator.gateway import Intents, Op

INTENTS = Intents.GUILDS | Intents.GUILD_MESSAGES | Intents.DIRECT_MESSAGES


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def identify(
    http: aiohttp.ClientSession, emu: DiscordEmulator, shard: list[int]
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    ws = await http.ws_connect(emu.gateway_url)
    hello = await ws.receive_json(timeout=10)
    assert hello["op"] == Op.HELLO
    data = {"token": emu.token, "intents": int(INTENTS), "shard": shard, "properties": {}}
    await ws.send_json({"op": Op.IDENTIFY, "d": data})
    return ws, await ws.receive_json(timeout=10)


async def test_gateway_bot_reports_the_shards(
    emulator: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.shard_count, emulator.max_concurrency = 4, 2
    headers = {"Authorization": f"Bot {emulator.token}"}
    async with http.get(emulator.api_base_url + "/gateway/bot", headers=headers) as resp:
        body = await resp.json()
    assert body["shards"] == 4
    assert body["session_start_limit"]["max_concurrency"] == 2


async def test_identify_too_soon_in_a_bucket_gets_op_9(
    emulator: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.shard_count, emulator.max_concurrency = 4, 2
    emulator.identify_interval = 30.0
    first, ready = await identify(http, emulator, [0, 4])
    assert ready["t"] == "READY" and ready["d"]["shard"] == [0, 4]
    other_bucket, ready = await identify(http, emulator, [1, 4])
    assert ready["t"] == "READY"
    same_bucket, refused = await identify(http, emulator, [2, 4])  # 2 % 2 == bucket 0
    assert refused["op"] == Op.INVALID_SESSION and refused["d"] is False
    assert emulator.identify_refused == 1
    for ws in (first, other_bucket, same_bucket):
        await ws.close()


async def test_events_follow_the_shard_formula_and_dms_go_to_shard_0(
    emulator: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.shard_count = 2
    guilds = [emulator.create_guild(f"G{n}") for n in range(6)]
    sockets = [await identify(http, emulator, [i, 2]) for i in range(2)]
    sessions = {s.shard: s for s in emulator._live_sessions()}
    for i in range(2):
        created = {int(d["id"]) for _, e, d in sessions[(i, 2)].events if e == "GUILD_CREATE"}
        assert created == {g.id for g in guilds if (g.id >> 22) % 2 == i}
    user = emulator.create_user("sam")
    message = await emulator.send_dm(user, "hi")
    assert [s.shard for s in emulator.sessions_sent("MESSAGE_CREATE", message.id)] == [(0, 2)]
    for ws, _ in sockets:
        await ws.close()


async def test_overlap_two_sessions_hold_one_shard_and_both_get_its_events(
    emulator: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    """A rolling restart: the new process identifies while the old one is still connected."""
    emulator.shard_count = 2
    assert emulator.allow_overlap  # the default: Discord lets two sessions hold a shard
    old, ready = await identify(http, emulator, [0, 2])
    new, ready_again = await identify(http, emulator, [0, 2])
    other, _ = await identify(http, emulator, [1, 2])
    assert ready["t"] == ready_again["t"] == "READY"
    assert emulator.overlap_identifies == 1
    holders = emulator.holders(0)
    assert len(holders) == 2 and len(emulator.holders(1)) == 1
    message = await emulator.send_dm(emulator.create_user("sam"), "hi")
    got = [s.id for s in emulator.sessions_sent("MESSAGE_CREATE", message.id)]
    assert sorted(got) == sorted(s.id for s in holders)  # each holder once, shard 1 never
    for ws in (old, new, other):
        await ws.close()


async def test_without_overlap_a_held_shard_refuses_a_second_identify(
    emulator: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.shard_count = 2
    emulator.allow_overlap = False
    first, ready = await identify(http, emulator, [0, 2])
    assert ready["t"] == "READY"
    second, refused = await identify(http, emulator, [0, 2])
    assert refused["op"] == Op.INVALID_SESSION and refused["d"] is False
    assert len(emulator.holders(0)) == 1 and emulator.overlap_identifies == 0
    await first.close()
    await emulator.wait_until(lambda: not emulator.holders(0), what="the shard to be free")
    third, ready = await identify(http, emulator, [0, 2])
    assert ready["t"] == "READY" and len(emulator.holders(0)) == 1
    for ws in (second, third):
        await ws.close()
