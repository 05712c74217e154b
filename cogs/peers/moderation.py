"""Moderators' view of peer support: counts, blocks, revealing an anonymous member; and a
peer's request for a moderator to check in after a hard conversation."""

from __future__ import annotations

import logging
from datetime import date

import discord
from babel.dates import format_date
from discord import app_commands
from discord.ext import commands

from bot.errors import KindredError, NotFoundError
from bot.i18n import N_, Joined, gettext_for, render
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.peers.blocks import MAX_REASON, Revealed
from bot.text import fit_lines
from bot.ui.checks import FOR_PEERS_AFTER_A_CONVERSATION, moderator_only
from bot.ui.lookup import find_channel, find_user
from bot.ui.replies import COLOUR, localized, reader_language, send_private
from cogs.peers import groups

log = logging.getLogger(__name__)

#: ``/peers block``: the moderator's answer, a whole sentence per case. A block stops new
#: requests; a live one stays as it is (peers claim and close it as usual) and the member is
#: not told: a block is a moderation decision, not an announcement.
BLOCKED = N_(
    "<@{user}> can no longer open peer requests here. They will still be shown crisis resources."
)
BLOCKED_WAITING = N_(
    "<@{user}> can no longer open peer requests here. They will still be shown crisis "
    "resources. Their request #{request} is still waiting in the queue: it stays open, and "
    "peers can claim and close it as usual. Nobody is told about the block."
)
BLOCKED_TALKING = N_(
    "<@{user}> can no longer open peer requests here. They will still be shown crisis "
    "resources. Their request #{request} is in a conversation with a peer: it goes on until "
    "it is closed. Nobody is told about the block."
)
UNBLOCKED = N_("<@{user}> can open peer requests again.")
NOT_BLOCKED = N_("<@{user}> was not blocked.")
#: ``/peers blocks``: one whole sentence per block.
BLOCKS_NONE = N_("Nobody is blocked from opening peer requests here.")
BLOCKS_TITLE = N_("Members blocked from opening peer requests:")
BLOCK_LINE = N_("<@{user}>, blocked {when} by <@{moderator}>. Reason: {reason}")
BLOCK_LINE_NO_REASON = N_("<@{user}>, blocked {when} by <@{moderator}>. No reason was given.")
BLOCKS_MORE = N_("…and {n} more.")  # fit_lines fills in {n}

#: The member's DM after a moderator's ``/peers reveal``, in the member's language.
REVEAL_TOLD = N_(
    "A moderator of **{server}** looked up who opened request #{request}, which you had made "
    "anonymous. Reason given: {reason}"
)
#: The moderator's answer: the member was told by DM, or could not be.
REVEALED = N_(
    "Request #{request} was opened by <@{user}>. This was logged and the member was told."
)
REVEALED_UNTOLD = N_(
    "Request #{request} was opened by <@{user}>. This was logged, but the member could not "
    "be told: Kindred couldn't send them a DM (their DMs may be closed)."
)

#: ``/peers debrief``: whole sentences, each in the peer's language.
DEBRIEF_THANKS = N_("Thank you for what you do.")
DEBRIEF_ASKED = N_("A moderator will check in with you.")
DEBRIEF_NO_CHANNEL = N_(
    "No moderator channel is set up in this server, so I couldn't tell anyone. You can talk "
    "to a moderator directly, and if you need support yourself right now, `/crisis` shows "
    "where to find it."
)
DEBRIEF_NOT_POSTED = N_(
    "I couldn't post in the moderator channel, so no moderator was told. You can talk to a "
    "moderator directly, and if you need support yourself right now, `/crisis` shows where "
    "to find it."
)
DEBRIEF_NOTE = N_("Your note was not stored.")

#: ``/peers stats``: the moderator's figures, in their language; one title per count of days.
STATS_TITLE = N_("Peer support, last {days} days")
STATS_TITLE_ONE = N_("Peer support, last day")
STATS_REQUESTS = N_("Requests")
STATS_COUNTS = N_("opened {opened} · claimed {claimed} · closed {closed} · withdrawn {withdrawn}")
STATS_MEDIAN = N_("Median time to claim")
STATS_MINUTES = N_("{minutes} min")
STATS_PAST_ALERT = N_("Waited past the moderator alert")
STATS_FEEDBACK = N_("Feedback")
STATS_FEEDBACK_SINCE = N_("Feedback (counted by month, since {date})")
STATS_ANSWERS = N_("helped {helped} · somewhat {somewhat} · not really {not_really}")
STATS_BUSIEST = N_("Busiest hours")


