"""Moderators set up peer support: roles and channels, limits, the "Talk to a peer" panel."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInputError
from bot.i18n import N_, render
from bot.services import Services
from bot.services.peers import PeerSettings, canonical_office_hours, kept_days, update_limits
from bot.services.settings import require_role
from bot.ui.checks import moderator_only
from bot.ui.replies import COLOUR, localized, reader_language, send_private
from bot.ui.requests import TalkToPeerButton
from bot.ui.setup_check import add_findings, findings_for
from bot.ui.timezones import timezone_autocomplete
from cogs.peers import groups

ESCALATION_ORDER = N_("Saved. Note: escalation steps usually go re-ping < all peers ≤ moderators.")


class SettingsCommands:
    bot: commands.Bot
    services: Services

    @property
    def kept(self) -> int:
        """The deployment's retention days: the most any server keeps."""
        return self.services.privacy.retention_days

    @groups.peers.command(name="setup")
    @moderator_only()
    @app_commands.describe(
        peer_role="The role your peer supporters have",
        peer_channel="Private channel where request cards appear (peers only)",
        moderator_channel="Where Kindred alerts moderators",
        conversation="Private threads (default) or an anonymous DM relay",
        thread_channel="Channel members can see, where private threads are created",
        office_hours="e.g. mon-fri 08:00-16:30",
        office_timezone="IANA zone for office hours, e.g. America/Los_Angeles",
    )
    @app_commands.choices(
        conversation=[
            app_commands.Choice(name="private thread", value="thread"),
            app_commands.Choice(name="anonymous DM relay", value="relay"),
        ]
    )
    @app_commands.autocomplete(office_timezone=timezone_autocomplete)
    async def setup(
        self,
        interaction: discord.Interaction,
        peer_role: discord.Role,
        peer_channel: discord.TextChannel,
        moderator_channel: discord.TextChannel | None = None,
        conversation: str | None = None,
        thread_channel: discord.TextChannel | None = None,
        office_hours: str | None = None,
        office_timezone: str | None = None,
    ) -> None:
        """Set up peer support: the peer role, the peer channel, and where conversations happen."""
        assert interaction.guild_id is not None
        require_role(
            "peer", interaction.guild_id, peer_role.id, managed=peer_role.managed,
            name=peer_role.name,
        )  # fmt: skip
        changes: dict = {"peer_role_id": peer_role.id, "peer_channel_id": peer_channel.id}
        if moderator_channel is not None:
            changes["mod_channel_id"] = moderator_channel.id
        if conversation is not None:
            changes["conversation"] = conversation
        if thread_channel is not None:
            changes["thread_channel_id"] = thread_channel.id
        if office_timezone is not None:
            changes["office_tz"] = office_timezone
        if office_hours is not None:
            changes["office_hours"] = canonical_office_hours(office_hours)
        before = await self.services.settings.get(interaction.guild_id, PeerSettings)
        cfg = await self.services.settings.update(
            interaction.guild_id, PeerSettings, interaction.user.id, **changes
        )
        lang = await reader_language(interaction)
        embed = settings_embed(cfg, N_("Peer support is set up."), self.kept, lang)
        if before.peer_role_id != cfg.peer_role_id:
            await self._groups_follow(interaction.guild_id, embed, lang)
        chosen = (peer_channel, moderator_channel, thread_channel)
        await self._channel_warnings(interaction, embed, cfg, chosen, lang)
        await send_private(interaction, embed=embed)

    async def _channel_warnings(
        self,
        interaction: discord.Interaction,
        embed: discord.Embed,
        cfg: PeerSettings,
        chosen: tuple[discord.TextChannel | None, ...],
        lang: str,
    ) -> None:
        """What a moderator should know now of the channels just chosen: members who can't
        see where threads would be made, and what keeps Kindred from posting request cards or
        alerts there (its permissions)."""
        where = _thread_parent(chosen[0], cfg)
        if where is not None:
            _warn_if_hidden(embed, cfg, where, lang)
        ids = {c.id for c in chosen if c is not None}
        add_findings(embed, await findings_for(interaction, self.services, ids), lang)

    async def _groups_follow(self, guild_id: int, embed: discord.Embed, lang: str) -> None:
        """Private support groups' channels let the peer role in (facilitators): the groups
        feature updates them for the new role (features talk by events)."""
        private = await self.services.groups.seen_by_role(guild_id, peer=True)
        if not private:
            return
        self.bot.dispatch("kindred_group_access", guild_id, [g.id for g in private])
        n = len(private)
        text = (
            N_(
                "The new peer role can see the channel of {n} private support group "
                "(I'm updating them now)."
            )
            if n == 1
            else N_(
                "The new peer role can see the channels of {n} private support groups "
                "(I'm updating them now)."
            )
        )
        embed.add_field(
            name=render(lang, N_("Support groups")), value=render(lang, text, n=n), inline=False
        )

    @groups.peers.command(name="settings")
    @moderator_only()
    async def settings(self, interaction: discord.Interaction) -> None:
        """Show the peer-support settings."""
        assert interaction.guild_id is not None
        cfg = await self.services.settings.get(interaction.guild_id, PeerSettings)
        lang = await reader_language(interaction)
        await send_private(interaction, embed=settings_embed(cfg, None, self.kept, lang))

    @groups.peers.command(name="limits")
    @moderator_only()
    @app_commands.describe(
        max_open_per_peer="Most requests one peer holds at once (1-20)",
        max_requests_per_day="Most requests one member opens a day (1-50)",
        retention_days="Days any stored conversation text is kept (1-365)",
        reping_minutes="Re-ping matching peers after this many minutes unclaimed",
        all_peers_minutes="Ping every on-duty peer after this many minutes",
        moderator_minutes="Alert moderators after this many minutes",
        idle_remind_hours="Remind both sides after this many quiet hours",
        idle_close_hours="Close a quiet conversation after this many hours",
        feedback="Ask the member for feedback after closing",
    )
    async def limits(
        self,
        interaction: discord.Interaction,
        max_open_per_peer: app_commands.Range[int, 1, 20] | None = None,
        max_requests_per_day: app_commands.Range[int, 1, 50] | None = None,
        retention_days: app_commands.Range[int, 1, 365] | None = None,
        reping_minutes: app_commands.Range[int, 1, 1440] | None = None,
        all_peers_minutes: app_commands.Range[int, 1, 1440] | None = None,
        moderator_minutes: app_commands.Range[int, 1, 10080] | None = None,
        idle_remind_hours: app_commands.Range[int, 1, 720] | None = None,
        idle_close_hours: app_commands.Range[int, 1, 2160] | None = None,
        feedback: bool | None = None,
    ) -> None:
        """Change limits, escalation times, retention and feedback for peer support."""
        assert interaction.guild_id is not None
        changes = {
            k: v
            for k, v in {
                "max_open_per_peer": max_open_per_peer,
                "max_requests_per_day": max_requests_per_day,
                "retention_days": retention_days,
                "reping_minutes": reping_minutes,
                "all_peers_minutes": all_peers_minutes,
                "moderator_minutes": moderator_minutes,
                "idle_remind_hours": idle_remind_hours,
                "idle_close_hours": idle_close_hours,
                "feedback": feedback,
            }.items()
            if v is not None
        }
        if not changes:
            raise InvalidInputError(N_("Give at least one setting to change."))
        cfg = await update_limits(
            self.services.settings, interaction.guild_id, interaction.user.id, **changes
        )
        await self._saved(interaction, cfg)

    async def _saved(self, interaction: discord.Interaction, cfg: PeerSettings) -> None:
        """The settings as saved, with a note when the escalation steps are out of order."""
        lang = await reader_language(interaction)
        if not cfg.reping_minutes < cfg.all_peers_minutes <= cfg.moderator_minutes:
            await send_private(
                interaction,
                render(lang, ESCALATION_ORDER),
                embed=settings_embed(cfg, None, self.kept, lang),
            )
            return
        await send_private(interaction, embed=settings_embed(cfg, N_("Saved."), self.kept, lang))

    @groups.peers.command(name="panel")
    @moderator_only()
    @app_commands.describe(channel="Where to post the 'Talk to a peer' panel")
    async def panel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Post a panel with a "Talk to a peer" button in a channel."""
        assert interaction.guild_id is not None
        await self.services.peers.requests.config(interaction.guild_id)
        view = discord.ui.View(timeout=None)
        view.add_item(TalkToPeerButton(interaction.guild_id))
        embed = discord.Embed(
            title="Talk to a peer",
            description=(
                "Peer supporters here have lived experience and are trained to listen. "
                "Press the button to ask one to talk with you privately. Only on-duty peers "
                "see your request, and you can stay anonymous to them."
            ),
            colour=COLOUR,
        )
        try:
            await channel.send(embed=embed, view=view)
        except discord.Forbidden as exc:
            raise InvalidInputError(
                N_(
                    "I can't post in <#{channel}>: I need View Channel, Send Messages and "
                    "Embed Links there."
                ),
                channel=channel.id,
            ) from exc
        text = N_("Panel posted in <#{channel}>.")
        await send_private(interaction, await localized(interaction, text, channel=channel.id))


def _thread_parent(
    peer_channel: discord.TextChannel, cfg: PeerSettings
) -> discord.abc.GuildChannel | None:
    """Where claims open private threads now: the thread channel, given or kept from before
    (a setup run again without it keeps it), else the peer channel; None when the kept one
    isn't in the cache (`/kindred setup` checks it)."""
    if not cfg.thread_channel_id:
        return peer_channel
    return peer_channel.guild.get_channel(cfg.thread_channel_id)


