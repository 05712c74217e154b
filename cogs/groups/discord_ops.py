"""Kindred's hands on Discord for groups: roles, channels and their permission overwrites (set,
then read back from Discord and checked), giving and taking roles. Discord's refusals become
kind messages that name the fix (which permission, or which role to move), marked ``N_()`` so
whoever meets them reads them in their language."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

import discord

from bot.errors import ConflictError, KindredError, NotFoundError, PermissionDeniedError
from bot.i18n import N_
from bot.services.groups import Access, adopted_changes

log = logging.getLogger(__name__)

#: discord.py lists View Channel under its older name when iterating permissions.
ALIASES = {"read_messages": "view_channel"}


ROLE_GONE = N_("The group's role is gone; moderators can use `/group repair`.")


class MemberGoneError(NotFoundError):
    """Discord says the member is no longer in the server (10007)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(N_("That member is no longer in this server."))
        self.user_id = user_id


class RoleGoneError(NotFoundError):
    """Discord says the role is gone (10011)."""

    def __init__(self) -> None:
        super().__init__(ROLE_GONE)


class _Doing:
    """A refusal while doing something: the sentence (``{doing}`` in it) and what was being
    done (its own ``N_()`` phrase with its values) are translated together."""

    doing: KindredError
    template: str
    params: dict[str, object]

    def message_in(self, lang: str | None) -> str:
        doing = self.doing.message_in(lang)
        return KindredError(self.template, **{**self.params, "doing": doing}).message_in(lang)


class DiscordForbiddenError(_Doing, PermissionDeniedError):
    def __init__(self, text: str, doing: KindredError, **params: object) -> None:
        super().__init__(text, doing=doing.user_message, **params)
        self.doing = doing


class DiscordFailedError(_Doing, ConflictError):
    def __init__(self, text: str, doing: KindredError, **params: object) -> None:
        super().__init__(text, doing=doing.user_message, **params)
        self.doing = doing


def _top_role(guild: discord.Guild) -> str:
    return guild.me.top_role.name if guild.me else "Kindred"


def require_manage(guild: discord.Guild) -> None:
    """Groups need Manage Roles and Manage Channels: say which are missing and where to fix."""
    perms = guild.me.guild_permissions
    if not perms.manage_roles and not perms.manage_channels:
        text = N_(
            "I need the **Manage Roles** and **Manage Channels** permissions to run support "
            "groups. A server admin can turn them on in Server Settings → Roles → **{role}**, "
            "then try again."
        )
    elif not perms.manage_roles:
        text = N_(
            "I need the **Manage Roles** permission to run support groups. A server admin can "
            "turn it on in Server Settings → Roles → **{role}**, then try again."
        )
    elif not perms.manage_channels:
        text = N_(
            "I need the **Manage Channels** permission to run support groups. A server admin "
            "can turn it on in Server Settings → Roles → **{role}**, then try again."
        )
    else:
        return
    raise PermissionDeniedError(text, role=_top_role(guild))


def check_hierarchy(guild: discord.Guild, role: discord.Role) -> None:
    if role >= guild.me.top_role:
        raise PermissionDeniedError(
            N_(
                "I can't give or take the **{role}** role: it sits above my own role. In "
                "Server Settings → Roles, drag **{mine}** above **{role}**, then try again."
            ),
            role=role.name,
            mine=guild.me.top_role.name,
        )


def refused(
    guild: discord.Guild, exc: discord.HTTPException, doing: str, /, **params: object
) -> KindredError:
    """A Discord refusal while ``doing`` something (a phrase marked ``N_()``, its values as
    keyword arguments: ``N_("set who can see <#{channel}>"), channel=channel.id``), as a
    message that names the fix, in the reader's language."""
    action = KindredError(doing, **params)
    if isinstance(exc, discord.Forbidden):
        return DiscordForbiddenError(
            N_(
                "Discord didn't let me {doing}: I'm missing a permission (Manage Roles or "
                "Manage Channels, or View Channel there), or my role is too low. Check Server "
                "Settings → Roles → **{role}** and that my role sits above the group's role, "
                "then try again."
            ),
            action,
            role=_top_role(guild),
        )
    if exc.code == 30005:
        return ConflictError(N_("This server has Discord's maximum of 250 roles; free one first."))
    if exc.code == 30013:
        return ConflictError(
            N_("This server has Discord's maximum of 500 channels; free one first.")
        )
    if exc.status == 400:
        return DiscordFailedError(
            N_("Discord didn't accept that while I tried to {doing}."), action
        )
    return DiscordFailedError(
        N_("Discord had a problem while I tried to {doing}; please try again."), action
    )


