"""Support groups at scale: start-up reconciliation of 1,000 groups with 50,000 memberships
against the Discord emulator.

Five servers of 200 groups each (Discord allows 250 roles per server), 2,000 members per
server, each in five groups: 1,000 groups, 50,000 memberships, 10,000 distinct members.
Groups and memberships are stored with plain SQL in the shape ``GroupService`` stores them;
the emulator holds the same roles, channels and members. Kindred then starts for real.

* ``unchanged``: a restart where nothing changed: REST calls the reconciliation made (one
  role-count call per server, no member look-ups) and its time.
* ``changed``: while Kindred was down, a moderator took a group's role from 20 members by hand,
  10 members left their server and 3 were given a role by hand. REST calls and time.
* ``naive_calls``: what checking every member would cost (one look-up per distinct member);
  the ratios compare with it. ``time_ratio_changed_vs_unchanged`` and the per-call figures are
  for information: the ratios are what ``baselines.json`` records.

Run: ``.venv/bin/python -m benchmarks --only groups`` or this file directly (prints JSON).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bot.clock import to_db  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.sandbox import KindredRunner  # noqa: E402
from bot.services import build_services  # noqa: E402
from emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, P  # noqa: E402
from emulator.testing import discord_endpoints_kept  # noqa: E402

SERVERS = 5
GROUPS_PER_SERVER = 200
MEMBERS_PER_SERVER = 2_000
GROUPS_PER_MEMBER = 5
TAKEN_BY_HAND, LEFT, GIVEN_BY_HAND = 20, 10, 3
BOT_PERMISSIONS = DEFAULT_BOT_PERMISSIONS | P.MANAGE_ROLES | P.MANAGE_CHANNELS
RECONCILE_ROUTES = (
    "GET /guilds/{guild_id}/roles/member-counts",
    "GET /guilds/{guild_id}/members/{user_id}",
)


def _groups_of(index: int) -> list[int]:
    """The five groups (0-199) member number ``index`` of a server belongs to."""
    return [(index * GROUPS_PER_MEMBER + k) % GROUPS_PER_SERVER for k in range(GROUPS_PER_MEMBER)]


def _world(emu: DiscordEmulator) -> list[dict]:
    """The servers, as the emulator holds them and as Kindred will store them."""
    servers = []
    for s in range(SERVERS):
        guild = emu.create_guild(f"Haven {s}", bot_permissions=BOT_PERMISSIONS)
        roles = [
            emu.create_role(guild, f"Group {s}-{g}", position=g + 1)
            for g in range(GROUPS_PER_SERVER)
        ]
        assert guild.bot_role is not None
        guild.bot_role.position = GROUPS_PER_SERVER + 10
        channels = [emu.create_channel(guild, f"group-{s}-{g}") for g in range(GROUPS_PER_SERVER)]
        members = []
        for m in range(MEMBERS_PER_SERVER):
            user = emu.create_user(f"m{s}-{m}")
            emu.add_member(guild, user, roles=[roles[g] for g in _groups_of(m)])
            members.append(user)
        servers.append({"guild": guild, "roles": roles, "channels": channels, "members": members})
    return servers


def _store(path: Path, servers: list[dict]) -> int:
    now = to_db(datetime.now(UTC))
    conn = sqlite3.connect(path)
    group_rows, member_rows = [], []
    group_id = 0
    for server in servers:
        guild = server["guild"]
        ids = []
        for g, (role, channel) in enumerate(zip(server["roles"], server["channels"], strict=True)):
            group_id += 1
            ids.append(group_id)
            name = f"Group {g}"
            group_rows.append(
                (group_id, guild.id, name, name.casefold(), "d", channel.id, role.id, 1, now)
            )
        for m, user in enumerate(server["members"]):
            member_rows.extend((ids[g], guild.id, user.id, now) for g in _groups_of(m))
    with conn:
        conn.executemany(
            "INSERT INTO support_groups (id, guild_id, name, name_key, description, channel_id,"
            " role_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            group_rows,
        )
        conn.executemany(
            "INSERT INTO group_members (group_id, guild_id, user_id, joined_at)"
            " VALUES (?, ?, ?, ?)",
            member_rows,
        )
    conn.close()
    return len(member_rows)


def _change_by_hand(emu: DiscordEmulator, servers: list[dict]) -> None:
    """What moderators and members did while Kindred was down."""
    first, second = servers[0], servers[1]
    for i in range(TAKEN_BY_HAND):  # a role taken away, from 20 members in 20 groups
        user = first["members"][i * 37]
        member = emu.member(first["guild"], user)
        member.roles = member.roles[1:]
    for i in range(LEFT):  # members who left (each was in five groups)
        emu.remove_member(second["guild"], second["members"][i * 53 + 1])
    for i in range(GIVEN_BY_HAND):  # a role given by hand (found when the member is next seen)
        user = first["members"][1000 + i]
        emu.member(first["guild"], user).roles.append(first["roles"][199 - i].id)


async def _restart(emu: DiscordEmulator, runner: KindredRunner) -> dict:
    before = len(emu.calls)
    await runner.start()
    cog = runner.bot.get_cog("Groups")
    await cog.wait_reconciled()
    routes = Counter(f"{c.method} {c.route}" for c in emu.calls[before:])
    stats = dict(cog.reconcile_stats)
    await runner.stop()
    return {
        "rest_calls": sum(routes[r] for r in RECONCILE_ROUTES),
        "role_count_calls": routes[RECONCILE_ROUTES[0]],
        "member_lookups": routes[RECONCILE_ROUTES[1]],
        "groups_differing": int(stats.get("differing", 0)),
        "seconds": round(stats["seconds"], 3),
    }


async def _run() -> dict:
    emu = DiscordEmulator(interaction_ack_timeout=None)
    await emu.start()
    try:
        with tempfile.TemporaryDirectory() as tmp, discord_endpoints_kept():
            path = Path(tmp) / "bench.db"
            services = await build_services(Settings(database={"path": path}))
            await services.close()
            servers = _world(emu)
            memberships = _store(path, servers)
            runner = KindredRunner(emu, path, discord_settings={"sync_commands": False})
            await _restart(emu, runner)  # warm: imports, first connection, file cache
            unchanged = await _restart(emu, runner)
            _change_by_hand(emu, servers)
            changed = await _restart(emu, runner)
            after = await _restart(emu, runner)  # the records now match Discord again
            check = await build_services(Settings(database={"path": path}))
            stored = int(await check.db.fetchval("SELECT COUNT(*) FROM group_members"))
            await check.close()
    finally:
        await emu.stop()
    expected = memberships - TAKEN_BY_HAND - LEFT * GROUPS_PER_MEMBER
    assert stored == expected, (stored, expected)
    naive = SERVERS * MEMBERS_PER_SERVER
    return {
        "groups": SERVERS * GROUPS_PER_SERVER,
        "memberships": memberships,
        "naive_calls": naive,
        "unchanged": unchanged,
        "changed": changed,
        "after_changes": after,
        "calls_ratio_unchanged_vs_naive": round(unchanged["rest_calls"] / naive, 5),
        "calls_ratio_changed_vs_naive": round(changed["rest_calls"] / naive, 4),
        "time_ratio_changed_vs_unchanged": round(changed["seconds"] / unchanged["seconds"], 2),
        "memberships_after": stored,
    }


def run() -> dict:
    return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
