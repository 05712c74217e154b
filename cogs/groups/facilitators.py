"""``/group facilitator add|remove`` (moderators), ``list`` (everyone) and ``swap`` (a peer
supporter in the rotation), with the Accept / Decline buttons of a swap request.

``swap`` has the peer commands' check (``bot.ui.checks.peer_only``): a facilitator who lost
the peer role is refused, goes off duty and gives back the requests they held, as at ``/duty``.
They stay in the rotation until a moderator takes them out (``/group facilitator remove``).
**Accept the swap** looks the presser up the same way (a DM carries no roles): one without the
peer role is refused kindly, loses it as at ``/duty``, and the request stays unanswered. The
first press counts: the answer is claimed before that look-up, so a Decline pressed a moment
after Accept is told the Accept is being answered, and cannot overtake it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.services import Services
from bot.services.meetings import MeetingService, Rotation, TimerRow, when_text
from bot.services.meetings.messages import (
    swap_answer_text,
    swap_asked_text,
    swap_outcome_text,
    swap_undone_text,
)
from bot.text import EMBED_FIELD, fit_lines
from bot.ui.checks import guild_only, moderator_only, peer_only
from bot.ui.lookup import gone_as_peer
from bot.ui.replies import COLOUR, localized, reader_language, send_private
from cogs.groups import meeting_views as mv
from cogs.groups.groups import facilitator as facilitator_cmd
from cogs.groups.groups import group_autocomplete

ADDED = N_(
    "<@{member}> joins the facilitators of **{group}** (turn {turn} of {turns} in the rotation)."
)
REMOVED = N_("<@{member}> no longer facilitates **{group}**.")


async def rotation_embed(interaction: discord.Interaction, rotation: Rotation) -> discord.Embed:
    """``/group facilitator list``: who facilitates and whose turn is next, in the reader's
    language (the meeting's name as written)."""
    title = await localized(interaction, N_("{group}: facilitators"), group=rotation.group.name)
    embed = discord.Embed(title=title, colour=COLOUR)
    if rotation.order:
        people = ", ".join(f"<@{u}>" for u in rotation.order)
        embed.description = await localized(interaction, N_("In turn: {people}"), people=people)
    else:
        embed.description = await localized(
            interaction,
            N_("Nobody yet. Moderators add peer supporters with `/group facilitator add`."),
        )
    if rotation.upcoming:
        lines = []
        for moment, meeting, who in rotation.upcoming:
            when = when_text(moment)
            if who:
                text = N_("{when} · {meeting} · <@{member}>")
            else:
                text = N_("{when} · {meeting} · the group's peer supporters")
            lines.append(
                await localized(interaction, text, when=when, meeting=meeting.name, member=who)
            )
        embed.add_field(
            name=await localized(interaction, N_("Coming up")),
            value=fit_lines(lines, EMBED_FIELD),
            inline=False,
        )
    return embed


class FacilitatorCommands:
    """Mixed into the ``Groups`` cog (with ``MeetingDelivery``, which gives ``_dm``)."""

    bot: commands.Bot
    services: Services
    meetings: MeetingService
    _dm: Callable[..., Awaitable[bool]]  # from MeetingDelivery

    @facilitator_cmd.command(name="add")
    @moderator_only()
    @app_commands.describe(group="Which group", member="A peer supporter (holds the peer role)")
    @app_commands.autocomplete(group=group_autocomplete)
    async def facilitator_add(
        self, interaction: discord.Interaction, group: str, member: discord.Member
    ) -> None:
        """Add a peer supporter to a group's facilitator rotation (moderators)."""
        assert interaction.guild_id is not None
        if member.bot:
            raise InvalidInputError(N_("Facilitators are people, not bots."))
        row = await self.meetings.add_facilitator(
            interaction.guild_id, group, member.id, [r.id for r in member.roles],
            interaction.user.id,
        )  # fmt: skip
        rotation = await self.meetings.rotation(interaction.guild_id, row.name)
        turns = len(rotation.order)
        text = await localized(
            interaction, ADDED, member=member.id, group=row.name, turn=turns, turns=turns
        )
        await send_private(interaction, text)

    @facilitator_cmd.command(name="remove")
    @moderator_only()
    @app_commands.describe(group="Which group", member="Who steps back from facilitating")
    @app_commands.autocomplete(group=group_autocomplete)
    async def facilitator_remove(
        self, interaction: discord.Interaction, group: str, member: discord.User
    ) -> None:
        """Take someone out of a group's facilitator rotation (moderators)."""
        assert interaction.guild_id is not None
        row = await self.meetings.remove_facilitator(
            interaction.guild_id, group, member.id, interaction.user.id
        )
        text = await localized(interaction, REMOVED, member=member.id, group=row.name)
        await send_private(interaction, text)

    @facilitator_cmd.command(name="list")
    @guild_only()
    @app_commands.describe(group="Which group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def facilitator_list(self, interaction: discord.Interaction, group: str) -> None:
        """Who facilitates a group's meetings, and whose turn is next."""
        assert interaction.guild_id is not None
        rotation = await self.meetings.rotation(interaction.guild_id, group)
        await send_private(interaction, embed=await rotation_embed(interaction, rotation))

    @facilitator_cmd.command(name="swap")
    @peer_only()
    @app_commands.describe(group="Which group", member="The facilitator to swap turns with")
    @app_commands.autocomplete(group=group_autocomplete)
    async def facilitator_swap(
        self, interaction: discord.Interaction, group: str, member: discord.User
    ) -> None:
        """Ask another facilitator to swap your next turns; they accept with a button."""
        assert interaction.guild_id is not None
        request = await self.meetings.ask_swap(
            interaction.guild_id, group, interaction.user.id, member.id
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        # the DM in the language of the one asked; the answer in the asker's
        text, view = mv.swap_request(request, await self.services.safety.language_for(member.id))
        delivered = await self._dm(member.id, text, view)
        lang = await reader_language(interaction)
        await send_private(interaction, swap_asked_text(member.id, delivered, lang))

    async def on_swap_button(
        self, interaction: discord.Interaction, swap_id: int, accept: bool
    ) -> None:
        user_id = interaction.user.id
        # the first press counts: the answer is claimed before anything else is looked up
        answer = await self.meetings.claim_swap_answer(
            swap_id, user_id, accept, interaction.guild_id
        )
        if accept:  # taking a turn is for peers: a removed role goes unseen, so look them up
            try:
                peer = not await gone_as_peer(self.bot, answer.swap.guild_id, user_id)
            except BaseException:
                await self.meetings.release_swap(answer)
                raise
            answer = await self.meetings.finish_accept(answer, peer=peer)
        group = answer.group.name
        lang = await reader_language(interaction)
        await send_private(interaction, swap_answer_text(group, accept, lang))
        # the DM back in the language of the one who asked
        asker_lang = await self.services.safety.language_for(answer.swap.from_id)
        told = swap_outcome_text(answer.swap.to_id, group, accept, asker_lang)
        await self._dm(answer.swap.from_id, told)

    async def _on_swap_check(self, timer: TimerRow) -> None:
        """An Accept press that never finished (Kindred was interrupted): the request is
        asked again, and the one who pressed is told so, in their language."""
        undone = await self.meetings.on_swap_check(timer)
        if undone is None:
            return
        await self.bot.wait_until_ready()
        lang = await self.services.safety.language_for(undone.swap.to_id)
        await self._dm(undone.swap.to_id, swap_undone_text(undone.group.name, lang))
