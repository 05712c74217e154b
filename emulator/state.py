"""The emulator's world state: ids, lookups, waits and the fan-out of gateway events.

Everything else in the emulator builds on :class:`EmulatorState` (it imports nothing above
the data models): the state builders (``world``), the message store (``store``), the REST
routes (``rest``), the gateway connections (``gateway_server``) and the actor API.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

from .errors import DEFAULT_WAIT, EmulatorTimeoutError
from .gateway import Intents, Session, required_intent
from .interactions import Interaction
from .models import JSON, AppCommand, Channel, Guild, Member, Message, Role, User
from .permissions import permissions_in
from .snowflake import SnowflakeGenerator

T = TypeVar("T")
UserLike = User | Member | int
ChannelLike = Channel | int
GuildLike = Guild | int
RoleLike = Role | int
MessageLike = Message | int

API_PREFIX = "/api/v10"
# Application flags: GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED |
# GATEWAY_MESSAGE_CONTENT_LIMITED (i.e. privileged intents switched on in the portal)
DEFAULT_APPLICATION_FLAGS = (1 << 13) | (1 << 15) | (1 << 19)


class EmulatorState:
    """Guilds, channels, members, messages, commands and interactions, plus the bot's identity.

    Every change calls :meth:`_notify`, which wakes :meth:`wait_until`; :meth:`dispatch` queues
    a gateway event on every live session (the gateway writer sends it)."""

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
        self.sessions: dict[str, Session] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._action_mark = 0
        self.bot_user = self._new_user("Kindred" if bot_name is None else bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.application_flags = DEFAULT_APPLICATION_FLAGS
        self.owner_user = self._new_user("app-owner")

    # ------------------------------------------------------------------ addresses

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

    def _new_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> User:
        user = User(id=self.new_id(), username=username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

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

    # ------------------------------------------------------------------ gateway events

    def _live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.invalid]

    def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH event to every (possibly temporarily disconnected) bot session
        (none for a guild the bot is not in: Discord sends it nothing of that guild)."""
        guild_id = data.get("guild_id")
        guild = self.guilds.get(int(guild_id)) if guild_id is not None else None
        if guild is not None and self.bot_user.id not in guild.members:
            self._notify()
            return
        for session in self._live_sessions():
            need = required_intent(event, data)
            if need is not None and not session.intents & need:
                continue
            if not session.wants(event, data):
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