def _warn_if_hidden(
    embed: discord.Embed, cfg: PeerSettings, where: discord.abc.GuildChannel, lang: str = "en"
) -> None:
    """Private threads under a channel members can't view would be invisible to them."""
    if (
        cfg.conversation != "relay"
        and not where.permissions_for(where.guild.default_role).view_channel
    ):
        text = N_(
            "Private threads are created in <#{channel}>, which members cannot view, so they "
            "could not see their conversation. Until you choose a `thread_channel` members can "
            "see, Kindred uses the DM relay for them."
        )
        embed.add_field(
            name=render(lang, N_("⚠️ Members can't see this channel")),
            value=render(lang, text, channel=where.id),
            inline=False,
        )


def settings_embed(
    cfg: PeerSettings, title: str | None, deployment_days: int, lang: str = "en"
) -> discord.Embed:
    """The peer-support settings in ``lang`` (``title`` a marked text); retention as really
    kept: the server's own days, never more than the deployment's ``deployment_days`` (the
    most any server keeps). Channels, roles, office hours and zones as set."""

    def say(text: str, **params: object) -> str:
        return render(lang, text, **params)

    unset = say(N_("not set"))
    embed = discord.Embed(title=say(title or N_("Peer support settings")), colour=COLOUR)
    embed.add_field(
        name=say(N_("Peer role")), value=f"<@&{cfg.peer_role_id}>" if cfg.peer_role_id else unset
    )
    embed.add_field(
        name=say(N_("Peer channel")),
        value=f"<#{cfg.peer_channel_id}>" if cfg.peer_channel_id else unset,
    )
    embed.add_field(
        name=say(N_("Moderator alerts")),
        value=f"<#{cfg.mod_channel_id}>" if cfg.mod_channel_id else unset,
    )
    if cfg.conversation == "relay":
        conversations = say(N_("anonymous DM relay"))
    elif cfg.thread_channel_id:
        conversations = say(N_("private threads in <#{channel}>"), channel=cfg.thread_channel_id)
    else:
        conversations = say(N_("private threads"))
    embed.add_field(name=say(N_("Conversations")), value=conversations)
    embed.add_field(
        name=say(N_("Office hours")),
        value=f"{cfg.office_hours} ({cfg.office_tz})" if cfg.office_hours else unset,
    )
    _add_limits(embed, cfg, deployment_days, say)
    return embed


