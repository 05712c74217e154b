"""Authorization matrix (issue #10), generated from the command tree.

Every slash command Kindred registers is run as a member, a peer supporter, a moderator and
a moderator of *another* server (a plain member here), with options filled from the
command's own parameter types. A command's audience comes from its checks
(``bot.ui.checks.audience_of``): moderators' commands must refuse members, peers and the other
server's moderator; peers' commands must refuse members. A new command added without a check
shows up here as "member" and must not be a moderator's tool in disguise: its name is then
listed in ``MEMBER_COMMANDS`` on purpose, or the test fails.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.ui.checks import audience_of
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import setup_peers

# Commands any member may use (reviewed). A new member-level command must be added here.
MEMBER_COMMANDS = {
    "crisis", "resources", "respite", "warmline", "region set", "region clear",
    "language set", "language clear", "timezone set", "timezone clear", "support", "forgetme",
    "kindred about", "kindred help",
    "safety optout", "safety resources list", "checkin me every", "checkin me status",
    "checkin me pause", "checkin me resume", "checkin me stop", "checkin me history",
    "checkin me share", "checkin shared", "peers tags list",
    "selfhelp", "goal set", "goal list", "goal done", "goal drop", "goal resume", "goal share",
    "goal unshare", "plan write", "plan view", "plan export", "plan delete", "plan share",
    "plan unshare",
    "group list", "group join", "group leave", "group post", "group guidelines show",
    "group meeting list", "group meeting remind", "group facilitator list",
}  # fmt: skip
REFUSALS = ("This command is for moderators", "This is for peer supporters")


def leaf_commands(tree: app_commands.CommandTree) -> list[app_commands.Command]:
    return [c for c in tree.walk_commands() if isinstance(c, app_commands.Command)]


def sample_options(command: app_commands.Command, world: World, role, channel) -> dict | None:
    values: dict = {}
    for param in command.parameters:
        if not param.required:
            continue
        kind = param.type
        if param.choices:
            values[param.name] = param.choices[0].value
        elif kind is discord.AppCommandOptionType.string:
            values[param.name] = "x"
        elif kind in (discord.AppCommandOptionType.integer, discord.AppCommandOptionType.number):
            values[param.name] = int(param.min_value or 1)
        elif kind is discord.AppCommandOptionType.boolean:
            values[param.name] = False
        elif kind is discord.AppCommandOptionType.channel:
            values[param.name] = channel.id
        elif kind is discord.AppCommandOptionType.role:
            values[param.name] = role.id
        elif kind in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
            values[param.name] = world.member2.id
        else:
            return None  # attachments: not generated
    return values


async def test_every_command_against_every_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    # options point at a role and a channel of their own, so a moderator's command run here
    # (e.g. setting the moderator role) cannot change who the other rows are
    sample_role = emulator.create_role(world.guild, "Sample")
    sample_channel = emulator.create_channel(world.guild, "sample")
    # a moderator of another server: Manage Server there, a plain member here
    elsewhere = emulator.create_guild("Elsewhere")
    intruder = emulator.user(elsewhere.owner_id)
    emulator.add_member(world.guild, intruder)
    roles = {"member": world.member, "peer": world.peer, "moderator": world.mod}
    allowed_for = {
        "member": {"member", "peer", "moderator"},
        "peer": {"peer"},  # duty and shifts are for peer supporters, moderators included only
        # if they hold the peer role
        "moderator": {"moderator"},
    }
    checked = 0
    problems = []
    # moderators' commands last: they may re-point the peer role at the sample role
    order = {"member": 0, "peer": 1, "moderator": 2}
    commands = sorted(leaf_commands(kindred.bot.tree), key=lambda c: order[audience_of(c)])
    assert len(commands) >= 40
    for command in commands:
        audience = audience_of(command)
        if audience == "member" and command.qualified_name not in MEMBER_COMMANDS:
            problems.append(f"/{command.qualified_name}: no check; add one or list it")
            continue
        options = sample_options(command, world, sample_role, sample_channel)
        if options is None:
            continue
        for role, user in (*roles.items(), ("other server's moderator", intruder)):
            who = "member" if role == "other server's moderator" else role
            answer = await (
                await emulator.run_command(user, world.general, command.qualified_name, options)
            ).answer()  # a deferred command's answer is its followup
            refused = answer.ephemeral and any(r in answer.text for r in REFUSALS)
            should_refuse = who not in allowed_for[audience]
            checked += 1
            if refused != should_refuse:
                problems.append(
                    f"/{command.qualified_name} as {role}: "
                    f"{'refused' if refused else 'allowed'} (audience {audience})"
                )
            if should_refuse and not answer.ephemeral:
                problems.append(f"/{command.qualified_name} as {role}: public refusal")
    print(f"authorization matrix: {len(commands)} commands, {checked} command x role checks")
    assert not problems, "\n".join(problems)
    assert checked >= 160, checked
