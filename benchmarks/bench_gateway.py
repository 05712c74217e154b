"""Gateway foundation benchmark: Kindred's per-message CPU against a bare discord.py client.

``MESSAGE_CREATE`` events (ordinary chat, ~2 % crisis-like lines from the labelled safety
corpus) are pushed through the Discord emulator to

* a bare ``discord.Client`` (intents guilds, guild_messages, dm_messages, message_content;
  ``guild_ready_timeout=0.05``) that only counts messages in ``on_message``, and
* the real Kindred (``KindredRunner``, every cog loaded) with one extra counting listener,
  waiting until its detector has assessed every message (its worker thread's CPU counts),
* and the same Kindred with the safety cog's message hook removed (no detection at all),
  which shows how much of Kindred's cost is the detector's path.

Each side runs in its own OS process with its own emulator (so the emulator's cost is on
every side), all connected for the whole run. The parent hands them the same chunks of
messages in turn: only one side works at a time, and each chunk's CPU time
(``time.process_time``: every thread of that process) is measured by the process that did
the work. The order of the sides turns from chunk to chunk (``_order``, a balanced design),
so that no side always runs in the same place or after the same side. On a shared VM the
machine's speed drifts by ±25 % over seconds; small chunks in turn put the sides in the same
moments, so the drift cancels in the ratio of the totals (``cpu_ratio_kindred_vs_bare``);
the median and 10th/90th percentiles of the per-chunk ratios are reported beside it. A
warm-up chunk (start-up, the detector's memo of chat words) is not counted. Wall time per
message is reported too.

``kindred_extra_us_per_msg`` (Kindred CPU minus bare CPU per message) is the direct figure
for Kindred's own overhead: the emulator's share is in both sides of the ratio.

Run: ``.venv/bin/python -m benchmarks --only gateway`` or this file directly (prints JSON).
To measure a change against the code before it in the same runs::

    git worktree add /tmp/before HEAD~1
    .venv/bin/python benchmarks/bench_gateway.py --against /tmp/before --runs 12
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import discord  # noqa: E402

from bot.sandbox import KindredRunner, World, build_world  # noqa: E402
from emulator import DiscordEmulator  # noqa: E402
from emulator.testing import connected_client  # noqa: E402

CHUNK = 500  # messages a side handles in one turn
CHUNKS = 24  # turns each side, counted
WARMUP = 1_000  # messages first, not counted
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


@functools.cache
def _crisis_lines() -> tuple[str, ...]:
    """The safety corpus's crisis_self lines (none when there is no safety cog)."""
    if not _has_safety_cog():
        return ()
    with CORPUS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return tuple(r["text"] for r in rows if r["label"] == "crisis_self")


def _messages(rng: random.Random, n: int, crisis: tuple[str, ...] | None = None) -> list[str]:
    """``n`` chat messages of 1-3 ``CHAT`` lines, ~``CRISIS_SHARE`` of them one of ``crisis``
    (by default the corpus's crisis lines; ``()``: none)."""
    if crisis is None:
        crisis = _crisis_lines()
    out = []
    for _ in range(n):
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


