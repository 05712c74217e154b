"""Settings: moderators' /safety settings|exclude|status, members' /safety optout and
/language set|clear."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import N_
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.safety import LANGUAGES, SafetySettings, SafetyStatus
from bot.text import EMBED_FIELD, fit_lines
from bot.ui.checks import moderator_only
from bot.ui.replies import COLOUR, localized, send_private
from cogs.safety.groups import LANGUAGE, SAFETY

LANGUAGE_NAMES = (
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("pt", "Português"),
)


class SettingsMixin:
    """Settings commands (part of the Safety cog)."""

    services: Services
    worker: AssessWorker | None

    @SAFETY.command(name="optout")
    @app_commands.describe(enabled="True: stop automatic check-in messages; false: allow again")
    async def optout(self, interaction: discord.Interaction, enabled: bool = True) -> None:
        """Stop (or allow again) Kindred's automatic messages when you write something hard."""
        await self.services.safety.set_opt_out(interaction.user.id, enabled)
        text = (
            N_("Okay, no more automatic messages. `/crisis` always works.")
            if enabled
            else N_("Okay, automatic check-ins are back on. `/crisis` always works.")
        )
        await send_private(interaction, await localized(interaction, text))

    @SAFETY.command(name="settings")
    @moderator_only()
    @app_commands.describe(
        enabled="Notice crisis language at all",
        reply_mode="DM, then a brief channel note if DMs are closed; or DM only",
        member_cooldown_minutes="Minutes before the same member gets another reply",
        channel_cooldown_minutes="Minutes between channel notes in one channel",
        fallback_delete_seconds="Seconds before a channel note deletes itself",
        peer_alert_channel="Where peers are alerted (default: the peer channel)",
        moderator_alert_channel="Where moderators are alerted (default: the moderator channel)",
        copy_content="Copy the message text into peer alerts (off by default)",
        distress_pointer="Gently point distressed members to peer support",
        soft_replies="Gentle private check-in when Kindred is unsure (possible concern)",
        peer_items="Quiet 'possible concern' items for peers (no pings)",
        needs_replies="Answer requests for a respite, a warmline or a peer privately",
    )
    @app_commands.choices(
        reply_mode=[
            app_commands.Choice(name="DM, then brief channel note", value="dm_then_channel"),
            app_commands.Choice(name="DM only", value="dm_only"),
        ]
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        enabled: bool | None = None,
        reply_mode: str | None = None,
        member_cooldown_minutes: app_commands.Range[int, 0, 1440] | None = None,
        channel_cooldown_minutes: app_commands.Range[int, 0, 1440] | None = None,
        fallback_delete_seconds: app_commands.Range[int, 10, 3600] | None = None,
        peer_alert_channel: discord.TextChannel | None = None,
        moderator_alert_channel: discord.TextChannel | None = None,
        copy_content: bool | None = None,
        distress_pointer: bool | None = None,
        soft_replies: bool | None = None,
        peer_items: bool | None = None,
        needs_replies: bool | None = None,
    ) -> None:
        """See or change how Kindred answers crisis language in this server."""
        assert interaction.guild_id is not None
        options = {
            "enabled": enabled,
            "reply_mode": reply_mode,
            "member_cooldown_minutes": member_cooldown_minutes,
            "channel_cooldown_minutes": channel_cooldown_minutes,
            "fallback_delete_seconds": fallback_delete_seconds,
            "peer_alert_channel_id": peer_alert_channel.id if peer_alert_channel else None,
            "mod_alert_channel_id": moderator_alert_channel.id if moderator_alert_channel else None,
            "copy_content": copy_content,
            "distress_pointer": distress_pointer,
            "soft_replies": soft_replies,
            "peer_items": peer_items,
            "needs_replies": needs_replies,
        }
        cfg = await self.services.safety.update_settings(
            interaction.guild_id,
            interaction.user.id,
            **{k: v for k, v in options.items() if v is not None},
        )
        await send_private(interaction, embed=settings_embed(cfg))

    @SAFETY.command(name="exclude")
    @moderator_only()
    @app_commands.describe(
        channel="A channel to leave alone (e.g. a venting channel)",
        role="A role whose members are left alone",
        remove="Remove from the exclusions instead",
    )
    async def exclude(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        remove: bool = False,
    ) -> None:
        """Exclude a channel or role from crisis-language replies (or include it again)."""
        assert interaction.guild_id is not None
        cfg = await self.services.safety.exclude(
            interaction.guild_id,
            interaction.user.id,
            channel_id=channel.id if channel is not None else None,
            role_id=role.id if role is not None else None,
            remove=remove,
        )
        await send_private(interaction, embed=settings_embed(cfg))

    @SAFETY.command(name="status")
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Counts of the last 30 days (no content) and how fresh the resource data is."""
        assert interaction.guild_id is not None
        status = await self.services.safety.status(interaction.guild_id, 30)
        await send_private(interaction, embed=status_embed(status, self._detector_version()))

    def _detector_version(self) -> str:
        assessor = self.worker.assessor if self.worker else None
        return assessor.model_version if assessor is not None else "not loaded"

    @LANGUAGE.command(name="set")
    @app_commands.describe(language="The language for Kindred's private messages to you")
    @app_commands.choices(
        language=[
            app_commands.Choice(name=name, value=code)
            for code, name in LANGUAGE_NAMES
            if code in LANGUAGES
        ]
    )
    async def language_set(self, interaction: discord.Interaction, language: str) -> None:
        """Choose the language of crisis and check-in messages Kindred sends you."""
        code = await self.services.safety.set_language(interaction.user.id, language)
        # the answer in the language just chosen (reader_language reads the new choice)
        text = N_("Okay: Kindred's private messages to you will be in `{code}`.")
        await send_private(interaction, await localized(interaction, text, code=code))

    @LANGUAGE.command(name="clear")
    async def language_clear(self, interaction: discord.Interaction) -> None:
        """Go back to the language Kindred detects from your message or your Discord app."""
        await self.services.safety.clear_language(interaction.user.id)
        text = N_("Okay: Kindred will follow your message's or your app's language.")
        await send_private(interaction, await localized(interaction, text))


def status_embed(status: SafetyStatus, detector: str) -> discord.Embed:
    embed = discord.Embed(title="Crisis resources: status", colour=COLOUR)
    embed.add_field(
        name="Last 30 days",
        value=", ".join(f"{k}: {v}" for k, v in sorted(status.counts.items())) or "nothing noticed",
        inline=False,
    )
    embed.add_field(name="Enabled", value="yes" if status.enabled else "no")
    embed.add_field(name="Detector", value=detector, inline=True)
    embed.add_field(
        name='Measured precision (peers\' "not a concern" marks)',
        value=fit_lines(
            [
                f"`{source[:60]}`: {alerts} alerts, {dismissed} not a concern → {value:.0%}"
                for source, alerts, dismissed, value in status.precision[:10]
            ],
            EMBED_FIELD,
        )
        or "no alerts yet",
        inline=False,
    )
    embed.add_field(
        name="Stale resource data (over 12 months)",
        value=fit_lines(
            [f"{e.name} (checked {e.last_verified:%Y-%m-%d})" for e in status.stale], EMBED_FIELD
        )
        or "none",
        inline=False,
    )
    return embed


def settings_embed(cfg: SafetySettings) -> discord.Embed:
    embed = discord.Embed(title="Crisis-language settings", colour=COLOUR)
    embed.add_field(name="Enabled", value="yes" if cfg.enabled else "no")
    embed.add_field(
        name="Reply",
        value="DM, then brief channel note" if cfg.reply_mode == "dm_then_channel" else "DM only",
    )
    embed.add_field(
        name="Cooldowns",
        value=f"member {cfg.member_cooldown_minutes} min · "
        f"channel {cfg.channel_cooldown_minutes} min",
    )
    embed.add_field(name="Channel note deleted after", value=f"{cfg.fallback_delete_seconds} s")
    embed.add_field(
        name="Peer alerts",
        value=f"<#{cfg.peer_alert_channel_id}>"
        if cfg.peer_alert_channel_id
        else "the peer channel",
    )
    embed.add_field(
        name="Moderator alerts",
        value=f"<#{cfg.mod_alert_channel_id}>"
        if cfg.mod_alert_channel_id
        else "the moderator channel",
    )
    embed.add_field(name="Copy message text into alerts", value="yes" if cfg.copy_content else "no")
    embed.add_field(name="Distress pointer", value="on" if cfg.distress_pointer else "off")
    embed.add_field(name="Gentle check-ins", value="on" if cfg.soft_replies else "off")
    embed.add_field(name="Quiet peer items", value="on" if cfg.peer_items else "off")
    embed.add_field(name="Respite/warmline answers", value="on" if cfg.needs_replies else "off")
    embed.add_field(
        name="Excluded",
        value=" ".join(
            [f"<#{c}>" for c in cfg.excluded_channel_ids]
            + [f"<@&{r}>" for r in cfg.excluded_role_ids]
        )
        or "none",
        inline=False,
    )
    return embed
