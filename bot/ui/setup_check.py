"""``/kindred setup`` on the Discord side: look up the ids the features use and turn them into
plain facts (permission integers, role positions) for the rules in ``bot/services/doctor``,
then show the findings."""

from __future__ import annotations

from collections import defaultdict

import discord

from bot.services.doctor import ChannelFacts, Checkup, Finding, GuildFacts, Needs, RoleFacts
from bot.ui.lookup import find_channel
from bot.ui.replies import COLOUR, WARM

#: Discord allows 6,000 characters in an embed and 25 fields; leave room for the rest.
EMBED_BUDGET = 5000
MAX_FIELDS = 22


async def gather_facts(bot: discord.Client, guild: discord.Guild, needs: Needs) -> GuildFacts:
    me = guild.me
    audiences: dict[int, set[int]] = defaultdict(set)
    for place in needs.places:
        audiences[place.channel_id].update(a.role_id for a in place.seen_by)
    channels = {
        channel_id: await _channel_facts(bot, guild, channel_id, roles)
        for channel_id, roles in audiences.items()
    }
    roles = {use.role_id: _role_facts(guild, use.role_id) for use in needs.roles}
    own_role = guild.self_role or me.top_role
    return GuildFacts(
        guild_id=guild.id,
        bot_role=own_role.name,
        bot_permissions=me.guild_permissions.value,
        bot_top_position=me.top_role.position,
        channels=channels,
        roles=roles,
    )


async def _channel_facts(
    bot: discord.Client, guild: discord.Guild, channel_id: int, role_ids: set[int]
) -> ChannelFacts:
    channel = guild.get_channel(channel_id) or await find_channel(bot, channel_id)
    if channel is None or getattr(channel, "guild", None) != guild:
        return ChannelFacts(exists=False)
    visible = set()
    for role_id in role_ids:
        role = guild.get_role(role_id)
        if role is not None and channel.permissions_for(role).view_channel:
            visible.add(role_id)
    return ChannelFacts(
        exists=True,
        is_text=isinstance(channel, discord.TextChannel),
        bot_permissions=channel.permissions_for(guild.me).value,
        visible_to=frozenset(visible),
    )


def _role_facts(guild: discord.Guild, role_id: int) -> RoleFacts:
    role = guild.get_role(role_id)
    if role is None:
        return RoleFacts(exists=False)
    return RoleFacts(exists=True, position=role.position, integration=role.managed)


def checkup_embed(checkup: Checkup) -> discord.Embed:
    problems = checkup.problems
    if checkup.all_good:
        embed = discord.Embed(
            title="Kindred set-up check: all good ✅",
            description=_all_good(checkup),
            colour=COLOUR,
        )
    else:
        count = f"{len(problems)} thing{'s' if len(problems) != 1 else ''}"
        embed = discord.Embed(
            title=f"Kindred set-up check: {count} to fix",
            description="Each comes with its fix. Run `/kindred setup` again afterwards.",
            colour=WARM,
        )
    used = len(embed.title or "") + len(embed.description or "")
    findings = problems + checkup.notes
    for number, finding in enumerate(findings, start=1):
        name, value = _field(number, finding)
        if number > MAX_FIELDS or used + len(name) + len(value) > EMBED_BUDGET:
            embed.set_footer(text=f"…and {len(findings) - number + 1} more.")
            break
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
    return embed


def _all_good(checkup: Checkup) -> str:
    checked = ", ".join(checkup.checked) or "the server-wide permissions"
    text = f"Kindred has what it needs. Checked: {checked}."
    return text if len(text) <= 1500 else text[:1499] + "…"


def _field(number: int, finding: Finding) -> tuple[str, str]:
    name = f"{number}. Problem" if finding.severity == "problem" else f"{number}. Worth a look"
    value = f"{finding.what}\n**Fix:** {finding.fix}"
    return name, value if len(value) <= 1024 else value[:1023] + "…"
