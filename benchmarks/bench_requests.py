"""Support-request life cycle through the Discord emulator.

* ``rest_calls``: REST calls Kindred makes for one full life cycle (intake → card → claim →
  private thread → close), counted by the emulator, split by route.
* ``intake_ratio``: time from ``/support`` (modal submitted) until the card appears in the peer
  channel with 1,000 requests already queued in the database, divided by the same on an empty
  database, in the same run (median of several intakes each). Close to 1 means the queue size
  does not slow intake.

Run: ``.venv/bin/python -m benchmarks --only requests`` or this file directly (prints JSON).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bot.clock import to_db  # noqa: E402
from bot.sandbox import KindredRunner, World, build_world  # noqa: E402
from emulator import DiscordEmulator  # noqa: E402
from emulator.testing import discord_endpoints_kept  # noqa: E402

INTAKES = 15
FIELDS = {"topic": "", "summary": "", "tags": "", "anonymous": "no", "same_peer": "no"}


async def _setup(emu: DiscordEmulator, world: World) -> None:
    await (
        await emu.run_command(
            world.mod,
            world.general,
            "peers setup",
            options={
                "peer_role": world.peer_role.id,
                "peer_channel": world.peers.id,
                "moderator_channel": world.mods.id,
                "thread_channel": world.support.id,
            },
        )
    ).response()
    await (
        await emu.run_command(
            world.mod, world.general, "peers limits", options={"max_requests_per_day": 50}
        )
    ).response()
    await (await emu.run_command(world.peer, world.general, "duty on")).response()


async def _intake(emu: DiscordEmulator, world: World, user) -> tuple[float, int]:
    opened = await emu.run_command(user, world.general, "support")
    await opened.response()
    start = time.perf_counter()
    submitted = await opened.submit_modal(FIELDS)
    answer = await submitted.response()
    number = int(answer.text.split("request #")[1].split(" ")[0].rstrip("."))
    await emu.wait_for_message(
        world.peers, predicate=lambda m: f"Support request #{number}" in m.text, since=0
    )
    return time.perf_counter() - start, number


async def _life_cycle(emu: DiscordEmulator, world: World, runner: KindredRunner) -> dict:
    before = len(emu.calls)
    _, number = await _intake(emu, world, world.member)
    card = await emu.wait_for_message(
        world.peers, predicate=lambda m: f"Support request #{number}" in m.text, since=0
    )
    claim = await emu.press_button(world.peer, card, f"kindred:req:claim:{number}")
    await claim.original_response()
    request = await runner.services.peers.requests.get(number)
    thread = emu.channels[request.thread_id]
    closing = await emu.run_command(world.member, thread, "support", options={"action": "close"})
    await closing.response()
    await emu.wait_for_message(
        emu.dm_channel(world.peer), predicate=lambda m: "is closed" in m.text, since=0
    )
    await emu.gateway_idle()
    calls = emu.calls[before:]
    routes = Counter(f"{c.method} {c.route}" for c in calls)
    return {"total": len(calls), "by_route": dict(routes.most_common())}


async def _seed_queue(runner: KindredRunner, world: World, count: int) -> None:
    db = runner.services.db
    now = to_db(datetime.now(UTC))
    rows = [(world.guild.id, 10_000_000 + i, "open", "", "[]", now, now) for i in range(count)]
    await db.executemany(
        "INSERT INTO support_requests (guild_id, requester_id, status, topic, tags,"
        " created_at, last_activity) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


async def _measure(queued: int) -> dict:
    emu = DiscordEmulator(interaction_ack_timeout=None)
    await emu.start()
    try:
        with tempfile.TemporaryDirectory() as tmp, discord_endpoints_kept():
            world = build_world(emu)
            runner = KindredRunner(emu, Path(tmp) / "bench.db")
            await runner.start()
            try:
                await _setup(emu, world)
                if queued:
                    await _seed_queue(runner, world, queued)
                cycle = await _life_cycle(emu, world, runner) if not queued else None
                users = [emu.create_user(f"m{i}") for i in range(INTAKES)]
                for user in users:
                    emu.add_member(world.guild, user)
                await emu.gateway_idle()
                times = [(await _intake(emu, world, user))[0] for user in users]
            finally:
                await runner.stop()
    finally:
        await emu.stop()
    return {"median_s": statistics.median(times), "cycle": cycle}


async def _run() -> dict:
    empty = await _measure(0)
    full = await _measure(1000)
    return {
        "rest_calls_per_life_cycle": empty["cycle"]["total"],
        "rest_calls_by_route": empty["cycle"]["by_route"],
        "intake_to_card_empty_ms": round(empty["median_s"] * 1000, 2),
        "intake_to_card_1000_queued_ms": round(full["median_s"] * 1000, 2),
        "intake_ratio_1000_vs_empty": round(full["median_s"] / empty["median_s"], 3),
    }


def run() -> dict:
    return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
