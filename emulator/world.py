"""Building the emulated world as a test would: users, guilds, roles, members, channels, threads.

Each builder dispatches the gateway event a human's change in the Discord client would cause
(``GUILD_MEMBER_ADD``, ``CHANNEL_CREATE``, ``THREAD_CREATE``...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .gateway import Intents
from .models import Channel, ChannelType, Guild, Member, Overwrite, Role, User
from .permissions import DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS
from .snowflake import iso_timestamp
from .state import ChannelLike, EmulatorState, GuildLike, RoleLike, UserLike


class WorldMixin(EmulatorState):
    """``create_*`` / ``add_*`` / ``set_*`` builders and the channel bookkeeping they share."""

    def create_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        bot: bool = False,
        dms_open: bool = True,
    ) -> User:
        user = self._new_user(username, bot=bot, global_name=global_name)
        user.dms_open = dms_open
        return user

    def create_guild(
        self,
        name: str = "Haven",
        *,
        owner: User | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        with_bot: bool = True,
    ) -> Guild:
        """Create a guild (the bot joins it with a managed role holding ``bot_permissions``)."""
        owner = owner or self._new_user(f"{name.lower()}-owner")
        guild = Guild(id=self.new_id(), name=name, owner_id=owner.id)
        guild.roles[guild.id] = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=everyone_permissions
        )
        self.guilds[guild.id] = guild
        guild.members[owner.id] = Member(user=owner, guild_id=guild.id)
        self.guild_commands.setdefault(guild.id, {})
        if with_bot:
            bot_role = Role(
                id=self.new_id(),
                guild_id=guild.id,
                name=self.bot_user.username,
                permissions=bot_permissions,
                position=1,
                managed=True,
                bot_id=self.bot_user.id,
            )
            guild.roles[bot_role.id] = bot_role
            guild.bot_role_id = bot_role.id
            guild.members[self.bot_user.id] = Member(
                user=self.bot_user, guild_id=guild.id, roles=[bot_role.id]
            )
            self._dispatch_guild_create(guild)
        return guild

    def _dispatch_guild_create(self, guild: Guild) -> None:
        for session in self._live_sessions():
            if session.intents & Intents.GUILDS and session.wants("GUILD_CREATE", {"id": guild.id}):
                session.push("GUILD_CREATE", guild.create_payload(me_id=self.bot_user.id))
        self._notify()

    def remove_bot(self, guild: GuildLike) -> None:
        """Someone removes (kicks) the bot from ``guild``: GUILD_DELETE without ``unavailable``
        to the bot's sessions, as Discord sends it. From then on the guild's events are not
        sent to the bot, and REST calls on the guild and its channels are refused as Discord
        refuses them (403 Missing Access). Its managed role is kept for :meth:`invite_bot`."""
        g = self.guild(guild)
        if g.members.pop(self.bot_user.id, None) is None:
            return
        for session in self._live_sessions():
            if session.intents & Intents.GUILDS and session.wants("GUILD_DELETE", {"id": g.id}):
                session.push("GUILD_DELETE", {"id": str(g.id)})
        self._notify()

    def invite_bot(self, guild: GuildLike) -> None:
        """The bot is invited back to ``guild`` (with its managed role): GUILD_CREATE with the
        guild's state as it is now."""
        g = self.guild(guild)
        if self.bot_user.id in g.members:
            return
        roles = [g.bot_role_id] if g.bot_role_id in g.roles else []
        g.members[self.bot_user.id] = Member(user=self.bot_user, guild_id=g.id, roles=roles)
        # a guild joined (not one coming back from an outage): no "unavailable" field, so
        # discord.py dispatches on_guild_join
        payload = g.create_payload(me_id=self.bot_user.id)
        payload.pop("unavailable", None)
        for session in self._live_sessions():
            if session.intents & Intents.GUILDS and session.wants("GUILD_CREATE", {"id": g.id}):
                session.push("GUILD_CREATE", payload)
        self._notify()

    def bot_in(self, guild_id: int | None) -> bool:
        """Whether the bot is in the guild ``guild_id`` (None: no guild, a DM)."""
        if guild_id is None:
            return True
        g = self.guilds.get(int(guild_id))
        return g is not None and self.bot_user.id in g.members

    def create_role(
        self,
        guild: GuildLike,
        name: str,
        *,
        permissions: int = 0,
        position: int | None = None,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        g = self.guild(guild)
        if position is None:
            position = 1 + max((r.position for r in g.roles.values() if r.id != g.id), default=0)
            # keep the bot's managed role on top unless told otherwise, like a typical setup
            bot_role = g.bot_role
            if bot_role is not None:
                bot_role.position = position + 1
                self.dispatch(
                    "GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": bot_role.to_payload()}
                )
        role = Role(
            id=self.new_id(),
            guild_id=g.id,
            name=name,
            permissions=int(permissions),
            position=position,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        g.roles[role.id] = role
        self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_payload()})
        return role

    def set_role_permissions(self, guild: GuildLike, role: RoleLike, permissions: int) -> Role:
        g = self.guild(guild)
        r = self.role(g, role)
        r.permissions = int(permissions)
        self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": r.to_payload()})
        return r

    def delete_role(self, guild: GuildLike, role: RoleLike) -> None:
        """A human deletes a role: it leaves every member (GUILD_ROLE_DELETE)."""
        g = self.guild(guild)
        self._delete_role(g, self.role(g, role))

    def _delete_role(self, g: Guild, role: Role) -> None:
        g.roles.pop(role.id, None)
        self.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(g.id), "role_id": str(role.id)})
        for member in g.members.values():
            if role.id in member.roles:
                member.roles.remove(role.id)
                self._dispatch_member_update(g, member)

    def add_member(
        self,
        guild: GuildLike,
        user: UserLike,
        *,
        roles: Iterable[RoleLike] = (),
        nick: str | None = None,
    ) -> Member:
        g = self.guild(guild)
        u = self.user(user)
        member = Member(user=u, guild_id=g.id, roles=[self.role(g, r).id for r in roles], nick=nick)
        g.members[u.id] = member
        self.dispatch("GUILD_MEMBER_ADD", {**member.to_payload(), "guild_id": str(g.id)})
        return member

    def remove_member(self, guild: GuildLike, user: UserLike) -> None:
        g = self.guild(guild)
        u = self.user(user)
        g.members.pop(u.id, None)
        self.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(g.id), "user": u.to_payload()})

    def ban_member(self, guild: GuildLike, user: UserLike, reason: str | None = None) -> None:
        """A moderator bans ``user``: out of the server (GUILD_MEMBER_REMOVE, as Discord sends)
        and listed in its bans."""
        g = self.guild(guild)
        g.bans[self.user(user).id] = reason
        self.remove_member(g, user)

    def set_member_roles(
        self, guild: GuildLike, user: UserLike, roles: Iterable[RoleLike]
    ) -> Member:
        """Replace a member's roles (as a moderator would in the client): GUILD_MEMBER_UPDATE."""
        g = self.guild(guild)
        member = self.member(g, user)
        member.roles = [self.role(g, r).id for r in roles]
        self._dispatch_member_update(g, member)
        return member

    def _dispatch_member_update(self, g: Guild, member: Member) -> None:
        self.dispatch("GUILD_MEMBER_UPDATE", {**member.to_payload(), "guild_id": str(g.id)})

    def create_channel(
        self,
        guild: GuildLike,
        name: str,
        *,
        type: int = ChannelType.GUILD_TEXT,
        category: ChannelLike | None = None,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
        position: int | None = None,
    ) -> Channel:
        g = self.guild(guild)
        ch = Channel(
            id=self.new_id(),
            type=int(type),
            name=name,
            guild_id=g.id,
            parent_id=self.channel(category).id if category is not None else None,
            topic=topic,
            overwrites=list(overwrites),
            position=position if position is not None else len(g.channels),
        )
        self._add_channel(ch)
        self.dispatch("CHANNEL_CREATE", ch.to_payload())
        return ch

    def create_category(self, guild: GuildLike, name: str, **kwargs: Any) -> Channel:
        return self.create_channel(guild, name, type=ChannelType.GUILD_CATEGORY, **kwargs)

    def create_thread(
        self,
        parent: ChannelLike,
        name: str,
        *,
        owner: UserLike,
        private: bool = True,
        members: Iterable[UserLike] = (),
        invitable: bool = True,
    ) -> Channel:
        """A thread created by a user (not the bot): THREAD_CREATE."""
        p = self.channel(parent)
        owner_user = self.user(owner)
        th = Channel(
            id=self.new_id(),
            type=12 if private else 11,
            name=name,
            guild_id=p.guild_id,
            parent_id=p.id,
            owner_id=owner_user.id,
            invitable=invitable,
        )
        th.thread_members[owner_user.id] = iso_timestamp()
        for m in members:
            th.thread_members[self.user(m).id] = iso_timestamp()
        self._add_channel(th)
        self.dispatch(
            "THREAD_CREATE", {**th.to_payload(me_id=self.bot_user.id), "newly_created": True}
        )
        return th

    def set_overwrite(
        self, channel: ChannelLike, target: Role | User | Member, *, allow: int = 0, deny: int = 0
    ) -> Channel:
        ch = self.channel(channel)
        target_id, kind = (target.id, 0) if isinstance(target, Role) else (self.user(target).id, 1)
        ch.overwrites = [ow for ow in ch.overwrites if ow.id != target_id]
        ch.overwrites.append(Overwrite(id=target_id, type=kind, allow=int(allow), deny=int(deny)))
        self.dispatch("CHANNEL_UPDATE", ch.to_payload())
        return ch

    def delete_channel(self, channel: ChannelLike) -> None:
        """Delete a channel/thread as if a human did it (CHANNEL_DELETE / THREAD_DELETE)."""
        ch = self.channel(channel)
        self._delete_channel(ch)

    def _delete_channel(self, ch: Channel) -> None:
        ch.deleted = True
        if ch.is_thread:
            self.dispatch(
                "THREAD_DELETE",
                {
                    "id": str(ch.id),
                    "guild_id": str(ch.guild_id),
                    "parent_id": str(ch.parent_id),
                    "type": ch.type,
                },
            )
        else:
            self.dispatch("CHANNEL_DELETE", ch.to_payload())
            for th in list(self.channels.values()):
                if th.is_thread and th.parent_id == ch.id and not th.deleted:
                    th.deleted = True

    def user_dms_open(self, user: UserLike, is_open: bool) -> None:
        self.user(user).dms_open = is_open

    def _add_channel(self, ch: Channel) -> None:
        self.channels[ch.id] = ch
        self._channel_messages.setdefault(ch.id, [])
        if ch.guild_id is not None:
            self.guilds[ch.guild_id].channel_index[ch.id] = ch

    def dm_channel(self, user: UserLike) -> Channel:
        """The DM channel between the bot and ``user`` (created silently if needed)."""
        u = self.user(user)
        for ch in self.channels.values():
            if ch.is_dm and any(r.id == u.id for r in ch.recipients):
                return ch
        ch = Channel(id=self.new_id(), type=ChannelType.DM, recipients=[u])
        self._add_channel(ch)
        return ch