class _Side:
    """One side in its own process (``--side``): connects, then pushes a chunk for every
    ``push <k>`` line read from stdin and answers one JSON line; ``stats``, ``quit``."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.texts = _messages(random.Random(20240611), WARMUP + CHUNK * CHUNKS)

    def chunk(self, k: int) -> list[str]:
        if k < 0:
            return self.texts[:WARMUP]
        return self.texts[WARMUP + k * CHUNK : WARMUP + (k + 1) * CHUNK]

    async def serve(self) -> None:
        async with DiscordEmulator() as emu:
            world = build_world(emu)
            counter = _Counter()
            if self.side == "bare":
                async with connected_client(emu, _bare_client) as client:
                    client.event(counter.on_message)  # registered under its name, on_message
                    await self._loop(emu, world, counter, None)
                return
            with tempfile.TemporaryDirectory() as tmp:
                runner = KindredRunner(emu, Path(tmp) / "bench.db")
                bot = await runner.start()
                try:
                    bot.add_listener(counter.on_message, "on_message")
                    cog = bot.get_cog("Safety")
                    worker = getattr(cog, "worker", None)
                    if self.side == "kindred-no-detector" and cog is not None:
                        bot.remove_message_hook(cog.on_message_hook)
                        worker = None
                    await self._loop(emu, world, counter, worker)
                finally:
                    await runner.stop()

    async def _loop(self, emu, world, counter, worker) -> None:
        loop = asyncio.get_running_loop()
        _answer({"ready": True})
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                return
            if line[0] == "push":
                _answer(await _push(emu, world, self.chunk(int(line[1])), counter, worker))
            elif line[0] == "stats":
                posts = sum(
                    len(emu.messages_in(ch, author=emu.bot_user))
                    for ch in (world.general, world.peers, world.mods, world.support)
                )
                stats = {"bot_posts": posts, "avg_batch": 0.0}
                if worker is not None and worker.batches:
                    stats["avg_batch"] = worker.items / worker.batches
                _answer(stats)


def _answer(payload: dict) -> None:
    sys.stdout.write("@@ " + json.dumps(payload) + "\n")
    sys.stdout.flush()


class _Child:
    def __init__(self, side: str, root: Path = ROOT) -> None:
        """A side in its own process; with ``root``, another checkout's Kindred (its own
        copy of this file serves the side)."""
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.proc = subprocess.Popen(
            [sys.executable, str(root / "benchmarks" / "bench_gateway.py"), "--side", side],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str | None = None) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"benchmark side exited ({self.proc.wait()})")
            if line.startswith("@@ "):
                return json.loads(line[3:])

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        except Exception:
            self.proc.kill()


SIDES = ("bare", "kindred", "kindred-no-detector")


def _order(k: int, n: int) -> list[int]:
    """The order the ``n`` sides take chunk ``k`` in: a Williams design (rows of a balanced
    Latin square, mirrored too when ``n`` is odd), so that over ``n`` (or ``2n``) chunks each
    side runs in each place equally often and right after each other side equally often.
    With a fixed order (0..n-1, then n-1..0) the fourth side of an A/A run, the same code as
    the second, cost 8-11 µs a message more than the second (medians of six runs, whichever
    checkout sat in which place): the order, not the code."""
    base, low, high = [0], 1, n - 1
    while len(base) < n:
        base.append(low)
        low += 1
        if len(base) < n:
            base.append(high)
            high -= 1
    cycle = k % (n if n % 2 == 0 else 2 * n)
    row = [(b + cycle) % n for b in base]
    return row[::-1] if cycle >= n else row


def run(against: Path | None = None) -> dict:
    """One interleaved run. ``against``: another checkout (say a ``git worktree`` of the
    previous commit) whose Kindred runs as a fourth side on the same chunks, so a change
    is measured against the code before it in the same moments of the machine."""
    children = [_Child(side) for side in SIDES]
    if against is not None:
        children.append(_Child("kindred", Path(against).resolve()))
    try:
        for child in children:
            child.ask()  # connected
        for child in children:
            child.ask("push -1")  # warm-up, not counted
        rows: list[list[dict]] = []
        for k in range(CHUNKS):
            row: list[dict] = [{}] * len(children)
            for i in _order(k, len(children)):
                row[i] = children[i].ask(f"push {k}")
            rows.append(row)
        stats = children[1].ask("stats")
    finally:
        for child in children:
            child.close()
    n = CHUNK * CHUNKS

    def per_msg(i: int, what: str) -> float:
        return sum(row[i][what] for row in rows) / n * 1e6

    bare_cpu, kin_cpu, quiet_cpu = (per_msg(i, "cpu_s") for i in range(3))
    bare_wall, kin_wall = per_msg(0, "wall_s"), per_msg(1, "wall_s")
    pairs = [row[1]["cpu_s"] / row[0]["cpu_s"] for row in rows]
    texts = _messages(random.Random(20240611), WARMUP + n)[WARMUP:]
    crisis = set(_crisis_lines())
    result = {
        "messages": n,
        "crisis_like_messages": sum(t in crisis for t in texts),
        "chunks": f"{CHUNKS} x {CHUNK}, sides in a balanced order, after {WARMUP} warm-up",
        "bare_wall_us_per_msg": round(bare_wall, 1),
        "kindred_wall_us_per_msg": round(kin_wall, 1),
        "wall_ratio_kindred_vs_bare": round(kin_wall / bare_wall, 3),
        "bare_cpu_us_per_msg": round(bare_cpu, 1),
        "kindred_cpu_us_per_msg": round(kin_cpu, 1),
        "cpu_ratio_kindred_vs_bare": round(kin_cpu / bare_cpu, 3),
        "cpu_pair_ratio_median": round(statistics.median(pairs), 3),
        "cpu_pair_ratio_p10_p90": [round(q, 3) for q in statistics.quantiles(pairs, n=10)[0::8]],
        "kindred_extra_us_per_msg": round(kin_cpu - bare_cpu, 1),
        "no_detector_cpu_us_per_msg": round(quiet_cpu, 1),
        "no_detector_extra_us_per_msg": round(quiet_cpu - bare_cpu, 1),
        "kindred_posts": stats["bot_posts"],
        "detector_avg_batch": round(stats["avg_batch"], 1),
        "note": "each side in its own process with its own emulator (its cost on every side)",
    }
    if against is not None:
        other = per_msg(3, "cpu_s")
        result["against"] = str(against)
        result["against_cpu_us_per_msg"] = round(other, 1)
        result["cpu_ratio_against_vs_bare"] = round(other / bare_cpu, 3)
        result["kindred_minus_against_us_per_msg"] = round(kin_cpu - other, 1)
    return result


def _repeat(runs: int, against: Path | None) -> dict:
    """``runs`` whole runs: the machine's load moves every figure between runs far more
    than most changes do, so report each run and the medians."""
    results = [run(against) for _ in range(runs)]
    keys = ["cpu_ratio_kindred_vs_bare", "kindred_extra_us_per_msg"]
    if against is not None:
        keys += ["cpu_ratio_against_vs_bare", "kindred_minus_against_us_per_msg"]
    summary: dict = {"runs": runs}
    for key in keys:
        values = [r[key] for r in results]
        summary[key] = {"median": round(statistics.median(values), 3), "each": values}
    summary["runs_at_or_under_1.25"] = sum(r["cpu_ratio_kindred_vs_bare"] <= 1.25 for r in results)
    return summary


def _main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=SIDES)
    parser.add_argument(
        "--against", type=Path, help="another checkout whose Kindred runs as a fourth side"
    )
    parser.add_argument("--runs", type=int, default=1, help="whole runs; medians reported")
    args = parser.parse_args()
    if args.side:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        logging.getLogger("discord").setLevel(logging.WARNING)
        asyncio.run(_Side(args.side).serve())
    elif args.runs > 1:
        print(json.dumps(_repeat(args.runs, args.against), indent=2))
    else:
        print(json.dumps(run(args.against), indent=2))


if __name__ == "__main__":
    _main()
