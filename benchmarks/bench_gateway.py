"""Gateway foundation benchmark: Kindred's per-message cost against a bare discord.py client.

N ``MESSAGE_CREATE`` events (ordinary chat, ~2 % crisis-like lines from the labelled safety
corpus) are pushed through the Discord emulator to

* a bare ``discord.Client`` (intents guilds, guild_messages, dm_messages, message_content;
  ``guild_ready_timeout=0.05``) that only counts messages in ``on_message``, and
* the real Kindred (``KindredRunner``, every cog loaded) with one extra counting listener,

one after the other in the same process, same emulator, same events, alternating twice.
Reported: wall time from the first dispatch until the client's ``on_message`` has seen all
N messages, and CPU time (``time.process_time``), per message, best of the rounds; and
Kindred / bare ratios. The emulator runs in the same process, so its cost (building and
dispatching the events, the websocket) is included on both sides: the ratio understates
Kindred's own overhead, and the difference (``kindred_extra_us_per_msg``) is the honest
figure for it.

Run: ``.venv/bin/python -m benchmarks --only gateway`` or this file directly (prints JSON).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import discord  # noqa: E402

from bot.sandbox import KindredRunner, World, build_world  # noqa: E402
from emulator import DiscordEmulator  # noqa: E402
from emulator.testing import connected_client  # noqa: E402

N = 5_000
ROUNDS = 2
CRISIS_SHARE = 0.02
CORPUS = ROOT / "tests" / "safety" / "corpus.jsonl"
CHAT = [
    "morning all", "anyone up for a game later?", "lol same", "that episode was wild",
    "how was everyone's weekend", "brb making tea", "gg", "thanks for the link!",
    "just finished my shift, so tired", "does anyone know a good recipe for banana bread",
    "haha yes", "my cat knocked my coffee over again", "ok see you tomorrow",
    "the new patch is out", "who's watching the match tonight", "nice one 👍",
]  # fmt: skip


def _has_safety_cog() -> bool:
    return (ROOT / "cogs" / "safety").is_dir() or (ROOT / "cogs" / "safety.py").exists()


def _messages(rng: random.Random) -> list[str]:
    crisis: list[str] = []
    if _has_safety_cog():
        with CORPUS.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        crisis = [r["text"] for r in rows if r["label"] == "crisis_self"]
    out = []
    for _ in range(N):
        if crisis and rng.random() < CRISIS_SHARE:
            out.append(rng.choice(crisis))
        else:
            out.append(" ".join(rng.choice(CHAT) for _ in range(rng.randint(1, 3))))
    return out


class _Counter:
    def __init__(self) -> None:
        self.seen = 0
        self.target = 0
        self.done = asyncio.Event()

    def arm(self, target: int) -> None:
        self.seen, self.target = 0, target
        self.done.clear()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        self.seen += 1
        if self.seen >= self.target:
            self.done.set()


async def _push(
    emu: DiscordEmulator, world: World, texts: list[str], counter: _Counter, worker=None
) -> dict:
    authors = (world.member, world.member2, world.peer)
    counter.arm(len(texts))
    start_items = worker.items if worker is not None else 0
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i, text in enumerate(texts):
        await emu.send_message(authors[i % len(authors)], world.general, text)
        if i % 50 == 49:
            await asyncio.sleep(0)  # let the client drain like a live gateway would
    await asyncio.wait_for(counter.done.wait(), timeout=120)
    # Detection runs in Kindred's worker thread: count its work too (process CPU time
    # includes every thread), so wait until it has assessed every message.
    while worker is not None and worker.items - start_items < len(texts):  # noqa: ASYNC110
        await asyncio.sleep(0.001)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    await emu.gateway_idle(10)
    return {"wall_s": wall, "cpu_s": cpu}


def _bare_client() -> discord.Client:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True
    return discord.Client(intents=intents, guild_ready_timeout=0.05)


async def _bare_round(texts: list[str]) -> dict:
    async with DiscordEmulator() as emu:
        world = build_world(emu)
        counter = _Counter()
        async with connected_client(emu, _bare_client) as client:
            client.event(counter.on_message)  # registered under its name, on_message
            return await _push(emu, world, texts, counter)


async def _kindred_round(texts: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        async with DiscordEmulator() as emu:
            world = build_world(emu)
            runner = KindredRunner(emu, Path(tmp) / "bench.db")
            bot = await runner.start()
            try:
                counter = _Counter()
                bot.add_listener(counter.on_message, "on_message")
                cog = bot.get_cog("Safety")
                worker = getattr(cog, "worker", None)
                before = (worker.items, worker.batches) if worker else (0, 0)
                result = await _push(emu, world, texts, counter, worker)
                if worker is not None and worker.batches > before[1]:
                    result["avg_batch"] = (worker.items - before[0]) / (worker.batches - before[1])
                result["bot_posts"] = sum(
                    len(emu.messages_in(ch, author=emu.bot_user))
                    for ch in (world.general, world.peers, world.mods, world.support)
                )
                return result
            finally:
                await runner.stop()


def _best(rounds: list[dict]) -> dict:
    return {
        "wall_us_per_msg": min(r["wall_s"] for r in rounds) / N * 1e6,
        "cpu_us_per_msg": min(r["cpu_s"] for r in rounds) / N * 1e6,
    }


async def _run() -> dict:
    texts = _messages(random.Random(20240611))
    bare: list[dict] = []
    kindred: list[dict] = []
    rounds: list[tuple[list[dict], Callable[[list[str]], Awaitable[dict]]]] = [
        (bare, _bare_round),
        (kindred, _kindred_round),
    ]
    for _ in range(ROUNDS):
        for sink, fn in rounds:
            sink.append(await fn(texts))
    b, k = _best(bare), _best(kindred)
    return {
        "messages": N,
        "crisis_like_messages": sum(t in _crisis_set() for t in texts),
        "rounds": ROUNDS,
        "bare_wall_us_per_msg": round(b["wall_us_per_msg"], 1),
        "kindred_wall_us_per_msg": round(k["wall_us_per_msg"], 1),
        "wall_ratio_kindred_vs_bare": round(k["wall_us_per_msg"] / b["wall_us_per_msg"], 3),
        "bare_cpu_us_per_msg": round(b["cpu_us_per_msg"], 1),
        "kindred_cpu_us_per_msg": round(k["cpu_us_per_msg"], 1),
        "cpu_ratio_kindred_vs_bare": round(k["cpu_us_per_msg"] / b["cpu_us_per_msg"], 3),
        "kindred_extra_us_per_msg": round(k["cpu_us_per_msg"] - b["cpu_us_per_msg"], 1),
        "kindred_posts_per_round": kindred[-1]["bot_posts"],
        "detector_avg_batch": round(kindred[-1].get("avg_batch", 0.0), 1),
        "note": "emulator cost (same process) is included on both sides",
    }


def _crisis_set() -> set[str]:
    if not _has_safety_cog():
        return set()
    with CORPUS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["text"] for r in rows if r["label"] == "crisis_self"}


def run() -> dict:
    logging.getLogger("discord").setLevel(logging.WARNING)
    return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