# -- roles -----------------------------------------------------------------------------------
async def create_role(guild: discord.Guild, name: str) -> discord.Role:
    try:
        return await guild.create_role(
            name=name, permissions=discord.Permissions.none(), mentionable=False,
            reason="Kindred support group",
        )  # fmt: skip
    except discord.HTTPException as exc:
        raise refused(guild, exc, N_("create the group's role")) from exc


async def rename_role(guild: discord.Guild, role_id: int | None, name: str) -> None:
    role = guild.get_role(role_id or 0)
    if role is None:
        return
    try:
        await role.edit(name=name, reason="Kindred support group renamed")
    except discord.HTTPException as exc:
        raise refused(guild, exc, N_("rename the group's role")) from exc


async def give_role(
    client: discord.Client, guild: discord.Guild, user_id: int, role: discord.Role
) -> None:
    await _member_role(client, guild, user_id, role, add=True)


async def take_role(
    client: discord.Client, guild: discord.Guild, user_id: int, role: discord.Role
) -> None:
    await _member_role(client, guild, user_id, role, add=False)


async def _member_role(
    client: discord.Client, guild: discord.Guild, user_id: int, role: discord.Role, *, add: bool
) -> None:
    """One REST call by ids: without the members intent there may be no Member to call on."""
    check_hierarchy(guild, role)
    try:
        if add:
            await client.http.add_role(guild.id, user_id, role.id, reason="Kindred group")
        else:
            await client.http.remove_role(guild.id, user_id, role.id, reason="Kindred group")
    except discord.NotFound as exc:
        if exc.code == 10007:
            raise MemberGoneError(user_id) from exc
        raise NotFoundError(ROLE_GONE) from exc
    except discord.HTTPException as exc:
        doing = N_("give the role") if add else N_("take the role back")
        raise refused(guild, exc, doing) from exc


async def delete_quietly(thing: discord.abc.Snowflake | None) -> None:
    """Undo a half-made group (a role or channel Kindred just created)."""
    if thing is None:
        return
    with contextlib.suppress(discord.HTTPException):
        await thing.delete(reason="Kindred: group creation did not finish")  # type: ignore[attr-defined]


async def restore_quietly(
    channel: discord.abc.GuildChannel,
    overwrites: dict[discord.abc.Snowflake, discord.PermissionOverwrite],
) -> None:
    """Put an adopted channel's overwrites back as they were."""
    with contextlib.suppress(discord.HTTPException):
        await channel.edit(overwrites=overwrites, reason="Kindred: group creation did not finish")


# -- channels and overwrites -------------------------------------------------------------------
def _target(
    guild: discord.Guild, item: Access, fresh: discord.Role | None
) -> discord.abc.Snowflake | None:
    if item.kind == "member":
        return guild.me if item.target_id == guild.me.id else discord.Object(item.target_id)
    if fresh is not None and item.target_id == fresh.id:
        return fresh
    return guild.get_role(item.target_id)


def overwrites_for(
    guild: discord.Guild, access: Iterable[Access], fresh: discord.Role | None = None
) -> dict[discord.abc.Snowflake, discord.PermissionOverwrite]:
    """discord.py overwrites for a plan (its empty ones left out); targets Discord no longer
    has are left out too (the check that follows names them)."""
    out: dict[discord.abc.Snowflake, discord.PermissionOverwrite] = {}
    for item in access:
        target = _target(guild, item, fresh)
        if target is None or not (item.allow or item.deny):
            continue
        values = dict.fromkeys(item.allow, True) | dict.fromkeys(item.deny, False)
        out[target] = discord.PermissionOverwrite(**values)
    return out


