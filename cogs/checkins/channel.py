"""Moderators' channel check-ins: ``/checkin create``, ``list``, ``edit``, ``preview``,
``pause``, ``resume``, ``delete``, ``run-now`` and ``/checkin settings min-interval``."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInputError
from bot.i18n import N_, gettext_for
from bot.services import Services
from bot.services.checkins import CheckinService, PostPlan, Preview
from bot.services.doctor.needs import checkin_needs
from bot.ui.checks import moderator_only
from bot.ui.replies import reader_language, send_private
from bot.ui.setup_check import channel_warning
from cogs.checkins.groups import checkin as checkin_group
from cogs.checkins.groups import checkin_autocomplete, settings_group, zone_autocomplete
from cogs.checkins.text import checkin_line, preview_text
from cogs.checkins.timers import THREADS, NotPosted

MIN_INTERVAL_SET = N_("Check-ins here may now run at most once every {minutes} minutes.")
#: ``/checkin settings min-interval``: a check-in stored before, which runs more often than the
#: new minimum (checked only when one is created or edited), keeps its schedule until changed.
RUNS_MORE_OFTEN = N_(
    "Check-in **#{id}** (`{schedule}`) runs more often than that and keeps its schedule until "
    "you change it: `/checkin edit checkin:{id} schedule:` (or `/checkin pause`)."
)


def run_now_answer(plan: PostPlan, posted: discord.Message | NotPosted, lang: str = "en") -> str:
    """What happened to a run-now, as it really happened: only a pause says "paused"."""
    _ = gettext_for(lang)
    where = f"<#{plan.checkin.channel_id}>"
    if isinstance(posted, discord.Message):
        return _("Posted: {link}").format(link=posted.jump_url)
    if posted is NotPosted.PAUSED:
        return _(
            "I couldn't post in {where}; the check-in is paused and moderators were told why."
        ).format(where=where)
    if posted is NotPosted.RETRYING:
        return _(
            "Discord had a problem when I posted in {where}, so nothing is there yet. I'll try "
            "again shortly by myself; the check-in keeps running on its schedule."
        ).format(where=where)
    return _(
        "Discord didn't answer when I looked up {where}, so nothing was posted. The check-in "
        "keeps running on its schedule; `/checkin run-now` can try again in a moment."
    ).format(where=where)


class ChannelCommands:
    """Mixed into the ``Checkins`` cog; ``_post`` and ``_missing_permissions`` come from the
    posting room (``cogs/checkins/timers.py``)."""

    bot: commands.Bot
    services: Services
    service: CheckinService

    @checkin_group.command(name="create")
    @moderator_only()
    @app_commands.describe(
        channel="Where the check-in is posted",
        schedule="e.g. `weekdays 09:00`, `mon,wed,fri 18:30`, `every 2 weeks on sunday 17:00`",
        tz="IANA time zone, e.g. Europe/London",
        prompt="Your prompts, separated by | (they rotate); empty for the built-in ones",
        title="Title of the post (default: Check-in)",
        thread="Open a thread for replies under each post",
        summary="Show counts of earlier anonymous moods in each post",
    )
    @app_commands.autocomplete(tz=zone_autocomplete)
    async def create(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        schedule: str,
        tz: str,
        prompt: str | None = None,
        title: str | None = None,
        thread: bool = False,
        summary: bool = False,
    ) -> None:
        """Schedule a check-in post in a channel (moderators)."""
        assert interaction.guild_id is not None
        preview = await self.service.create(
            guild_id=interaction.guild_id,
            channel_id=channel.id,
            schedule=schedule,
            tz=tz,
            prompt=prompt,
            title=title,
            use_thread=thread,
            show_summary=summary,
            actor_id=interaction.user.id,
        )
        lang = await reader_language(interaction)
        head = gettext_for(lang)(N_("Check-in created."))
        warning = await self._warning(preview, lang)
        await send_private(interaction, preview_text(head, preview, lang, warning))

    async def _warning(self, preview: Preview, lang: str) -> str | None:
        """When Kindred lacks something in the check-in's channel, the set-up check's problems
        and fixes for it, so a moderator hears at once (the check-in stays as it is)."""
        guild = self.bot.get_guild(preview.checkin.guild_id)
        if guild is None:
            return None
        needs = checkin_needs([preview.checkin])
        return await channel_warning(self.bot, guild, self.services.doctor, needs, lang)

    @checkin_group.command(name="list")
    @moderator_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """This server's check-ins (moderators)."""
        assert interaction.guild_id is not None
        rows = await self.service.list(interaction.guild_id)
        lang = await reader_language(interaction)
        text = "\n".join(checkin_line(row, nxt, lang) for row, nxt in rows)
        # every check-in, over several messages if the titles are long: none is left out
        empty = gettext_for(lang)(N_("No check-ins yet. `/checkin create` adds one."))
        await send_private(interaction, text or empty)

    @checkin_group.command(name="edit")
    @moderator_only()
    @app_commands.describe(
        checkin="Which check-in",
        channel="A new channel",
        schedule="A new schedule",
        tz="A new time zone",
        prompt="New prompts, separated by | (`-` for the built-in ones)",
        title="A new title",
        thread="Open a thread for replies",
        summary="Show counts of earlier moods",
    )
    @app_commands.autocomplete(checkin=checkin_autocomplete, tz=zone_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        checkin: int,
        channel: discord.TextChannel | None = None,
        schedule: str | None = None,
        tz: str | None = None,
        prompt: str | None = None,
        title: str | None = None,
        thread: bool | None = None,
        summary: bool | None = None,
    ) -> None:
        """Change a check-in (moderators)."""
        assert interaction.guild_id is not None
        preview = await self.service.edit(
            checkin,
            interaction.guild_id,
            channel_id=channel.id if channel else None,
            schedule=schedule,
            tz=tz,
            prompt="" if prompt is not None and prompt.strip() == "-" else prompt,
            title=title,
            use_thread=thread,
            show_summary=summary,
        )
        lang = await reader_language(interaction)
        head = gettext_for(lang)(N_("Check-in updated."))
        warning = await self._warning(preview, lang) if channel is not None or thread else None
        await send_private(interaction, preview_text(head, preview, lang, warning))

    @checkin_group.command(name="preview")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def preview(self, interaction: discord.Interaction, checkin: int) -> None:
        """Show a check-in's next five run times (moderators)."""
        assert interaction.guild_id is not None
        preview = await self.service.preview(checkin, interaction.guild_id)
        lang = await reader_language(interaction)
        head = gettext_for(lang)(N_("Check-in preview."))
        await send_private(interaction, preview_text(head, preview, lang))

    @checkin_group.command(name="pause")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def pause(self, interaction: discord.Interaction, checkin: int) -> None:
        """Pause a check-in; nothing is deleted (moderators)."""
        assert interaction.guild_id is not None
        row = await self.service.pause(checkin, interaction.guild_id)
        text = gettext_for(await reader_language(interaction))(
            N_("Check-in #{id} is paused. `/checkin resume` restarts it.")
        )
        await send_private(interaction, text.format(id=row.id))

    @checkin_group.command(name="resume")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def resume(self, interaction: discord.Interaction, checkin: int) -> None:
        """Resume a paused check-in (moderators)."""
        assert interaction.guild_id is not None
        row = await self.service.get(checkin, interaction.guild_id)
        missing = await self._missing_permissions(row.channel_id, row.use_thread)
        blocking = [name for name in missing if name != THREADS]  # a thread is only extra
        where = f"<#{row.channel_id}>"
        if blocking == ["channel"]:
            raise InvalidInputError(
                N_(
                    "I still can't post in {where}: the channel is gone. `/checkin edit` can "
                    "move the check-in."
                ),
                where=where,
            )
        if blocking:  # Discord's permission names, as Discord's settings show them
            raise InvalidInputError(
                N_("I still can't post in {where}: I'm missing {missing} there."),
                where=where,
                missing=", ".join(blocking),
            )
        preview = await self.service.resume(checkin, interaction.guild_id)
        lang = await reader_language(interaction)
        _ = gettext_for(lang)
        head = (
            _(
                "Check-in resumed. Posts will go out without a thread until I have {threads} in "
                "{where}."
            ).format(threads=THREADS, where=where)
            if THREADS in missing
            else _("Check-in resumed.")
        )
        await send_private(interaction, preview_text(head, preview, lang))

    @checkin_group.command(name="delete")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def delete(self, interaction: discord.Interaction, checkin: int) -> None:
        """Delete a check-in; posts already made stay (moderators)."""
        assert interaction.guild_id is not None
        await self.service.delete(checkin, interaction.guild_id)
        text = gettext_for(await reader_language(interaction))(N_("Check-in #{id} deleted."))
        await send_private(interaction, text.format(id=checkin))

    @checkin_group.command(name="run-now")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def run_now(self, interaction: discord.Interaction, checkin: int) -> None:
        """Post a check-in now, once, without changing its schedule (moderators)."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.service.run_now(checkin, interaction.guild_id)
        posted = await self._post(plan)
        answer = run_now_answer(plan, posted, await reader_language(interaction))
        await interaction.followup.send(answer, ephemeral=True)

    @settings_group.command(name="min-interval")
    @moderator_only()
    @app_commands.describe(minutes="Shortest time between two runs of a check-in (15 to 10080)")
    async def min_interval(self, interaction: discord.Interaction, minutes: int) -> None:
        """Set how often check-ins may run at most in this server (moderators)."""
        assert interaction.guild_id is not None
        faster = await self.service.set_min_interval(
            interaction.guild_id, interaction.user.id, minutes
        )
        _ = gettext_for(await reader_language(interaction))
        lines = [_(MIN_INTERVAL_SET).format(minutes=minutes)]
        # the minimum is checked at create and edit: those stored already keep their schedules
        lines += [_(RUNS_MORE_OFTEN).format(id=row.id, schedule=row.schedule) for row in faster]
        await send_private(interaction, "\n".join(lines))
