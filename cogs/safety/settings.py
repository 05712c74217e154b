"""Settings: moderators' /safety settings|exclude|status, members' /safety optout and
/language set|clear."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import N_, gettext_for, render
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.safety import LANGUAGES, SafetySettings, SafetyStatus, SourcePrecision
from bot.text import EMBED_FIELD, fit_lines
from bot.ui.checks import moderator_only
from bot.ui.replies import COLOUR, localized, reader_language, send_private
from bot.ui.setup_check import add_findings, findings_for
from cogs.safety.groups import LANGUAGE, SAFETY

#: What ``/safety exclude channel:`` takes: a text or announcement channel, a forum (its
#: posts are threads under it, left alone with it), a voice or stage channel's text chat, and
#: a category (every channel in it, and their threads).
ExcludableChannel = (
    discord.TextChannel
    | discord.ForumChannel
    | discord.VoiceChannel
    | discord.StageChannel
    | discord.CategoryChannel
)

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
    @app_commands.describe(enabled="True: stop automatic messages; false: allow again")
    async def optout(self, interaction: discord.Interaction, enabled: bool = True) -> None:
        """Stop (or allow again) Kindred's automatic messages when you write something hard."""
        await self.services.safety.set_opt_out(interaction.user.id, enabled)
        text = (
            N_("Okay, no more automatic messages. `/crisis` always works.")
            if enabled
            else N_("Okay, automatic messages are back on. `/crisis` always works.")
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
        await self._saved(interaction, cfg, peer_alert_channel, moderator_alert_channel)

    async def _saved(
        self,
        interaction: discord.Interaction,
        cfg: SafetySettings,
        *channels: discord.TextChannel | None,
    ) -> None:
        """The settings, saved as chosen (as /peers setup does), and what keeps Kindred from
        alerting in a channel just chosen, said now rather than when a member in crisis gets
        no peer."""
        chosen = {c.id for c in channels if c is not None}
        lang = await reader_language(interaction)
        embed = settings_embed(cfg, lang)
        add_findings(embed, await findings_for(interaction, self.services, chosen), lang)
        await send_private(interaction, embed=embed)

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
        channel: ExcludableChannel | None = None,
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
        await _show_settings(interaction, cfg)

    @SAFETY.command(name="status")
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Counts of the last 30 days (no content) and how fresh the resource data is."""
        assert interaction.guild_id is not None
        status = await self.services.safety.status(interaction.guild_id, 30)
        lang = await reader_language(interaction)
        embed = status_embed(status, self._detector_version(lang), lang)
        await send_private(interaction, embed=embed)

    def _detector_version(self, lang: str = "en") -> str:
        assessor = self.worker.assessor if self.worker else None
        if assessor is not None:
            return assessor.model_version
        _ = gettext_for(lang)
        return _("not loaded")

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


async def _show_settings(interaction: discord.Interaction, cfg: SafetySettings) -> None:
    """The settings as they are now, in the moderator's language."""
    await send_private(interaction, embed=settings_embed(cfg, await reader_language(interaction)))


def _yes_no(value: bool, lang: str) -> str:
    _ = gettext_for(lang)
    return _("yes") if value else _("no")


def _on_off(value: bool, lang: str) -> str:
    _ = gettext_for(lang)
    return _("on") if value else _("off")


def _precision_line(row: SourcePrecision, lang: str) -> str:
    """One source's alerts in /safety status: the precision over those a peer reviewed (took,
    or marked not a concern), the ones nobody reviewed counted apart; a whole sentence per
    case, "1 alert" or "2 alerts"."""
    if row.precision is None:
        text = N_("`{source}`: 1 alert, not reviewed yet")
        if row.alerts != 1:
            text = N_("`{source}`: {alerts} alerts, none reviewed yet")
    elif row.alerts == 1:
        text = N_("`{source}`: 1 alert, {taken} taken, {dismissed} not a concern → {percent}")
    else:
        text = N_(
            "`{source}`: {alerts} alerts: {taken} taken, {dismissed} not a concern, "
            "{unreviewed} not reviewed → {percent} of those reviewed"
        )
    return render(
        lang,
        text,
        source=row.source[:60],
        alerts=row.alerts,
        taken=row.taken,
        dismissed=row.dismissed,
        unreviewed=row.unreviewed,
        percent=f"{row.precision or 0:.0%}",
    )


def status_embed(status: SafetyStatus, detector: str, lang: str = "en") -> discord.Embed:
    """/safety status for a moderator, in ``lang``; the counts' kinds, the sources and the
    resources' names stay as stored."""
    _ = gettext_for(lang)
    embed = discord.Embed(title=_("Crisis resources: status"), colour=COLOUR)
    embed.add_field(
        name=_("Last 30 days"),
        value=", ".join(f"{k}: {v}" for k, v in sorted(status.counts.items()))
        or _("nothing noticed"),
        inline=False,
    )
    embed.add_field(name=_("Enabled"), value=_yes_no(status.enabled, lang))
    embed.add_field(name=_("Detector"), value=detector, inline=True)
    embed.add_field(
        name=_("Measured precision (of the alerts peers reviewed)"),
        value=fit_lines([_precision_line(row, lang) for row in status.precision[:10]], EMBED_FIELD)
        or _("no alerts yet"),
        inline=False,
    )
    embed.add_field(
        name=_("Stale resource data (over 12 months)"),
        value=fit_lines(
            [
                _("{name} (checked {date})").format(name=e.name, date=f"{e.last_verified:%Y-%m-%d}")
                for e in status.stale
            ],
            EMBED_FIELD,
        )
        or _("none"),
        inline=False,
    )
    return embed


def settings_embed(cfg: SafetySettings, lang: str = "en") -> discord.Embed:
    """/safety settings and exclude for a moderator, in ``lang``."""
    _ = gettext_for(lang)
    embed = discord.Embed(title=_("Crisis-language settings"), colour=COLOUR)
    embed.add_field(name=_("Enabled"), value=_yes_no(cfg.enabled, lang))
    embed.add_field(
        name=_("Reply"),
        value=_("DM, then brief channel note")
        if cfg.reply_mode == "dm_then_channel"
        else _("DM only"),
    )
    embed.add_field(
        name=_("Cooldowns"),
        value=_("member {member} min · channel {channel} min").format(
            member=cfg.member_cooldown_minutes, channel=cfg.channel_cooldown_minutes
        ),
    )
    embed.add_field(
        name=_("Channel note deleted after"),
        value=_("{seconds} s").format(seconds=cfg.fallback_delete_seconds),
    )
    embed.add_field(
        name=_("Peer alerts"),
        value=f"<#{cfg.peer_alert_channel_id}>"
        if cfg.peer_alert_channel_id
        else _("the peer channel"),
    )
    embed.add_field(
        name=_("Moderator alerts"),
        value=f"<#{cfg.mod_alert_channel_id}>"
        if cfg.mod_alert_channel_id
        else _("the moderator channel"),
    )
    embed.add_field(name=_("Copy message text into alerts"), value=_yes_no(cfg.copy_content, lang))
    embed.add_field(name=_("Distress pointer"), value=_on_off(cfg.distress_pointer, lang))
    embed.add_field(name=_("Gentle check-ins"), value=_on_off(cfg.soft_replies, lang))
    embed.add_field(name=_("Quiet peer items"), value=_on_off(cfg.peer_items, lang))
    embed.add_field(name=_("Respite/warmline answers"), value=_on_off(cfg.needs_replies, lang))
    embed.add_field(
        name=_("Excluded"),
        value=" ".join(
            [f"<#{c}>" for c in cfg.excluded_channel_ids]
            + [f"<@&{r}>" for r in cfg.excluded_role_ids]
        )
        or _("none"),
        inline=False,
    )
    return embed