def _add_limits(embed: discord.Embed, cfg: PeerSettings, deployment_days: int, say) -> None:
    """Limits, escalation, idle times, retention and feedback (``say`` renders a marked text
    in the reader's language)."""
    embed.add_field(
        name=say(N_("Limits")),
        value=say(
            N_("{open} open per peer · {daily} requests per member a day"),
            open=cfg.max_open_per_peer,
            daily=cfg.max_requests_per_day,
        ),
        inline=False,
    )
    embed.add_field(
        name=say(N_("Escalation")),
        value=say(
            N_("re-ping {reping} min · all peers {all} min · moderators {moderators} min"),
            reping=cfg.reping_minutes,
            all=cfg.all_peers_minutes,
            moderators=cfg.moderator_minutes,
        ),
        inline=False,
    )
    embed.add_field(
        name=say(N_("Idle")),
        value=say(
            N_("remind {remind} h · close {close} h"),
            remind=cfg.idle_remind_hours,
            close=cfg.idle_close_hours,
        ),
    )
    kept = kept_days(cfg, deployment_days)
    if cfg.retention_days is not None and cfg.retention_days > kept:
        retention = say(N_("{days} days (the most this Kindred keeps anything)"), days=kept)
    else:
        retention = say(N_("{days} days"), days=kept)
    embed.add_field(name=say(N_("Retention")), value=retention)
    embed.add_field(name=say(N_("Feedback")), value=say(N_("on") if cfg.feedback else N_("off")))
