"""Moderators' commands: ``/group create``, ``edit``, ``archive``, ``unarchive``, ``repair`` and
``panel``; and ``/group list`` for everyone.

Creating makes (or adopts) the channel and a role on Discord, sets the channel's overwrites,
reads the channel back and checks them, and only then stores the group; a creation that fails
half-way removes what it made."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import ConflictError
from bot.i18n import N_, gettext_for
from bot.services import Services
from bot.services.groups import (
    Access,
    GroupRow,
    GroupService,
    access_problems,
    adopted_as,
    as_adopted,
)
from bot.ui.checks import is_moderator, moderator_only
from bot.ui.replies import localized, reader_language, send_private, send_private_pages
from cogs.groups import discord_ops as ops
from cogs.groups.groups import group as group_cmd
from cogs.groups.groups import group_autocomplete
from cogs.groups.views import group_line, panel_pages

log = logging.getLogger(__name__)

#: ``/group panel`` failing: Discord refused (a permission is missing) or failed itself; with
#: ``_LEFT`` when pages already posted could not be deleted.
PANEL_FORBIDDEN = N_(
    "I couldn't post in <#{channel}>: I need View Channel, Send Messages and Embed Links there."
)
PANEL_FORBIDDEN_LEFT = N_(
    "I couldn't post the whole panel in <#{channel}>: I need View Channel, Send Messages and "
    "Embed Links there. Part of it is still there and I couldn't remove it; please delete it."
)
PANEL_FAILED = N_(
    "Discord had a problem when I posted the panel in <#{channel}>, so nothing is there; "
    "please try again in a moment."
)
PANEL_FAILED_LEFT = N_(
    "Discord had a problem when I posted the panel in <#{channel}>, and part of it is still "
    "there: I couldn't remove it. Please delete it, then try again in a moment."
)

DELETED_WHILE_SETTING = N_("<#{channel}> was deleted while I was setting it up.")

# The moderator's answers say who sees the channel in whole sentences, one per case of
# ``_seen`` (the same cases as ``views.visibility``, which the group's embed shows)
_PRIVATE = "private"
_SERVER_LETS_IN = "server lets in"
_EVERYONE = "everyone"
READY = {
    _PRIVATE: N_(
        "**{name}** is ready: <#{channel}>, role <@&{role}>. Private: only members, peer "
        "supporters (facilitators) and moderators see it (checked on Discord). Members join "
        "with `/group join` or a panel (`/group panel`), after accepting the guidelines "
        "(`/group guidelines set` gives the group its own)."
    ),
    _SERVER_LETS_IN: N_(
        "**{name}** is ready: <#{channel}>, role <@&{role}>. Open: everyone the server lets "
        "into the channel can read it (checked on Discord). Members join with `/group join` or "
        "a panel (`/group panel`), after accepting the guidelines (`/group guidelines set` "
        "gives the group its own)."
    ),
    _EVERYONE: N_(
        "**{name}** is ready: <#{channel}>, role <@&{role}>. Open: everyone in the server can "
        "read it (checked on Discord). Members join with `/group join` or a panel (`/group "
        "panel`), after accepting the guidelines (`/group guidelines set` gives the group its "
        "own)."
    ),
}
UPDATED = {
    _PRIVATE: N_(
        "**{name}** updated. Private: only members, peer supporters (facilitators) and "
        "moderators see it."
    ),
    _SERVER_LETS_IN: N_(
        "**{name}** updated. Open: everyone the server lets into the channel can read it."
    ),
    _EVERYONE: N_("**{name}** updated. Open: everyone in the server can read it."),
}
REOPENED = {
    _PRIVATE: N_(
        "**{name}** is open again. Private: only members, peer supporters (facilitators) and "
        "moderators see it."
    ),
    _SERVER_LETS_IN: N_(
        "**{name}** is open again. Open: everyone the server lets into the channel can read it."
    ),
    _EVERYONE: N_("**{name}** is open again. Open: everyone in the server can read it."),
}
ADOPTED_UNKNOWN = N_(
    "I don't know who could see <#{channel}> before it became a group (it was adopted before "
    "I kept that), so I didn't open it wider than it is now: if @everyone still can't see it, "
    "let them (or the role that should) view it in the channel's settings."
)
ADOPTED_HIDDEN = N_(
    "<#{channel}> was hidden from @everyone before it became a group, so it stays that way: "
    "only people your server already lets in see it, and joining the group doesn't let anyone "
    "else in. If joining should be the way in, make the group private "
    "(`/group edit private:True`)."
)


def _seen(group: GroupRow) -> str:
    """Who sees the group's channel: the case of ``views.visibility``."""
    if group.private:
        return _PRIVATE
    kept = adopted_as(group)
    if kept is not None and kept.hidden:
        return _SERVER_LETS_IN
    return _EVERYONE


