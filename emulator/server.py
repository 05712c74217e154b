"""The Discord emulator: an aiohttp loopback server speaking Discord REST v10 + gateway v10."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from .errors import (
    DEFAULT_WAIT,
    EmulatorTimeoutError,
    RestError,
    invalid_form,
    missing_access,
    missing_permissions,
)
from .gateway import Connection, Intents, Op, Session, required_intent
from .interactions import CallbackType, Interaction, InteractionResponse, InteractionType
from .models import (
    JSON,
    AppCommand,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    MessageFlags,
    Overwrite,
    Role,
    User,
)
from .permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    P,
    base_permissions,
    permissions_in,
)
from .snowflake import SnowflakeGenerator, iso_timestamp

log = logging.getLogger("emulator")

T = TypeVar("T")
UserLike = User | Member | int
ChannelLike = Channel | int
GuildLike = Guild | int
RoleLike = Role | int
MessageLike = Message | int

API_PREFIX = "/api/v10"
MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")
# Application flags: GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED |
# GATEWAY_MESSAGE_CONTENT_LIMITED (i.e. privileged intents switched on in the portal)
DEFAULT_APPLICATION_FLAGS = (1 << 13) | (1 << 15) | (1 << 19)
ALLOWED_SEND_FLAGS = 4 | 4096 | 32768  # SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, COMPONENTS_V2


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    route: str | None
    """Route template, e.g. ``/channels/{channel_id}/messages`` (None for unknown routes)."""
    query: dict[str, str]
    json: Any
    files: list[Attachment]
    status: int = 0
    response: Any = None

    def __repr__(self) -> str:
        return f"<Call {self.method} {self.path} -> {self.status}>"


@dataclass
class Fault:
    """A scripted failure (or slowdown) for matching REST requests."""

    method: str
    route: str
    status: int | None
    times: int | None = 1
    code: int = 0
    message: str | None = None
    retry_after: float = 1.0
    is_global: bool = False
    delay: float = 0.0
    hits: int = 0

    def matches(self, method: str, route: str | None, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method not in ("*", method):
            return False
        return self.route in ("*", route, path)


Handler = Callable[["_Req"], Awaitable[Any]]


@dataclass
class _Route:
    method: str
    template: str
    handler: Handler
    auth: bool = True

    @property
    def segments(self) -> list[str]:
        return self.template.strip("/").split("/")


@dataclass
class _Req:
    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[Attachment] = field(default_factory=list)

    def body(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise RestError(404, 0, "404: Not Found") from None


class DiscordEmulator:
    """A fake Discord (REST + gateway) that the real discord.py connects to.

    Build state with ``create_*``/``add_*``, act as users with ``send_message``,
    ``run_command``, ``press_button``... and assert on what the bot did through
    ``messages_in``, ``calls`` and the ``wait_*`` helpers.
    """

    def __init__(
        self,
        *,
        bot_name: str = "Kindred",
        token: str = "emulator-bot-token",
        host: str = "127.0.0.1",
        heartbeat_interval_ms: int = 41250,
        interaction_ack_timeout: float | None = 3.0,
        privileged_intents: int = Intents.PRIVILEGED,
    ) -> None:
        self.host = host
        self.port: int | None = None
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_ack_timeout = interaction_ack_timeout
        """Seconds the bot has to answer an interaction callback (Discord: 3 s). None: no limit."""
        self.privileged_intents = privileged_intents
        self._ids = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self.global_commands: dict[int, AppCommand] = {}
        self.guild_commands: dict[int, dict[int, AppCommand]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.calls: list[Call] = []
        self.unknown_routes: list[Call] = []
        self.handler_errors: list[Call] = []
        """Calls whose handler raised (emulator bugs); the pytest fixture fails on these too."""
        self.faults: list[Fault] = []
        self.sessions: dict[str, Session] = {}
        self.identify_payloads: list[JSON] = []
        self.resume_count = 0
        self._connections: set[Connection] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._action_mark = 0
        self._routes: list[_Route] = []
        self._runner: web.AppRunner | None = None
        self.bot_user = self._new_user("Kindred" if bot_name is None else bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.application_flags = DEFAULT_APPLICATION_FLAGS
        self.owner_user = self._new_user("app-owner")
        self._register_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> DiscordEmulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._gateway_handler)
        app.router.add_route("*", "/api/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        for conn in list(self._connections):
            await conn.stop()
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (as a yarl.URL)."""
        return f"ws://{self.host}:{self.port}/gateway"

    # ------------------------------------------------------------------ ids / waits

    def new_id(self) -> int:
        return self._ids.next()

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(
        self,
        predicate: Callable[[], T],
        *,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
        what: str = "a condition",
    ) -> T:
        """Wait (event-driven, re-checked on every emulator state change) until ``predicate()``
        is truthy and return its value; raises :class:`EmulatorTimeoutError` after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise EmulatorTimeoutError(f"timed out after {timeout}s waiting for {what}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, min(remaining, 0.25))

    def _mark_action(self) -> int:
        self._action_mark = self.new_id()
        return self._action_mark

    # ------------------------------------------------------------------ lookups

    def user(self, user: UserLike) -> User:
        if isinstance(user, User):
            return user
        if isinstance(user, Member):
            return user.user
        try:
            return self.users[int(user)]
        except KeyError:
            raise KeyError(f"unknown user {user}") from None

    def guild(self, guild: GuildLike) -> Guild:
        if isinstance(guild, Guild):
            return guild
        return self.guilds[int(guild)]

    def channel(self, channel: ChannelLike) -> Channel:
        if isinstance(channel, Channel):
            return channel
        return self.channels[int(channel)]

    def message(self, message: MessageLike) -> Message:
        if isinstance(message, Message):
            return message
        return self.messages[int(message)]

    def member(self, guild: GuildLike, user: UserLike) -> Member:
        return self.guild(guild).members[self.user(user).id]

    def role(self, guild: GuildLike, role: RoleLike) -> Role:
        if isinstance(role, Role):
            return role
        return self.guild(guild).roles[int(role)]

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def permissions_for(self, user: UserLike, channel: ChannelLike) -> int:
        """Effective permissions of ``user`` in a guild ``channel`` (0 if not a member)."""
        ch = self.channel(channel)
        guild = self.guild_of(ch)
        if guild is None:
            return 0
        member = guild.members.get(self.user(user).id)
        if member is None:
            return 0
        return permissions_in(guild, member, ch)

    def bot_permissions(self, channel: ChannelLike) -> int:
        return self.permissions_for(self.bot_user, channel)

    # ------------------------------------------------------------------ state builders

    def _new_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> User:
        user = User(id=self.new_id(), username=username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

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
            if session.intents & Intents.GUILDS:
                session.push("GUILD_CREATE", guild.create_payload(me_id=self.bot_user.id))
        self._notify()

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

    # ------------------------------------------------------------------ queries

    def messages_in(
        self,
        channel: ChannelLike,
        *,
        include_deleted: bool = False,
        include_ephemeral: bool = True,
        author: UserLike | None = None,
    ) -> list[Message]:
        ch = self.channel(channel)
        author_id = self.user(author).id if author is not None else None
        out = []
        for mid in self._channel_messages.get(ch.id, []):
            m = self.messages[mid]
            if m.deleted and not include_deleted:
                continue
            if m.ephemeral and not include_ephemeral:
                continue
            if author_id is not None and m.author.id != author_id:
                continue
            out.append(m)
        return out

    def bot_messages(self, channel: ChannelLike | None = None, **kwargs: Any) -> list[Message]:
        if channel is None:
            return [
                m
                for m in self.messages.values()
                if m.author.id == self.bot_user.id and not m.deleted
            ]
        return self.messages_in(channel, author=self.bot_user, **kwargs)

    def calls_matching(self, method: str | None = None, route: str | None = None) -> list[Call]:
        """Recorded REST calls.

        ``route`` is a template (``/channels/{channel_id}/messages``) or a concrete path."""
        return [
            c
            for c in self.calls
            if (method is None or c.method == method.upper())
            and (route is None or route in (c.route, c.path))
        ]

    def command(self, name: str, *, guild: GuildLike | None = None) -> AppCommand | None:
        """A registered command by top-level name (guild commands first when ``guild`` is given)."""
        pools: list[dict[int, AppCommand]] = []
        if guild is not None:
            pools.append(self.guild_commands.get(self.guild(guild).id, {}))
        pools.append(self.global_commands)
        for pool in pools:
            for cmd in pool.values():
                if cmd.name == name and cmd.type == 1:
                    return cmd
        return None

    async def wait_for_message(
        self,
        channel: ChannelLike | None = None,
        *,
        predicate: Callable[[Message], bool] | None = None,
        author: UserLike | None = None,
        since: MessageLike | int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
        include_ephemeral: bool = True,
    ) -> Message:
        """Wait for a message (by default: sent by the bot) created after ``since``.

        ``since`` defaults to the last user action performed through the emulator
        (``send_message``, ``run_command``, ``press_button``, ...), so a reply the
        bot sent before this call started waiting is still found."""
        msgs = await self.wait_for_messages(
            1,
            channel,
            predicate=predicate,
            author=author,
            since=since,
            timeout=timeout,
            include_ephemeral=include_ephemeral,
        )
        return msgs[0]

    async def wait_for_messages(
        self,
        n: int,
        channel: ChannelLike | None = None,
        *,
        predicate: Callable[[Message], bool] | None = None,
        author: UserLike | None = None,
        since: MessageLike | int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
        include_ephemeral: bool = True,
    ) -> list[Message]:
        ch_id = self.channel(channel).id if channel is not None else None
        author_id = self.user(author).id if author is not None else self.bot_user.id
        if since is None:
            since_id = self._action_mark
        else:
            since_id = since.id if isinstance(since, Message) else int(since)

        def find() -> list[Message]:
            found = [
                m
                for m in self.messages.values()
                if m.id > since_id
                and not m.deleted
                and m.author.id == author_id
                and (ch_id is None or m.channel_id == ch_id)
                and (include_ephemeral or not m.ephemeral)
                and (predicate is None or predicate(m))
            ]
            return found if len(found) >= n else []

        where = f" in channel {ch_id}" if ch_id else ""
        return await self.wait_until(find, timeout=timeout, what=f"{n} message(s){where}")

    # ------------------------------------------------------------------ gateway dispatch

    def _live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.invalid]

    def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH event to every (possibly temporarily disconnected) bot session."""
        for session in self._live_sessions():
            need = required_intent(event, data)
            if need is not None and not session.intents & need:
                continue
            session.push(event, self._filter_for_session(session, event, data))
        self._notify()

    def _filter_for_session(self, session: Session, event: str, data: JSON) -> JSON:
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or "guild_id" not in data:
            return data
        if session.intents & Intents.MESSAGE_CONTENT:
            return data
        author = data.get("author", {})
        bot_id = str(self.bot_user.id)
        if author.get("id") == bot_id or any(u["id"] == bot_id for u in data.get("mentions", [])):
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def gateway_idle(self, timeout: float = DEFAULT_WAIT) -> None:  # noqa: ASYNC109
        """Wait until every live session has a connection that was sent all its events."""
        await self.wait_until(
            lambda: all(s.delivered for s in self._live_sessions()) and bool(self._live_sessions()),
            timeout=timeout,
            what="the gateway to be connected and drained",
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the client has RESUMEd at least ``count`` times in total."""
        await self.wait_until(lambda: self.resume_count >= count, timeout=timeout, what="a RESUME")
        await self.gateway_idle(timeout)

    async def drop_gateway(self, code: int = 4000, *, abort: bool = False) -> None:
        """Close every gateway connection (``abort=True``: kill the TCP connection, close 1006).

        The session stays resumable: events dispatched meanwhile are replayed on RESUME."""
        for conn in list(self._connections):
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            await conn.stop()
            if abort:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=code, message=b"emulator drop")
        self._notify()

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT to every connection (the client closes and RESUMEs)."""
        for conn in list(self._connections):
            await conn.send({"op": Op.RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the client re-IDENTIFYs."""
        for conn in list(self._connections):
            if conn.session is not None and not resumable:
                conn.session.invalid = True
            await conn.send({"op": Op.INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws=ws, request=request)
        self._connections.add(conn)
        try:
            await conn.send(
                {
                    "op": Op.HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if ws.close_code in (1000, 1001) and not conn.closed:
                    session.invalid = True  # a clean client close ends the session
            await conn.stop()
            self._connections.discard(conn)
            self._notify()
        return ws

    async def _on_gateway_payload(self, conn: Connection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == Op.HEARTBEAT:
            conn.heartbeats += 1
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._identify(conn, data)
        elif op == Op.RESUME:
            await self._resume(conn, data)
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._request_members(conn, data)
        self._notify()

    async def _identify(self, conn: Connection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & Intents.PRIVILEGED & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        # A fresh IDENTIFY means any disconnected session will never be resumed (the client
        # restarted): stop queueing events for it, as Discord lets such sessions expire.
        for old in self.sessions.values():
            if old.conn is None:
                old.invalid = True
        session = Session(id=secrets.token_hex(16), intents=intents)
        self.sessions[session.id] = session
        conn.session = session
        session.conn = conn
        guilds = [g for g in self.guilds.values() if self.bot_user.id in g.members]
        ready: JSON = {
            "v": 10,
            "user": {
                **self.bot_user.to_payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        session.push("READY", ready)
        if intents & Intents.GUILDS:
            for g in guilds:
                session.push("GUILD_CREATE", g.create_payload(me_id=self.bot_user.id))
        conn.start_writer()

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        if (
            session is None
            or session.invalid
            or data.get("token") != self.token
            or seq > session.seq
        ):
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn:
            old.session = None
            await old.stop()
        conn.session = session
        session.conn = conn
        conn.sent_upto = seq
        self.resume_count += 1
        session.push("RESUMED", {})
        conn.start_writer()

    def _request_members(self, conn: Connection, data: JSON) -> None:
        session = conn.session
        if session is None:
            return
        g = self.guilds.get(int(data["guild_id"]))
        if g is None:
            return
        members = list(g.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif data.get("query"):
            q = str(data["query"]).lower()
            members = [m for m in members if m.user.username.lower().startswith(q)]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: JSON = {
            "guild_id": str(g.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)

    # ------------------------------------------------------------------ faults

    def inject_fault(
        self,
        method: str,
        route: str,
        *,
        status: int | None = None,
        times: int | None = 1,
        code: int | None = None,
        message: str | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
        delay: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` requests matching ``method``/``route`` fail (or be slow).

        ``route`` is a template (``/channels/{channel_id}/messages``), a concrete path or
        ``"*"``. ``status=None`` with ``delay`` only slows the answer down. ``times=None``
        means forever. 429s have Discord's shape (``Via`` header, JSON ``retry_after``)."""
        if code is None:
            code = {403: 50013, 404: 10003, 429: 0}.get(status or 0, 0)
        fault = Fault(
            method=method.upper(),
            route=route,
            status=status,
            times=times,
            code=code,
            message=message,
            retry_after=retry_after,
            is_global=is_global,
            delay=delay,
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def _fault_response(self, fault: Fault) -> web.Response:
        status = fault.status or 500
        if status == 429:
            body = {
                "message": fault.message or "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
                "code": 0,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(fault.retry_after))),
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": "emulator-fault",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            return _json(status, body, headers)
        if status >= 500:
            return web.Response(status=status, text="upstream error", content_type="text/plain")
        default_messages = {
            50001: "Missing Access",
            50013: "Missing Permissions",
            50007: "Cannot send messages to this user",
            10003: "Unknown Channel",
            10008: "Unknown Message",
        }
        return _json(
            status,
            {
                "message": fault.message or default_messages.get(fault.code, f"{status}: emulated"),
                "code": fault.code,
            },
        )

    # ------------------------------------------------------------------ REST plumbing

    def route(
        self, method: str, template: str, *, auth: bool = True
    ) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self._routes.append(_Route(method, template, fn, auth))
            return fn

        return deco

    def route_templates(self) -> list[str]:
        return sorted({f"{r.method} {r.template}" for r in self._routes})

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str], bool]:
        segs = path.strip("/").split("/")
        best: tuple[int, _Route, dict[str, str]] | None = None
        path_known = False
        for r in self._routes:
            rsegs = r.segments
            if len(rsegs) != len(segs):
                continue
            params: dict[str, str] = {}
            literal = 0
            for rs, s in zip(rsegs, segs, strict=True):
                if rs.startswith("{"):
                    if not s:
                        break
                    params[rs[1:-1]] = unquote(s)
                elif rs == s:
                    literal += 1
                else:
                    break
            else:
                path_known = True
                if r.method == method and (best is None or literal > best[0]):
                    best = (literal, r, params)
        if best is None:
            return None, {}, path_known
        return best[1], best[2], True

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Attachment]]:
        files: list[Attachment] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if part.name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    raw = await part.read()  # type: ignore[union-attr]
                    files.append(
                        Attachment(
                            id=self.new_id(),
                            filename=part.filename or part.name or "file",  # type: ignore[union-attr]
                            data=bytes(raw),
                            content_type=part.headers.get("Content-Type"),  # type: ignore[union-attr]
                        )
                    )
            return payload, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            return raw.decode(errors="replace"), files

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        method = request.method.upper()
        body, files = await self._read_body(request)
        versioned = raw_path.startswith(API_PREFIX + "/")
        path = raw_path[len(API_PREFIX) :] if versioned else raw_path
        route, params, path_known = self._match(method, path) if versioned else (None, {}, False)
        call = Call(
            method=method,
            path=path,
            route=route.template if route else None,
            query=dict(request.query),
            json=body,
            files=files,
        )
        self.calls.append(call)
        try:
            response = await self._answer(request, call, route, params, path_known)
        except Exception:
            log.exception("emulator: handler for %s %s crashed", method, path)
            response = _json(500, {"message": "emulator handler crashed", "code": 0})
            self.handler_errors.append(call)
        call.status = response.status
        if response.body is not None:
            with contextlib.suppress(Exception):
                call.response = json.loads(response.body)  # type: ignore[arg-type]
        self._notify()
        return response

    async def _answer(
        self,
        request: web.Request,
        call: Call,
        route: _Route | None,
        params: dict[str, str],
        path_known: bool,
    ) -> web.Response:
        method, path = call.method, call.path
        if route is None:
            if path_known:
                return _json(405, {"message": "405: Method Not Allowed", "code": 0})
            self.unknown_routes.append(call)
            log.warning("emulator: unknown route %s %s", method, path)
            return _json(404, {"message": "404: Not Found", "code": 0})
        for fault in self.faults:
            if fault.matches(method, route.template, path):
                fault.hits += 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    return self._fault_response(fault)
                break
        if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json(401, {"message": "401: Unauthorized", "code": 0})
        req = _Req(
            request=request,
            method=method,
            path=path,
            params=params,
            query=call.query,
            json=call.json,
            files=call.files,
        )
        try:
            result = await route.handler(req)
        except RestError as exc:
            return _json(exc.status, exc.to_payload())
        if result is None:
            return web.Response(status=204)
        if isinstance(result, tuple):
            return _json(result[0], result[1])
        return _json(200, result)

    # ------------------------------------------------------------------ REST helpers

    def _rest_channel(self, channel_id: int | str) -> Channel:
        try:
            ch = self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise RestError(404, 10003, "Unknown Channel") from None
        if ch.deleted:
            raise RestError(404, 10003, "Unknown Channel")
        return ch

    def _rest_guild(self, guild_id: int | str) -> Guild:
        try:
            g = self.guilds[int(guild_id)]
        except (KeyError, ValueError):
            raise RestError(404, 10004, "Unknown Guild") from None
        if self.bot_user.id not in g.members:
            raise missing_access()
        return g

    def _rest_message(self, ch: Channel, message_id: int | str) -> Message:
        try:
            m = self.messages[int(message_id)]
        except (KeyError, ValueError):
            raise RestError(404, 10008, "Unknown Message") from None
        if m.deleted or m.channel_id != ch.id:
            raise RestError(404, 10008, "Unknown Message")
        return m

    def _rest_user(self, user_id: int | str) -> User:
        try:
            return self.users[int(user_id)]
        except (KeyError, ValueError):
            raise RestError(404, 10013, "Unknown User") from None

    def _require(self, ch: Channel, *perms: int) -> int:
        """Check the bot's permissions in a guild channel; DMs need the recipient's DMs open."""
        if ch.is_dm:
            return int(
                P.VIEW_CHANNEL
                | P.SEND_MESSAGES
                | P.READ_MESSAGE_HISTORY
                | P.EMBED_LINKS
                | P.ATTACH_FILES
                | P.ADD_REACTIONS
            )
        have = self.bot_permissions(ch)
        if not have & P.VIEW_CHANNEL:
            raise missing_access()
        for p in perms:
            if (have & p) != p:
                raise missing_permissions()
        return have

    def _require_guild(self, g: Guild, perm: int) -> int:
        have = base_permissions(g, g.members[self.bot_user.id])
        if (have & perm) != perm:
            raise missing_permissions()
        return have

    def _bot_top_position(self, g: Guild) -> int:
        if g.owner_id == self.bot_user.id:
            return 1 << 30
        me = g.members[self.bot_user.id]
        return max((g.roles[r].position for r in me.roles if r in g.roles), default=0)

    def _member_payload_for(self, guild_id: int | None, user: User) -> Member | None:
        if guild_id is None:
            return None
        return self.guilds[guild_id].members.get(user.id)

    def message_payload(self, m: Message) -> JSON:
        ref = self.messages.get(m.referenced_message_id) if m.referenced_message_id else None
        return m.to_payload(member=self._member_payload_for(m.guild_id, m.author), referenced=ref)

    # message validation / creation ---------------------------------------------------

    def _validate_message_body(self, body: JSON, files: list[Attachment], *, partial: bool) -> None:
        content = body.get("content")
        if content is not None and len(str(content)) > 2000:
            raise invalid_form(
                "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."
            )
        embeds = body.get("embeds")
        if embeds is not None:
            if len(embeds) > 10:
                raise invalid_form(
                    "embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."
                )
            total = 0
            for i, e in enumerate(embeds):
                if len(e.get("title") or "") > 256:
                    raise invalid_form(
                        f"embeds.{i}.title",
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 256 or fewer in length.",
                    )
                if len(e.get("description") or "") > 4096:
                    raise invalid_form(
                        f"embeds.{i}.description",
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 4096 or fewer in length.",
                    )
                fields = e.get("fields") or []
                if len(fields) > 25:
                    raise invalid_form(
                        f"embeds.{i}.fields",
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 25 or fewer in length.",
                    )
                for j, f in enumerate(fields):
                    if len(str(f.get("name", ""))) > 256 or not str(f.get("name", "")):
                        raise invalid_form(
                            f"embeds.{i}.fields.{j}.name",
                            "BASE_TYPE_BAD_LENGTH",
                            "Must be between 1 and 256 in length.",
                        )
                    if len(str(f.get("value", ""))) > 1024 or not str(f.get("value", "")):
                        raise invalid_form(
                            f"embeds.{i}.fields.{j}.value",
                            "BASE_TYPE_BAD_LENGTH",
                            "Must be between 1 and 1024 in length.",
                        )
                total += len(e.get("title") or "") + len(e.get("description") or "")
                total += sum(
                    len(str(f.get("name", ""))) + len(str(f.get("value", ""))) for f in fields
                )
                total += len((e.get("footer") or {}).get("text") or "")
                total += len((e.get("author") or {}).get("name") or "")
            if total > 6000:
                raise invalid_form(
                    "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
                )
        components = body.get("components")
        if components is not None:
            self._validate_components(components, v2=bool(int(body.get("flags") or 0) & 32768))
        if not partial and not (
            content or embeds or components or files or body.get("sticker_ids") or body.get("poll")
        ):
            raise RestError(400, 50006, "Cannot send an empty message")

    def _validate_components(self, components: list[JSON], *, v2: bool) -> None:
        if not v2 and len(components) > 5:
            raise invalid_form(
                "components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
            )
        seen: set[str] = set()
        for i, row in enumerate(components):
            if row.get("type") == 1:
                children = row.get("components") or []
                if not children or len(children) > 5:
                    raise invalid_form(
                        f"components.{i}.components",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 5 in length.",
                    )
            for c in Message(
                id=0, channel_id=0, author=self.bot_user, components=[row]
            ).iter_components():
                cid = c.get("custom_id")
                if cid is not None:
                    if not 1 <= len(cid) <= 100:
                        raise invalid_form(
                            f"components.{i}",
                            "BASE_TYPE_BAD_LENGTH",
                            "custom_id must be between 1 and 100 in length.",
                        )
                    if cid in seen:
                        raise invalid_form(
                            f"components.{i}",
                            "COMPONENT_CUSTOM_ID_DUPLICATED",
                            "Component custom id cannot be duplicated",
                        )
                    seen.add(cid)
                if c.get("type") == 2 and len(c.get("label") or "") > 80:
                    raise invalid_form(
                        f"components.{i}",
                        "BASE_TYPE_MAX_LENGTH",
                        "label must be 80 or fewer in length.",
                    )

    def _mentions_from(self, content: str, guild_id: int | None) -> tuple[list[User], list[int]]:
        users = [
            self.users[int(x)] for x in MENTION_RE.findall(content or "") if int(x) in self.users
        ]
        roles = [int(x) for x in ROLE_MENTION_RE.findall(content or "")]
        return users, roles

    def _store_message(self, m: Message, *, dispatch: bool = True) -> Message:
        self.messages[m.id] = m
        self._channel_messages.setdefault(m.channel_id, []).append(m.id)
        ch = self.channels.get(m.channel_id)
        if ch is not None:
            ch.last_message_id = m.id
            if ch.is_thread:
                ch.message_count += 1
        if dispatch and not m.ephemeral:
            self.dispatch("MESSAGE_CREATE", self.message_payload(m))
        self._notify()
        return m

    def _build_message(
        self, ch: Channel, author: User, body: JSON, files: list[Attachment]
    ) -> Message:
        content = str(body.get("content") or "")
        mentions, mention_roles = self._mentions_from(content, ch.guild_id)
        ref = body.get("message_reference")
        ref_id = None
        if ref and ref.get("message_id"):
            ref_id = int(ref["message_id"])
            target = self.messages.get(ref_id)
            if target is None or target.deleted:
                if ref.get("fail_if_not_exists", True):
                    raise invalid_form(
                        "message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message"
                    )
                ref, ref_id = None, None
            else:
                ref = {
                    "type": 0,
                    "message_id": str(ref_id),
                    "channel_id": str(target.channel_id),
                    **({"guild_id": str(target.guild_id)} if target.guild_id else {}),
                }
        return Message(
            id=self.new_id(),
            channel_id=ch.id,
            guild_id=ch.guild_id,
            author=author,
            content=content,
            embeds=list(body.get("embeds") or ([body["embed"]] if body.get("embed") else [])),
            components=list(body.get("components") or []),
            attachments=files,
            flags=int(body.get("flags") or 0),
            tts=bool(body.get("tts")),
            type=19 if ref_id else 0,
            message_reference=ref,
            referenced_message_id=ref_id,
            mentions=mentions,
            mention_roles=mention_roles,
            nonce=body.get("nonce"),
        )

    def _apply_edit(self, m: Message, body: JSON, files: list[Attachment]) -> None:
        if "content" in body:
            m.content = str(body["content"] or "")
            m.mentions, m.mention_roles = self._mentions_from(m.content, m.guild_id)
        if "embeds" in body:
            m.embeds = list(body["embeds"] or [])
        if "components" in body:
            m.components = list(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = m.flags & MessageFlags.EPHEMERAL
            m.flags = (int(body["flags"]) & ~MessageFlags.LOADING) | keep
        else:
            m.flags &= ~MessageFlags.LOADING
        if "attachments" in body and body["attachments"] is not None:
            keep_ids = {
                int(a["id"])
                for a in body["attachments"]
                if "id" in a and str(a["id"]).isdigit() and int(a["id"]) > 1000
            }
            m.attachments = [a for a in m.attachments if a.id in keep_ids]
        m.attachments.extend(files)
        m.edited_timestamp = iso_timestamp()
        m.edits += 1

    def _dispatch_message_update(self, m: Message) -> None:
        if not m.ephemeral:
            self.dispatch("MESSAGE_UPDATE", self.message_payload(m))
        self._notify()

    def _delete_message(self, m: Message) -> None:
        m.deleted = True
        if not m.ephemeral:
            data: JSON = {"id": str(m.id), "channel_id": str(m.channel_id)}
            if m.guild_id is not None:
                data["guild_id"] = str(m.guild_id)
            self.dispatch("MESSAGE_DELETE", data)
        self._notify()

    # ------------------------------------------------------------------ REST routes

    def _register_routes(self) -> None:
        from . import rest

        rest.register(self)

    # ------------------------------------------------------------------ acting as users

    async def send_message(
        self,
        author: UserLike,
        channel: ChannelLike,
        content: str = "",
        *,
        embeds: list[JSON] | None = None,
        reply_to: MessageLike | None = None,
        check_permissions: bool = True,
    ) -> Message:
        """A user posts in a channel (guild channel, thread, or DM channel): MESSAGE_CREATE."""
        u = self.user(author)
        ch = self.channel(channel)
        if ch.is_dm:
            if not any(r.id == u.id for r in ch.recipients):
                raise ValueError(f"{u.username} is not a recipient of DM channel {ch.id}")
        elif check_permissions:
            need = P.VIEW_CHANNEL | (
                P.SEND_MESSAGES_IN_THREADS if ch.is_thread else P.SEND_MESSAGES
            )
            if (self.permissions_for(u, ch) & need) != need:
                raise PermissionError(f"{u.username} cannot send messages in #{ch.name}")
        self._mark_action()
        body: JSON = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(self.message(reply_to).id)}
        m = self._build_message(ch, u, body, [])
        if ch.is_thread and ch.archived and not ch.locked:
            ch.archived = False
            self.dispatch("THREAD_UPDATE", ch.to_payload())
        return self._store_message(m)

    async def send_dm(self, user: UserLike, content: str = "", **kwargs: Any) -> Message:
        """``user`` writes to the bot in DMs (the DM channel is created if needed)."""
        return await self.send_message(user, self.dm_channel(user), content, **kwargs)

    async def edit_message_as_user(self, message: MessageLike, content: str) -> Message:
        m = self.message(message)
        self._mark_action()
        self._apply_edit(m, {"content": content}, [])
        self._dispatch_message_update(m)
        return m

    async def delete_message_as_user(self, message: MessageLike) -> None:
        self._mark_action()
        self._delete_message(self.message(message))

    async def add_reaction(self, user: UserLike, message: MessageLike, emoji: str) -> None:
        u = self.user(user)
        m = self.message(message)
        self._mark_action()
        m.reactions.setdefault(emoji, set()).add(u.id)
        self.dispatch("MESSAGE_REACTION_ADD", self._reaction_payload(m, u, emoji))

    def _reaction_payload(self, m: Message, u: User, emoji: str) -> JSON:
        name, _, eid = emoji.partition(":")
        data: JSON = {
            "user_id": str(u.id),
            "channel_id": str(m.channel_id),
            "message_id": str(m.id),
            "emoji": {"id": eid or None, "name": name},
            "burst": False,
            "type": 0,
            "message_author_id": str(m.author.id),
        }
        if m.guild_id is not None:
            data["guild_id"] = str(m.guild_id)
            member = self.guilds[m.guild_id].members.get(u.id)
            if member is not None:
                data["member"] = member.to_payload()
        return data

    # interactions -------------------------------------------------------------------

    def _new_interaction(
        self,
        type: int,
        user: UserLike,
        channel: ChannelLike,
        data: JSON,
        *,
        message: Message | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        u = self.user(user)
        ch = self.channel(channel)
        self._mark_action()
        iid = self.new_id()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        channel_payload = ch.to_payload(me_id=self.bot_user.id)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": type,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(ch.id),
        }
        if ch.guild_id is not None:
            g = self.guilds[ch.guild_id]
            member = g.members.get(u.id)
            if member is None:
                raise ValueError(f"{u.username} is not a member of {g.name}")
            perms = permissions_in(g, member, ch)
            channel_payload["permissions"] = str(perms)
            payload.update(
                {
                    "guild_id": str(g.id),
                    "guild": {"id": str(g.id), "locale": "en-US", "features": []},
                    "guild_locale": "en-US",
                    "member": {**member.to_payload(), "permissions": str(perms)},
                    "app_permissions": str(self.bot_permissions(ch)),
                    "context": 0,
                    "authorizing_integration_owners": {"0": str(g.id)},
                }
            )
        else:
            payload.update(
                {
                    "user": u.to_payload(),
                    "app_permissions": str(
                        int(
                            P.VIEW_CHANNEL
                            | P.SEND_MESSAGES
                            | P.EMBED_LINKS
                            | P.ATTACH_FILES
                            | P.READ_MESSAGE_HISTORY
                        )
                    ),
                    "context": 1,
                    "authorizing_integration_owners": {"0": "0"},
                }
            )
        payload["channel"] = channel_payload
        if message is not None:
            payload["message"] = self.message_payload(message)
        it = Interaction(
            emulator=self,
            id=iid,
            token=token,
            type=type,
            user=u,
            channel=ch,
            guild_id=ch.guild_id,
            data=data,
            payload=payload,
            message=message,
            created_at=asyncio.get_running_loop().time(),
        )
        self.interactions[iid] = it
        self.dispatch("INTERACTION_CREATE", payload)
        return it

    def _resolve_command(
        self, user: User, ch: Channel, command: str
    ) -> tuple[AppCommand, list[str], list[JSON]]:
        parts = command.split()
        if not parts:
            raise ValueError("empty command")
        cmd = self.command(parts[0], guild=ch.guild_id)
        if cmd is None:
            known = sorted(
                {c.name for c in self.global_commands.values()}
                | {c.name for c in self.guild_commands.get(ch.guild_id or 0, {}).values()}
            )
            raise LookupError(f"command {parts[0]!r} is not registered (known: {known})")
        self._check_command_visible(user, ch, cmd)
        options = cmd.options
        path = [parts[0]]
        for name in parts[1:]:
            sub = next((o for o in options if o["name"] == name and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"{' '.join(path)!r} has no subcommand {name!r}")
            path.append(name)
            options = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in options):
            raise LookupError(f"{command!r} is a group; name a subcommand")
        return cmd, path, options

    def _check_command_visible(self, user: User, ch: Channel, cmd: AppCommand) -> None:
        extra = cmd.extra
        if ch.guild_id is None:
            contexts = extra.get("contexts")
            if (
                cmd.guild_id is not None
                or (contexts is not None and 1 not in contexts)
                or (contexts is None and extra.get("dm_permission") is False)
            ):
                raise PermissionError(f"/{cmd.name} is not available in DMs")
            return
        required = extra.get("default_member_permissions")
        if required is not None:
            have = self.permissions_for(user, ch)
            if have & P.ADMINISTRATOR or have == (1 << 53) - 1:
                return
            req = int(required)
            if req == 0 or (have & req) != req:
                raise PermissionError(
                    f"{user.username} cannot use /{cmd.name} "
                    f"(default_member_permissions={required})"
                )

    def _option_payload(self, spec: JSON, value: Any, resolved: JSON, guild_id: int | None) -> JSON:
        t = spec["type"]
        out: JSON = {"name": spec["name"], "type": t}
        if t == 3:
            out["value"] = str(value)
        elif t == 4:
            out["value"] = int(value)
        elif t == 10:
            out["value"] = float(value)
        elif t == 5:
            out["value"] = bool(value)
        elif t in (6, 7, 8, 9):
            out["value"] = str(self._resolve_into(t, value, resolved, guild_id))
        else:
            out["value"] = value
        choices = spec.get("choices")
        if choices and t in (3, 4, 10) and out["value"] not in [c["value"] for c in choices]:
            raise ValueError(f"{value!r} is not a valid choice for option {spec['name']!r}")
        return out

    def _resolve_into(self, t: int, value: Any, resolved: JSON, guild_id: int | None) -> int:
        if isinstance(value, Role) or (t == 8 and not isinstance(value, (User, Member, Channel))):
            role = (
                value if isinstance(value, Role) else self.guilds[guild_id or 0].roles[int(value)]
            )
            resolved.setdefault("roles", {})[str(role.id)] = role.to_payload()
            return role.id
        if isinstance(value, Channel) or t == 7:
            ch = self.channel(value)
            data = ch.to_payload()
            data["permissions"] = str(self.bot_permissions(ch) if ch.guild_id else 0)
            resolved.setdefault("channels", {})[str(ch.id)] = data
            return ch.id
        u = self.user(value)
        resolved.setdefault("users", {})[str(u.id)] = u.to_payload()
        if guild_id is not None and u.id in self.guilds[guild_id].members:
            member = self.guilds[guild_id].members[u.id]
            resolved.setdefault("members", {})[str(u.id)] = {
                **member.to_payload(with_user=False),
                "permissions": str(base_permissions(self.guilds[guild_id], member)),
            }
        return u.id

    def _build_command_data(
        self,
        user: User,
        ch: Channel,
        command: str,
        options: dict[str, Any] | None,
        *,
        focused: str | None = None,
        focused_value: str = "",
    ) -> JSON:
        cmd, path, specs = self._resolve_command(user, ch, command)
        options = dict(options or {})
        resolved: JSON = {}
        leaf: list[JSON] = []
        by_name = {s["name"]: s for s in specs}
        unknown = set(options) - set(by_name) - ({focused} if focused else set())
        if unknown:
            raise KeyError(f"/{command} has no option(s) {sorted(unknown)}; has {sorted(by_name)}")
        for spec in specs:
            name = spec["name"]
            if name == focused:
                leaf.append(
                    {"name": name, "type": spec["type"], "value": focused_value, "focused": True}
                )
            elif name in options:
                leaf.append(self._option_payload(spec, options[name], resolved, ch.guild_id))
            elif spec.get("required") and focused is None:
                raise ValueError(f"/{command} requires option {name!r}")
        if focused is not None and focused not in by_name:
            raise KeyError(f"/{command} has no option {focused!r}")
        # nest into subcommand group / subcommand options
        nested: list[JSON] = leaf
        sub_types = _subcommand_types(cmd.options, path[1:])
        for name, t in reversed(list(zip(path[1:], sub_types, strict=True))):
            nested = [{"name": name, "type": t, "options": nested}]
        data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": 1, "options": nested}
        if resolved:
            data["resolved"] = resolved
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return data

    async def run_command(
        self,
        user: UserLike,
        channel: ChannelLike,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        locale: str = "en-US",
    ) -> Interaction:
        """Invoke a registered slash command.

        ``command`` is ``"cmd"``, ``"group sub"`` or ``"group subgroup sub"``.

        Option values may be emulator objects (User/Member/Channel/Role) or ids for
        user/channel/role options; ``resolved`` data is filled in like Discord does."""
        u = self.user(user)
        ch = self.channel(channel)
        data = self._build_command_data(u, ch, command, options)
        return self._new_interaction(
            InteractionType.APPLICATION_COMMAND, u, ch, data, locale=locale
        )

    async def autocomplete(
        self,
        user: UserLike,
        channel: ChannelLike,
        command: str,
        *,
        focused: str,
        value: str = "",
        options: dict[str, Any] | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
    ) -> list[JSON]:
        """Type ``value`` into option ``focused``; returns the bot's autocomplete choices."""
        u = self.user(user)
        ch = self.channel(channel)
        data = self._build_command_data(
            u, ch, command, options, focused=focused, focused_value=value
        )
        it = self._new_interaction(InteractionType.AUTOCOMPLETE, u, ch, data)
        resp = await it.response(timeout=timeout)
        if resp.type != CallbackType.AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete answered with callback type {resp.type}")
        return resp.choices

    async def press_button(
        self, user: UserLike, message: MessageLike, custom_id: str
    ) -> Interaction:
        """Click a button (by custom_id) on a message the bot sent."""
        m = self.message(message)
        comp = m.find_component(custom_id)
        if comp is None:
            raise LookupError(f"message {m.id} has no component {custom_id!r} (has {m.custom_ids})")
        if comp.get("disabled"):
            raise PermissionError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": comp.get("type", 2)}
        if comp.get("type", 2) != 2:
            data["values"] = []
        return self._new_interaction(
            InteractionType.MESSAGE_COMPONENT, user, m.channel_id, data, message=m
        )

    async def select(
        self, user: UserLike, message: MessageLike, custom_id: str, values: list[Any]
    ) -> Interaction:
        """Pick ``values`` in a select menu on a message (string, user, role or channel select)."""
        m = self.message(message)
        comp = m.find_component(custom_id)
        if comp is None:
            raise LookupError(f"message {m.id} has no component {custom_id!r} (has {m.custom_ids})")
        ctype = int(comp.get("type", 3))
        data: JSON = {"custom_id": custom_id, "component_type": ctype}
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"{bad} are not options of select {custom_id!r} ({allowed})")
            data["values"] = [str(v) for v in values]
        else:
            resolved: JSON = {}
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[ctype]
            data["values"] = [
                str(self._resolve_into(kind, v, resolved, m.guild_id)) for v in values
            ]
            data["resolved"] = resolved
        return self._new_interaction(
            InteractionType.MESSAGE_COMPONENT, user, m.channel_id, data, message=m
        )

    async def submit_modal(
        self,
        user: UserLike,
        channel: ChannelLike,
        custom_id: str,
        values: dict[str, Any],
        *,
        source: Interaction | None = None,
    ) -> Interaction:
        """Submit a modal the bot opened (found by ``custom_id`` among modals shown to ``user``).

        The submitted components mirror the modal's layout (ActionRow+TextInput or Label),
        which is what discord.py's ``Modal._refresh`` walks."""
        u = self.user(user)
        if source is None:
            source = next(
                (
                    it
                    for it in reversed(self.interactions.values())
                    if it.modal is not None
                    and it.modal.get("custom_id") == custom_id
                    and it.user.id == u.id
                ),
                None,
            )
        if source is None or source.modal is None:
            raise LookupError(
                f"the bot never showed {u.username} a modal with custom_id {custom_id!r}"
            )
        modal = source.modal
        known = {
            c.get("custom_id")
            for c in Message(
                id=0, channel_id=0, author=u, components=modal.get("components", [])
            ).iter_components()
        }
        unknown = set(values) - known
        if unknown:
            raise KeyError(
                f"modal {custom_id!r} has no inputs {sorted(unknown)} "
                f"(has {sorted(known - {None})})"
            )
        remaining = dict(values)
        components = [_modal_component(c, remaining) for c in modal.get("components", [])]
        data: JSON = {"custom_id": custom_id, "components": components}
        return self._new_interaction(
            InteractionType.MODAL_SUBMIT, u, channel, data, message=source.message
        )


