"""What every REST route handler stands on: the emulator as the bot's REST requests see it.

:class:`RestHost` adds Discord's 404 lookups (``Unknown Channel``...) and 403 permission
checks (``Missing Access`` / ``Missing Permissions``) to the world and the message store."""

from __future__ import annotations

from ..errors import RestError, invalid_form, missing_access, missing_permissions
from ..models import JSON, Channel, Guild, Message, Overwrite, User
from ..permissions import ALL_PERMISSIONS, P, base_permissions
from ..routing import Req
from ..store import MessageStore
from ..world import WorldMixin

SEND_FLAGS = 4 | 4096 | 32768
"""Message flags the bot may set: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2."""


class RestHost(WorldMixin, MessageStore):
    """The emulator handed to route handlers (``async def handler(emu: RestHost, req)``)."""

    def _rest_channel(self, channel_id: int | str) -> Channel:
        try:
            ch = self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise RestError(404, 10003, "Unknown Channel") from None
        if ch.deleted:
            raise RestError(404, 10003, "Unknown Channel")
        if not self.bot_in(ch.guild_id):
            raise missing_access()  # a channel of a server the bot was removed from
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

    def _check_overwrite_grants(
        self, g: Guild, overwrites: list[Overwrite], channel: Channel | None = None
    ) -> None:
        """Discord: a bot may only allow or deny, in overwrites, permissions it has in the guild
        (or holds through a Manage Roles overwrite of its own in the channel); only an
        administrator may put Manage Roles itself in an overwrite. Else 50013."""
        have = base_permissions(g, g.members[self.bot_user.id])
        if have & P.ADMINISTRATOR or have == ALL_PERMISSIONS:
            return
        if channel is not None and self.bot_permissions(channel) & P.MANAGE_ROLES:
            own = {ow.id for ow in channel.overwrites if ow.allow & P.MANAGE_ROLES}
            me = g.members[self.bot_user.id]
            if own & {self.bot_user.id, *me.roles}:
                return
        for ow in overwrites:
            bits = ow.allow | ow.deny
            if bits & ~have or bits & P.MANAGE_ROLES:
                raise missing_permissions()

    def _user_param(self, req: Req) -> int:
        """The ``{user_id}`` parameter, with ``@me`` meaning the bot."""
        return self.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")


def parse_overwrites(raw: list[JSON] | None) -> list[Overwrite]:
    """``permission_overwrites`` from a request body."""
    return [
        Overwrite(
            id=int(o["id"]),
            type=int(o.get("type", 0)),
            allow=int(o.get("allow") or 0),
            deny=int(o.get("deny") or 0),
        )
        for o in raw or []
    ]


MAX_SLOWMODE = 21600


def check_channel_name(body: JSON, *, required: bool) -> None:
    """A channel name is 1 to 100 characters (50035 otherwise)."""
    if "name" not in body and not required:
        return
    name = body.get("name")
    if name is None or not 1 <= len(str(name)) <= 100:
        raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def check_slowmode(body: JSON) -> None:
    """``rate_limit_per_user`` is 0 to 21600 seconds (50035 otherwise)."""
    value = body.get("rate_limit_per_user")
    if value is None:
        return
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise invalid_form(
            "rate_limit_per_user", "NUMBER_TYPE_COERCE", "Value is not int."
        ) from None
    if not 0 <= seconds <= MAX_SLOWMODE:
        raise invalid_form(
            "rate_limit_per_user",
            "NUMBER_TYPE_MAX" if seconds > MAX_SLOWMODE else "NUMBER_TYPE_MIN",
            f"int value should be between 0 and {MAX_SLOWMODE}.",
        )