async def _adopted_note(interaction: discord.Interaction, group: GroupRow) -> str:
    """``views.adopted_note`` in the reader's language: a paragraph for the moderator when an
    open group's adopted channel isn't simply open to all; empty otherwise."""
    if group.private or not group.active or not group.adopted:
        return ""
    kept = adopted_as(group)
    if kept is None:
        text = ADOPTED_UNKNOWN
    elif kept.hidden:
        text = ADOPTED_HIDDEN
    else:
        return ""
    return "\n\n" + await localized(interaction, text, channel=group.channel_id)


class ManageCommands:
    """Mixed into the ``Groups`` cog."""

    bot: commands.Bot
    services: Services
    service: GroupService
    _listen_if_needed: Callable[[], Awaitable[None]]  # from the posting room
    _slowmode_ended: Callable[..., Awaitable[None]]  # from the settings room
    meetings_archived: Callable[..., Awaitable[str]]  # from meeting_delivery: a note or ""
    meetings_unarchived: Callable[..., Awaitable[str]]
    tell_archived: Callable[..., Awaitable[None]]  # members reminded of a cancelled date

    # -- checking a channel's overwrites against the plan --------------------------------------
    async def _verify(
        self,
        guild: discord.Guild,
        channel: discord.abc.GuildChannel,
        access: list[Access],
        role: discord.Role | None,
        *,
        hidden: bool,
        only_mine: bool = False,
        keep_others: bool = False,
    ) -> None:
        """Read the channel back from Discord and compare; set it once more if it differs,
        then give up naming what is wrong."""
        for attempt in range(2):
            actual = await ops.fetch_access(guild, channel.id)
            if actual is None:
                raise ConflictError(DELETED_WHILE_SETTING, channel=channel.id)
            mine = [a for a in access if a.kind == "member" and a.target_id == guild.me.id]
            problems = access_problems(mine if only_mine else access, actual, hidden)
            if not problems:
                return
            if attempt == 0:
                await ops.set_access(
                    guild, channel, access, role, only_mine=only_mine, keep_others=keep_others,
                    hidden=hidden,
                )  # fmt: skip
        raise ConflictError(
            N_(
                "I set who can see <#{channel}>, but Discord shows it differently: {problems}. "
                "Please check the channel's permissions."
            ),
            channel=channel.id,
            problems="; ".join(problems[:5]),
        )

    async def _apply_access(
        self, guild: discord.Guild, group: GroupRow, role: discord.Role | None = None
    ) -> None:
        """Set and check a group channel's overwrites for its (new) state: every overwrite
        Kindred manages is worked out from the group's status, privacy and lock, never left
        from an earlier state."""
        channel = guild.get_channel(group.channel_id or 0)
        if channel is None:
            return
        locked = group.active and await self.services.meetings.channel_locked(group.id)
        access = await self.service.access_for(
            group, guild.me.id, role_id=role.id if role else None, locked=locked,
            roles={r.id for r in guild.roles},
        )  # fmt: skip
        hidden = group.private or not group.active
        # Only the overwrites Kindred manages are written, on a channel it made too: this runs at
        # every meeting's open and close, and a moderator's own overwrite there (a "Muted" deny)
        # must survive it (while the group is hidden, others only lose View Channel)
        await ops.set_access(guild, channel, access, role, keep_others=True, hidden=hidden)
        await self._verify(guild, channel, access, role, hidden=hidden, keep_others=True)

    async def _remember_adopted(
        self, guild: discord.Guild, group: GroupRow, *, locked: bool | None = None
    ) -> GroupRow:
        """A group adopted before Kindred kept how its channel was, about to be hidden or
        locked: while it is open its channel is as the server has it, so read and keep that
        first. ``locked``: whether Kindred's lock is on the channel now (by default what the
        meetings service says; a caller changing it knows what it was)."""
        if not self.service.needs_adopted_state(group):
            return group
        current = await ops.fetch_access(guild, group.channel_id or 0)
        if current is None:
            return group
        if locked is None:
            locked = await self.services.meetings.channel_locked(group.id)
        kept = as_adopted(current, guild.id, skip=(group.role_id,), locked=locked)
        return await self.service.remember_adopted(group, kept)

    # -- commands ------------------------------------------------------------------------------
    @group_cmd.command(name="create")
    @moderator_only()
    @app_commands.describe(
        name="The group's name (2-40 letters, numbers, spaces, - _ ' & .)",
        description="What the group is for, in a sentence",
        tags="Topic tags, separated by commas",
        private="Only members, peer supporters and moderators see the channel",
        channel="Use this existing channel instead of creating one",
    )
    async def create(
        self,
        interaction: discord.Interaction,
        name: str,
        description: str,
        tags: str | None = None,
        private: bool = False,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Create a support group with its channel and role (moderators)."""
        assert interaction.guild is not None
        guild = interaction.guild
        new = await self.service.prepare_create(
            guild_id=guild.id, name=name, description=description, tags=tags,
            private=private, channel_id=channel.id if channel else None,
        )  # fmt: skip
        ops.require_manage(guild)
        await interaction.response.defer(ephemeral=True, thinking=True)
        row, target, role = await self._make_group(interaction, new, channel)
        ready = await localized(
            interaction, READY[_seen(row)], name=row.name, channel=target.id, role=role.id
        )
        await send_private(interaction, ready + await _adopted_note(interaction, row))

    async def _make_group(self, interaction: discord.Interaction, new, channel):
        """The role, the channel (made or adopted) and its checked access, then the stored
        group; anything done on Discord is undone if a later step fails."""
        guild = interaction.guild
        assert guild is not None
        role = await ops.create_role(guild, new.name)
        made: discord.abc.GuildChannel | None = None
        before = dict(channel.overwrites) if channel is not None else None
        kept = None
        try:
            if channel is not None:  # as the server has it, before Kindred writes anything
                current = await ops.fetch_access(guild, channel.id)
                if current is None:
                    raise ConflictError(DELETED_WHILE_SETTING, channel=channel.id)
                kept = as_adopted(current, guild.id)
            access = await self.service.plan_channel_access(
                guild.id, private=new.private, archived=False, role_id=role.id, bot_id=guild.me.id
            )
            if channel is None:
                made = await ops.create_channel(guild, new.slug, new.description, access, role)
                target: discord.abc.GuildChannel = made
            else:
                target = channel
                await ops.set_access(
                    guild, target, access, role, only_mine=not new.private, keep_others=True,
                    hidden=new.private,
                )  # fmt: skip
            await self._verify(
                guild, target, access, role, hidden=new.private, only_mine=channel is not None
                and not new.private, keep_others=channel is not None,
            )  # fmt: skip
            row = await self.service.create(
                new, channel_id=target.id, role_id=role.id, actor_id=interaction.user.id,
                as_adopted=kept,
            )  # fmt: skip
            await self._listen_if_needed()
        except Exception:  # undo what this creation did on Discord
            await ops.delete_quietly(role)
            await ops.delete_quietly(made)
            if channel is not None and before is not None:
                await ops.restore_quietly(channel, before)
            raise
        return row, target, role

    @group_cmd.command(name="edit")
    @moderator_only()
    @app_commands.describe(
        name="Which group",
        new_name="A new name",
        description="A new description",
        tags="New topic tags, separated by commas (`-` for none)",
        private="Only members, peer supporters and moderators see the channel",
    )
    @app_commands.autocomplete(name=group_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        name: str,
        new_name: str | None = None,
        description: str | None = None,
        tags: str | None = None,
        private: bool | None = None,
    ) -> None:
        """Rename a group, change its description, tags or privacy (moderators)."""
        assert interaction.guild is not None
        guild = interaction.guild
        group = await self.service.by_name(guild.id, name)
        edit = await self.service.prepare_edit(
            group.id, guild.id, name=new_name, description=description,
            tags="" if tags is not None and tags.strip() == "-" else tags, private=private,
        )  # fmt: skip
        ops.require_manage(guild)
        await interaction.response.defer(ephemeral=True, thinking=True)
        prospective = dataclasses.replace(
            group, **{k: v for k, v in edit.changes.items() if k != "name_key"}
        )
        if edit.renamed:
            await ops.rename_role(guild, group.role_id, prospective.name)
            channel = guild.get_channel(group.channel_id or 0)
            if channel is not None and not group.adopted:
                try:
                    await channel.edit(name=edit.slug)
                except discord.HTTPException as exc:
                    raise ops.refused(guild, exc, N_("rename the group's channel")) from exc
        if edit.access_changed and prospective.active:
            await self._remember_adopted(guild, group)  # before it goes private
            await self._apply_access(guild, prospective)
        row = await self.service.apply_edit(edit, interaction.user.id)
        note = await _adopted_note(interaction, row) if edit.access_changed else ""
        text = await localized(interaction, UPDATED[_seen(row)], name=row.name)
        await send_private(interaction, text + note)

    @group_cmd.command(name="archive")
    @moderator_only()
    @app_commands.describe(name="Which group")
    @app_commands.autocomplete(name=group_autocomplete)
    async def archive(self, interaction: discord.Interaction, name: str) -> None:
        """Close a group: channel locked and hidden, members can still read it (moderators)."""
        assert interaction.guild is not None
        guild = interaction.guild
        group = await self.service.to_archive(guild.id, name)
        ops.require_manage(guild)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._remember_adopted(guild, group)
        await self._apply_access(guild, dataclasses.replace(group, status="archived"))
        row = await self.service.archive(group.id, guild.id, interaction.user.id)
        await self._slowmode_ended(group, row)
        events = await self.meetings_archived(row)
        text = N_(
            "**{name}** is archived: its channel is locked and hidden from everyone but its "
            "members (who can still read it) and moderators. The role and the member list are "
            "kept; `/group unarchive` brings the group back."
        )
        text = await localized(interaction, text, name=row.name)
        if events:  # its meetings' events are still listed: the moderator deletes them by hand
            text += "\n" + await localized(interaction, events)
        await send_private(interaction, text)
        await self.tell_archived(row)  # members reminded of a meeting date it cancels

    @group_cmd.command(name="unarchive")
    @moderator_only()
    @app_commands.describe(name="Which group")
    @app_commands.autocomplete(name=group_autocomplete)
    async def unarchive(self, interaction: discord.Interaction, name: str) -> None:
        """Bring an archived group back (moderators)."""
        assert interaction.guild is not None
        guild = interaction.guild
        group = await self.service.by_name(guild.id, name)
        ops.require_manage(guild)
        await interaction.response.defer(ephemeral=True, thinking=True)
        row = await self.service.unarchive(group.id, guild.id, interaction.user.id)
        await self._listen_if_needed()
        await self._apply_access(guild, row)
        events = await self.meetings_unarchived(row)
        text = await localized(interaction, REOPENED[_seen(row)], name=row.name)
        if events:  # an event left as it was, or Discord didn't take it
            text += "\n" + await localized(interaction, events)
        await send_private(interaction, text + await _adopted_note(interaction, row))

    @group_cmd.command(name="list", extras={"server_only": True})
    async def list_(self, interaction: discord.Interaction) -> None:
        """The server's support groups."""
        if interaction.guild_id is None:
            text = N_("Groups live in a server; run this there.")
            await send_private(interaction, await localized(interaction, text))
            return
        moderator = await is_moderator(interaction)
        rows = await self.service.for_guild(interaction.guild_id, include_archived=moderator)
        counts = await self.service.member_counts(interaction.guild_id)
        lang = await reader_language(interaction)
        lines = [
            group_line(r, counts.get(r.id, 0), for_moderator=moderator, lang=lang) for r in rows
        ]
        _ = gettext_for(lang)
        text = "\n\n".join(lines) or _("No support groups yet.")
        # every group, over several messages when there are many: none is cut off
        await send_private_pages(
            interaction,
            _("Support groups"),
            text,
            footer=_("Join with /group join; leave any time with /group leave."),
        )

    @group_cmd.command(name="panel")
    @moderator_only()
    @app_commands.describe(channel="Where to post the panel")
    async def panel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Post a panel where members browse groups and join or leave with a button (moderators)."""
        assert interaction.guild_id is not None
        rows = await self.service.for_guild(interaction.guild_id)
        if not rows:
            raise ConflictError(N_("There are no groups to show yet; `/group create` makes one."))
        counts = await self.service.member_counts(interaction.guild_id)
        pages = panel_pages(rows, counts)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._post_panel(channel, pages)
        more = len(rows) - sum(len(v.children) // 2 for _, v in pages)
        text = (
            N_(
                "Panel posted in <#{channel}>. {count} more groups didn't fit: `/group join` finds "
                "every group."
            )
            if more > 0
            else N_("Panel posted in <#{channel}>.")
        )
        await send_private(
            interaction, await localized(interaction, text, channel=channel.id, count=more)
        )

    async def _post_panel(
        self, channel: discord.TextChannel, pages: list[tuple[discord.Embed, discord.ui.View]]
    ) -> None:
        """Post every page of a panel, or none: when Discord fails part-way, the pages already
        posted are deleted, and the moderator reads what really happened (a refusal names the
        permissions; Discord's own failure asks to try again in a moment)."""
        posted: list[discord.Message] = []
        try:
            for embed, view in pages:
                posted.append(await channel.send(embed=embed, view=view))
        except discord.HTTPException as exc:
            left = await _delete_all(posted)
            if isinstance(exc, discord.Forbidden):
                text = PANEL_FORBIDDEN_LEFT if left else PANEL_FORBIDDEN
            else:
                text = PANEL_FAILED_LEFT if left else PANEL_FAILED
            raise ConflictError(text, channel=channel.id) from exc


async def _delete_all(messages: list[discord.Message]) -> bool:
    """Delete ``messages``; True when some of them could not be deleted (still there)."""
    left = False
    for message in messages:
        try:
            await message.delete()
        except discord.NotFound:
            pass
        except discord.HTTPException:
            log.info("panel: could not delete a page (channel %s)", message.channel.id)
            left = True
    return left
