"""``/kindred setup`` on the Discord side: look up the ids the features use and turn them into
plain facts (permission integers, role positions) for the rules in ``bot/services/doctor``,
then show the findings."""

from __future__ import annotations

from collections import defaultdict

import discord

from bot.i18n import N_, gettext_for, render
from bot.services import Services
from bot.services.doctor import (
    ChannelFacts,
    Checkup,
    DoctorService,
    Finding,
    GuildFacts,
    Needs,
    RoleFacts,
    Text,
)
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
        audiences[place.channel_id].update(e.role_id for e in place.private_from)
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
        unread=_unread(guild) if needs.watches else (),
    )


def _unread(guild: discord.Guild) -> tuple[tuple[int, int | None], ...]:
    """The text channels and forums @everyone can view and Kindred can't (Discord sends a bot
    no message from them), with their category."""
    me, everyone = guild.me, guild.default_role
    return tuple(
        (channel.id, channel.category_id)
        for channel in guild.channels
        if isinstance(channel, discord.TextChannel | discord.ForumChannel)
        and channel.permissions_for(everyone).view_channel
        and not channel.permissions_for(me).view_channel
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


def _shown(text: str, lang: str) -> str:
    """A finding's text in ``lang`` (a feature's unmarked text as it is)."""
    return text.message_in(lang) if isinstance(text, Text) else text


def checkup_embed(checkup: Checkup, lang: str = "en") -> discord.Embed:
    """The findings for a moderator, in ``lang``: whole sentences, mentions as mentions;
    Discord's permission names and the commands stay as they are."""
    _ = gettext_for(lang)
    problems = checkup.problems
    if checkup.all_good:
        embed = discord.Embed(
            title=_("Kindred set-up check: all good ✅"),
            description=_all_good(checkup, lang),
            colour=COLOUR,
        )
    else:
        title = (
            N_("Kindred set-up check: {count} thing to fix")
            if len(problems) == 1
            else N_("Kindred set-up check: {count} things to fix")
        )
        embed = discord.Embed(
            title=render(lang, title, count=len(problems)),
            description=_("Each comes with its fix. Run `/kindred setup` again afterwards."),
            colour=WARM,
        )
    used = len(embed.title or "") + len(embed.description or "")
    findings = problems + checkup.notes
    for number, finding in enumerate(findings, start=1):
        name, value = _field(number, finding, lang)
        if number > MAX_FIELDS or used + len(name) + len(value) > EMBED_BUDGET:
            more = N_("…and {n} more.")
            embed.set_footer(text=render(lang, more, n=len(findings) - number + 1))
            break
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
    return embed


def chosen_channels(needs: Needs, channel_ids: set[int]) -> Needs:
    """What the features need of these channels alone (a command that just chose them)."""
    return Needs(places=tuple(p for p in needs.places if p.channel_id in channel_ids))


async def findings_for(
    interaction: discord.Interaction, services: Services, channel_ids: set[int]
) -> list[Finding]:
    """The set-up check's problems with the channels a moderator just chose (Kindred's
    permissions there, who can see them): said at once by the command that chose them, rather
    than when a member in crisis gets no peer."""
    guild = interaction.guild
    if not channel_ids or guild is None:
        return []
    needs = chosen_channels(await services.doctor.needs(guild.id), channel_ids)
    if not needs.places:
        return []
    facts = await gather_facts(interaction.client, guild, needs)
    return list(services.doctor.examine(needs, facts).problems)


def add_findings(embed: discord.Embed, findings: list[Finding], lang: str, limit: int = 5) -> None:
    """A command's answer gains the set-up check's findings, numbered, each with its fix."""
    for number, finding in enumerate(findings[:limit], start=1):
        name, value = _field(number, finding, lang)
        embed.add_field(name=name, value=value, inline=False)


def _all_good(checkup: Checkup, lang: str) -> str:
    if checkup.checked:
        checked = ", ".join(_shown(item, lang) for item in checkup.checked)
        text = render(lang, N_("Kindred has what it needs. Checked: {checked}."), checked=checked)
    else:
        text = render(lang, N_("Kindred has what it needs. Checked: the server-wide permissions."))
    return text if len(text) <= 1500 else text[:1499] + "…"


def _field(number: int, finding: Finding, lang: str) -> tuple[str, str]:
    problem = finding.severity == "problem"
    name = N_("{number}. Problem") if problem else N_("{number}. Worth a look")
    what, fix = _shown(finding.what, lang), _shown(finding.fix, lang)
    value = render(lang, N_("{what}\n**Fix:** {fix}"), what=what, fix=fix)
    return render(lang, name, number=number), value if len(value) <= 1024 else value[:1023] + "…"


async def channel_warning(
    bot: discord.Client, guild: discord.Guild, doctor: DoctorService, needs: Needs, lang: str
) -> str | None:
    """The set-up check of just the channels in ``needs``, for a moderator who has just chosen
    them: a warning with each problem and its fix in ``lang``, or None when all is well."""
    problems = doctor.examine_places(needs, await gather_facts(bot, guild, needs))
    if not problems:
        return None
    lines = [
        render(
            lang,
            N_("{what}\n**Fix:** {fix}"),
            what=_shown(finding.what, lang),
            fix=_shown(finding.fix, lang),
        )
        for finding in problems
    ]
    head = render(lang, N_("⚠️ Heads up: Kindred can't do everything it needs to there yet."))
    return "\n".join([head, *lines])