def _subcommand_types(options: list[JSON], names: list[str]) -> list[int]:
    types = []
    for name in names:
        opt = next(o for o in options if o["name"] == name)
        types.append(opt["type"])
        options = opt.get("options") or []
    return types


def _modal_component(comp: JSON, values: dict[str, Any]) -> JSON:
    t = comp.get("type")
    if t == 1:
        return {
            "type": 1,
            "components": [_modal_component(c, values) for c in comp.get("components", [])],
        }
    if t == 18:
        out: JSON = {"type": 18, "component": _modal_component(comp["component"], values)}
        if "id" in comp:
            out["id"] = comp["id"]
        return out
    cid = comp.get("custom_id")
    if t == 4:
        value = values.pop(cid, None) if cid else None
        if value is None:
            value = comp.get("value") or ""
        value = str(value)
        if comp.get("required", True) and not value:
            raise ValueError(f"text input {cid!r} is required")
        if comp.get("max_length") is not None and len(value) > comp["max_length"]:
            raise ValueError(f"text input {cid!r} is longer than {comp['max_length']}")
        if value and comp.get("min_length") is not None and len(value) < comp["min_length"]:
            raise ValueError(f"text input {cid!r} is shorter than {comp['min_length']}")
        return {"type": 4, "custom_id": cid, "value": value}
    if t in (3, 5, 6, 7, 8):
        picked = values.pop(cid, None) if cid else None
        if isinstance(picked, str | int):  # one value given plainly: "yes"
            picked = [picked]
        return {"type": t, "custom_id": cid, "values": [str(v) for v in (picked or [])]}
    return {k: v for k, v in comp.items() if k in ("type", "id")}


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


__all__ = ["Call", "DiscordEmulator", "Fault", "InteractionResponse"]