def read_access(channel: discord.abc.GuildChannel) -> list[Access]:
    """The channel's overwrites, in the service's terms."""
    out = []
    for target, overwrite in channel.overwrites.items():
        allow, deny = overwrite.pair()
        is_role = isinstance(target, discord.Role) or getattr(target, "type", None) is discord.Role
        out.append(
            Access(
                target.id,
                "role" if is_role else "member",
                frozenset(ALIASES.get(n, n) for n, v in allow if v),
                frozenset(ALIASES.get(n, n) for n, v in deny if v),
            )
        )
    return out


async def create_channel(
    guild: discord.Guild, name: str, topic: str, access: list[Access], role: discord.Role
) -> discord.TextChannel:
    try:
        return await guild.create_text_channel(
            name, topic=topic[:1024], overwrites=overwrites_for(guild, access, role),
            reason="Kindred support group",
        )  # fmt: skip
    except discord.HTTPException as exc:
        raise refused(guild, exc, N_("create the group's channel")) from exc


async def set_access(
    guild: discord.Guild,
    channel: discord.abc.GuildChannel,
    access: list[Access],
    role: discord.Role | None = None,
    *,
    only_mine: bool = False,
    keep_others: bool = False,
    hidden: bool = False,
) -> None:
    """Give the channel the plan's overwrites. With ``keep_others`` (every existing channel:
    adopted, or made by Kindred with a moderator's own overwrites since) the channel is read
    from Discord first and only the overwrites Kindred manages are written, one at a time
    (``adopted_changes``); without, the channel gets exactly the plan (a channel just made).
    ``only_mine`` sets just Kindred's own (a channel adopted as an open group stays as the
    server has it)."""
    try:
        if only_mine:
            mine = [a for a in access if a.kind == "member" and a.target_id == guild.me.id]
            for target, overwrite in overwrites_for(guild, mine).items():
                await channel.set_permissions(target, overwrite=overwrite)
        elif keep_others:
            now = read_access(await guild.fetch_channel(channel.id))
            changes = adopted_changes(now, access, hidden=hidden, writable=_writable(guild))
            # Kindred's own first (it must still see the channel), @everyone last
            order = {guild.me.id: 0, guild.id: 2}
            for item in sorted(changes, key=lambda a: order.get(a.target_id, 1)):
                await _write_overwrite(guild, channel, item)
        else:
            await channel.edit(overwrites=overwrites_for(guild, access, role))
    except discord.HTTPException as exc:
        raise refused(guild, exc, N_("set who can see <#{channel}>"), channel=channel.id) from exc


def _writable(guild: discord.Guild) -> frozenset[str]:
    """The permissions Discord lets Kindred put in an overwrite: those it holds (all with
    Administrator, which alone may put Manage Roles in one)."""
    have = guild.me.guild_permissions
    if have.administrator:
        have = discord.Permissions.all()
    else:
        have.manage_roles = False
    return frozenset(ALIASES.get(n, n) for n, v in have if v)


async def _write_overwrite(
    guild: discord.Guild, channel: discord.abc.GuildChannel, item: Access
) -> None:
    """One overwrite by ids (a member's may not be cached: no members intent); empty deletes."""
    http = guild._state.http  # discord.py has no public call by ids
    if not (item.allow or item.deny):
        await http.delete_channel_permissions(channel.id, item.target_id, reason="Kindred group")
        return
    allow = discord.Permissions(**dict.fromkeys(item.allow, True)).value
    deny = discord.Permissions(**dict.fromkeys(item.deny, True)).value
    await http.edit_channel_permissions(
        channel.id, item.target_id, str(allow), str(deny), 0 if item.kind == "role" else 1,
        reason="Kindred group",
    )  # fmt: skip


async def fetch_access(guild: discord.Guild, channel_id: int) -> list[Access] | None:
    """The channel's overwrites as Discord has them now (one REST read), None if it is gone."""
    try:
        channel = await guild.fetch_channel(channel_id)
    except discord.NotFound:
        return None
    except discord.HTTPException as exc:
        raise refused(guild, exc, N_("read back <#{channel}>"), channel=channel_id) from exc
    return read_access(channel)
