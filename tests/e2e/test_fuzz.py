"""Fuzzing every option of every command (issue #10), with Hypothesis.

A moderator (so the checks let the input through to the code) runs random commands with
hostile values: long, empty, zero-width, right-to-left overrides, markdown, mentions, NUL,
emoji, invalid zones and schedules, out-of-range numbers; and, among them, the name of a real
support group and the id of a real check-in, so the commands that act on one get past the
look-up with the other options hostile (a group command defers before it changes channels and
roles: its answer is the followup). Every answer must arrive, be
private, fit Discord's limits, and never be an "unexpected error"; nothing Kindred sends may
be able to ping anyone. ``FUZZ_EXAMPLES`` sets the budget (default 150 in ``make test``; the
nightly size is 5,000).
"""

from __future__ import annotations

import os

import discord
from discord import app_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_authorization import leaf_commands
from tests.e2e.test_groups import create_group
from tests.e2e.test_support import setup_peers

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
SKIP = {"forgetme"}  # deletes the fuzzing moderator's own data: harmless, but noisy
RUNS: list[str] = []  # commands really run (checked by the last test)
ON_REAL: list[str] = []  # those run on the real group or check-in

GROUP = "Grief circle"  # a real group, made on the first example
NASTY = st.sampled_from(
    [
        "",
        " ",
        "x" * 6000,
        "\u200b" * 500,
        "\u202eevil\u202c",
        "**bold** __u__ ||spoiler|| `code` ```block```",
        "@everyone @here <@&1> <@1> <#1>",
        "\x00nul\x00",
        "💀" * 300,
        "Europe/Atlantis",
        "US",
        "../../etc/passwd",
        "every 0 minutes",
        "cron * * * * * *",
        "25:99",
        "-1",
        "9" * 40,
        "'; DROP TABLE timers; --",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=200), st.text(min_size=1000, max_size=7000))
NUMBER = st.one_of(
    st.sampled_from([0, -1, 2**31, -(2**31), 10**15, 365, 366]), st.integers(-(10**9), 10**9)
)


def _clamp(param, value: int) -> int:
    # Discord itself enforces declared ranges: the emulator would refuse the call; the
    # service-side checks are probed with values inside them and at their edges.
    lo = param.min_value if param.min_value is not None else -(2**53)
    hi = param.max_value if param.max_value is not None else 2**53
    return int(min(max(value, lo), hi))


def _value(param, draw, world: World):
    kind = param.type
    if param.choices:
        return draw(st.sampled_from([c.value for c in param.choices]))
    if kind is discord.AppCommandOptionType.string:
        if param.name in ("name", "group") and draw(st.booleans()):
            return GROUP  # a group command's group: the real one half of the time
        text = draw(TEXT)
        if param.max_value is not None:  # for strings discord.py keeps max_length here
            text = text[: int(param.max_value)]
        if param.min_value is not None and len(text) < int(param.min_value):  # min_length
            text += "x" * (int(param.min_value) - len(text))  # Discord refuses shorter
        return text
    if kind in (discord.AppCommandOptionType.integer, discord.AppCommandOptionType.number):
        if param.name == "checkin" and draw(st.booleans()):
            return 1  # a check-in command's check-in: the real one half of the time
        return _clamp(param, draw(NUMBER))
    if kind is discord.AppCommandOptionType.boolean:
        return draw(st.booleans())
    if kind is discord.AppCommandOptionType.channel:
        return draw(st.sampled_from([world.general.id, world.support.id]))
    if kind is discord.AppCommandOptionType.role:
        return draw(st.sampled_from([world.peer_role.id, world.guild.id]))
    if kind in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
        return draw(st.sampled_from([world.member.id, world.member2.id, world.peer.id]))
    return None


def _commands(kindred: Kindred) -> list[app_commands.Command]:
    return [c for c in leaf_commands(kindred.bot.tree) if c.qualified_name not in SKIP]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_hostile_options_never_break_kindred(
    emulator: DiscordEmulator, world: World, kindred: Kindred, data
) -> None:
    if not getattr(kindred, "_fuzz_ready", False):
        await setup_peers(emulator, world)
        await create_group(emulator, world, kindred, name=GROUP)
        made = await emulator.run_command(
            world.mod, world.general, "checkin create",
            {"channel": world.general.id, "schedule": "daily 09:00", "tz": "UTC", "title": "Fuzz"},
        )  # fmt: skip
        assert "check-in #1" in (await made.answer()).text
        kindred._fuzz_ready = True  # type: ignore[attr-defined]
    command = data.draw(st.sampled_from(_commands(kindred)))
    options = {}
    for param in command.parameters:
        if param.required or data.draw(st.booleans()):
            value = _value(param, data.draw, world)
            if value is None:
                return
            options[param.name] = value
    user = world.mod
    before = len(emulator.calls_matching("POST"))
    interaction = await emulator.run_command(user, world.general, command.qualified_name, options)
    where = f"/{command.qualified_name} {sorted(options)}"
    RUNS.append(command.qualified_name)
    if GROUP in options.values() or options.get("checkin") == 1:
        ON_REAL.append(command.qualified_name)
    if (await interaction.response()).is_modal:
        return
    answer = await interaction.answer()  # after a deferral, the followup the person reads
    assert answer.ephemeral, f"{where}: public answer"
    assert len(answer.text) <= 4096 + 2000, where
    assert "something went wrong on my side" not in answer.text, f"{where}: {answer.text}"
    for call in emulator.calls_matching("POST")[before:]:
        mentions = (
            (call.json or {}).get("allowed_mentions") if isinstance(call.json, dict) else None
        )
        if mentions is not None:
            assert "everyone" not in mentions.get("parse", []), where
            assert "roles" not in mentions.get("parse", []), where


def test_fuzzing_really_ran_many_commands() -> None:
    """Runs after the fuzz test in the same session: it must have exercised many commands."""
    if not RUNS:  # the fuzz test was deselected
        return
    assert len(RUNS) >= min(EXAMPLES, 100) * 0.8, len(RUNS)
    assert len(set(RUNS)) >= 25, sorted(set(RUNS))
    assert len(set(ON_REAL)) >= min(10, EXAMPLES // 15), sorted(set(ON_REAL))
    print(f"fuzzing: {len(RUNS)} commands run, {len(set(RUNS))} distinct")
    print(f"on the real group or check-in: {sorted(set(ON_REAL))}")