def month_day(day: date, lang: str) -> str:
    """``1 Nov 2026`` in English, the reader's own short form elsewhere (Babel)."""
    if lang == "en":
        return f"{day.day} {day:%b %Y}"
    try:
        return format_date(day, "d MMM y", locale=lang)
    except (ValueError, LookupError):
        return f"{day.day} {day:%b %Y}"


class ModerationCommands:
    bot: commands.Bot
    services: Services

    @groups.peers.command(name="stats")
    @moderator_only()
    @app_commands.describe(days="How many days back (default 30)")
    async def stats(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        """Counts for peer support: opened, claimed, closed, wait times, feedback. No content."""
        assert interaction.guild_id is not None
        # the busiest hours by the reader's clock: their own zone, else the server's
        zone = await self.services.zones.zone_for(interaction.user.id, interaction.guild_id)
        s = await self.services.peers.requests.stats(interaction.guild_id, days, zone)
        lang = await reader_language(interaction)
        _ = gettext_for(lang)
        median = (
            "—"
            if s.median_claim is None
            else render(lang, STATS_MINUTES, minutes=f"{s.median_claim.total_seconds() / 60:.0f}")
        )
        hours = Joined([f"{h:02d}:00 {s.zone} ({n})" for h, n in s.busiest_hours])
        busiest = hours.message_in(lang) or "—"
        title = render(lang, STATS_TITLE_ONE) if days == 1 else render(lang, STATS_TITLE, days=days)
        embed = discord.Embed(title=title, colour=COLOUR)
        counts = {
            "opened": s.opened,
            "claimed": s.claimed,
            "closed": s.closed,
            "withdrawn": s.cancelled,
        }
        embed.add_field(
            name=_(STATS_REQUESTS), value=render(lang, STATS_COUNTS, **counts), inline=False
        )
        embed.add_field(name=_(STATS_MEDIAN), value=median)
        embed.add_field(name=_(STATS_PAST_ALERT), value=str(s.past_threshold))
        first = s.feedback_since
        feedback = (
            _(STATS_FEEDBACK)
            if first is None
            else render(lang, STATS_FEEDBACK_SINCE, date=month_day(first, lang))
        )
        answers = {
            "helped": s.feedback["helped"],
            "somewhat": s.feedback["somewhat"],
            "not_really": s.feedback["not_really"],
        }
        embed.add_field(name=feedback, value=render(lang, STATS_ANSWERS, **answers), inline=False)
        embed.add_field(name=_(STATS_BUSIEST), value=busiest, inline=False)
        await send_private(interaction, embed=embed)

    @groups.peers.command(name="block")
    @moderator_only()
    @app_commands.describe(reason="Why (kept in the audit log and shown by /peers blocks)")
    async def block(
        self,
        interaction: discord.Interaction,
        member: discord.User,
        reason: app_commands.Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        """Stop a member opening peer requests (they still get crisis resources)."""
        assert interaction.guild_id is not None
        done = await self.services.peers.blocks.block(
            interaction.guild_id, member.id, reason, interaction.user.id, bot=member.bot
        )
        text, params = BLOCKED, {"user": member.id}
        if done.live is not None:
            text = BLOCKED_WAITING if done.live.status == "open" else BLOCKED_TALKING
            params["request"] = done.live.id
        await send_private(interaction, await localized(interaction, text, **params))

    @groups.peers.command(name="unblock")
    @moderator_only()
    async def unblock(self, interaction: discord.Interaction, member: discord.User) -> None:
        """Let a blocked member open peer requests again."""
        assert interaction.guild_id is not None
        if not await self.services.peers.blocks.unblock(
            interaction.guild_id, member.id, interaction.user.id
        ):
            raise NotFoundError(NOT_BLOCKED, user=member.id)
        await send_private(interaction, await localized(interaction, UNBLOCKED, user=member.id))

    @groups.peers.command(name="blocks")
    @moderator_only()
    async def blocks(self, interaction: discord.Interaction) -> None:
        """The members blocked from opening peer requests, with who blocked them and why."""
        assert interaction.guild_id is not None
        rows = await self.services.peers.blocks.blocked(interaction.guild_id)
        if not rows:
            await send_private(interaction, await localized(interaction, BLOCKS_NONE))
            return
        lines = []
        for row in rows:
            when = f"<t:{int(row.created_at.timestamp())}:D>"
            params = {"user": row.user_id, "when": when, "moderator": row.blocked_by}
            if row.reason:
                params["reason"] = discord.utils.escape_markdown(row.reason)
            line = BLOCK_LINE if row.reason else BLOCK_LINE_NO_REASON
            lines.append(await localized(interaction, line, **params))
        more = await localized(interaction, BLOCKS_MORE, n="{n}")
        title = await localized(interaction, BLOCKS_TITLE)
        body = fit_lines(lines, 1900 - len(title), more=more)
        await send_private(interaction, f"{title}\n{body}")

    @groups.peers.command(name="reveal")
    @moderator_only()
    @app_commands.describe(request_id="The anonymous request's number", reason="Why (logged)")
    async def reveal(
        self,
        interaction: discord.Interaction,
        request_id: int,
        reason: app_commands.Range[str, 1, MAX_REASON],
    ) -> None:
        """Reveal who an anonymous member is (audit-logged; they are told by DM if they can be)."""
        assert interaction.guild_id is not None
        found = await self.services.peers.blocks.reveal(
            interaction.guild_id, request_id, interaction.user.id, reason
        )
        told = await self._tell_revealed(interaction, found)
        await send_private(
            interaction,
            await localized(
                interaction,
                REVEALED if told else REVEALED_UNTOLD,
                request=found.request_id,
                user=found.requester_id,
            ),
        )

    async def _tell_revealed(self, interaction: discord.Interaction, found: Revealed) -> bool:
        """DM the member, in the request's language (the one they chose with /language set,
        else the one they asked in), which server looked them up and why; False when the DM
        could not be sent (their DMs closed, or Discord refused)."""
        server = interaction.guild.name if interaction.guild is not None else ""
        try:
            user = await find_user(self.bot, found.requester_id)
            text = KindredError(
                REVEAL_TOLD, server=server, request=found.request_id, reason=found.reason
            ).message_in(found.lang)
            await user.send(text)
        except discord.HTTPException:
            log.info("reveal: could not tell member (guild %s)", interaction.guild_id)
            return False
        return True

    @groups.peers.command(name="debrief")
    @groups.peer_only(FOR_PEERS_AFTER_A_CONVERSATION)
    async def debrief(
        self, interaction: discord.Interaction, need_support: bool = True, note: str | None = None
    ) -> None:
        """After a hard conversation: ask a moderator to check in with you (note stays private)."""
        assert interaction.guild_id is not None
        said = [DEBRIEF_THANKS]
        if need_support:
            said.append(await self._ask_for_check_in(interaction))
        if note:
            said.append(DEBRIEF_NOTE)
        await send_private(
            interaction, " ".join([await localized(interaction, text) for text in said])
        )

    async def _ask_for_check_in(self, interaction: discord.Interaction) -> str:
        """Post the peer's request in the moderator channel (English: a channel post); what
        to tell the peer: asked, no moderator channel set up, or the post failed."""
        assert interaction.guild_id is not None
        cfg = await self.services.settings.get(interaction.guild_id, PeerSettings)
        if not cfg.mod_channel_id:
            return DEBRIEF_NO_CHANNEL
        channel = await find_channel(self.bot, cfg.mod_channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return DEBRIEF_NOT_POSTED
        try:
            await channel.send(
                f"<@{interaction.user.id}> asked for support after a peer "
                "conversation. Please check in with them."
            )
        except discord.HTTPException:
            log.info("debrief: could not post to moderators (guild %s)", interaction.guild_id)
            return DEBRIEF_NOT_POSTED
        return DEBRIEF_ASKED
