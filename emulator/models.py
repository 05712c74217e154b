"""The state the emulator holds, with Discord JSON payload builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from .snowflake import iso_timestamp, snowflake_time

JSON = dict[str, Any]


class ChannelType(IntEnum):
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_STAGE_VOICE = 13
    GUILD_FORUM = 15


class MessageFlags:
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7


@dataclass(eq=False)
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True
    """When False, the bot gets 403/50007 sending to this user's DM channel."""

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_timestamp)

    def to_payload(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_payload()
        return data


@dataclass
class Overwrite:
    """A permission overwrite; ``type`` 0 = role, 1 = member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    nsfw: bool = False
    rate_limit_per_user: int = 0
    last_message_id: int | None = None
    # DMs
    recipients: list[User] = field(default_factory=list)
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: str = field(default_factory=iso_timestamp)
    thread_members: dict[int, str] = field(default_factory=dict)
    """user id -> join timestamp"""
    message_count: int = 0
    deleted: bool = False

    @property
    def is_thread(self) -> bool:
        return self.type in (10, 11, 12)

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def thread_member_payload(self, user_id: int) -> JSON:
        return {
            "id": str(self.id),
            "user_id": str(user_id),
            "join_timestamp": self.thread_members.get(user_id, iso_timestamp()),
            "flags": 1,
        }

    def to_payload(self, *, me_id: int | None = None) -> JSON:
        if self.is_dm:
            return {
                "id": str(self.id),
                "type": self.type,
                "last_message_id": _opt(self.last_message_id),
                "flags": 0,
                "recipients": [u.to_payload() for u in self.recipients],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": _opt(self.guild_id),
            "name": self.name,
            "parent_id": _opt(self.parent_id),
            "position": self.position,
            "flags": 0,
            "rate_limit_per_user": self.rate_limit_per_user,
            "nsfw": self.nsfw,
        }
        if self.is_thread:
            data.pop("position")
            data.update(
                {
                    "owner_id": _opt(self.owner_id),
                    "last_message_id": _opt(self.last_message_id),
                    "member_count": min(len(self.thread_members), 50),
                    "message_count": self.message_count,
                    "total_message_sent": self.message_count,
                    "thread_metadata": {
                        "archived": self.archived,
                        "auto_archive_duration": self.auto_archive_duration,
                        "archive_timestamp": self.archive_timestamp,
                        "locked": self.locked,
                        "invitable": self.invitable,
                        "create_timestamp": iso_timestamp(snowflake_time(self.id)),
                    },
                }
            )
            if me_id is not None and me_id in self.thread_members:
                data["member"] = self.thread_member_payload(me_id)
        else:
            data["permission_overwrites"] = [ow.to_payload() for ow in self.overwrites]
            if self.type != ChannelType.GUILD_CATEGORY:
                data["topic"] = self.topic
                data["last_message_id"] = _opt(self.last_message_id)
                data["default_auto_archive_duration"] = 1440
            if self.type in (ChannelType.GUILD_VOICE, ChannelType.GUILD_STAGE_VOICE):
                data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        return data


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_index: dict[int, Channel] = field(default_factory=dict)
    bot_role_id: int | None = None
    available: bool = True
    scheduled_events: dict[int, JSON] = field(default_factory=dict)
    """Guild scheduled events by id, as Discord's payloads (``rest/scheduled_events.py``)."""
    bans: dict[int, str | None] = field(default_factory=dict)
    """Banned users by id, with the ban's reason (``GET /guilds/{id}/bans/{user}``)."""

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]

    @property
    def bot_role(self) -> Role | None:
        return self.roles.get(self.bot_role_id) if self.bot_role_id else None

    @property
    def channels(self) -> list[Channel]:
        return [c for c in self.channel_index.values() if not c.is_thread and not c.deleted]

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channel_index.values() if c.is_thread and not c.deleted]

    def to_payload(self) -> JSON:
        """The REST ``GET /guilds/{id}`` shape."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "approximate_member_count": len(self.members),
        }

    def create_payload(self, *, me_id: int) -> JSON:
        """The gateway ``GUILD_CREATE`` shape."""
        data = self.to_payload()
        active_threads = [t for t in self.threads if not t.archived]
        data.update(
            {
                "unavailable": False,
                "large": False,
                "joined_at": self.members[me_id].joined_at if me_id in self.members else None,
                "member_count": len(self.members),
                "members": [m.to_payload() for m in self.members.values()],
                "channels": [c.to_payload() for c in self.channels],
                "threads": [t.to_payload(me_id=me_id) for t in active_threads],
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
        return data


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None

    def to_payload(self) -> JSON:
        url = f"https://cdn.discordapp.com/attachments/0/{self.id}/{self.filename}"
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
            "content_type": self.content_type,
        }


@dataclass(eq=False)
class Message:
    id: int
    channel_id: int
    author: User
    content: str = ""
    guild_id: int | None = None
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    message_reference: JSON | None = None
    referenced_message_id: int | None = None
    mentions: list[User] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    timestamp: str = field(default_factory=iso_timestamp)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    reactions: dict[str, set[int]] = field(default_factory=dict)
    """emoji key -> user ids"""
    pinned: bool = False
    nonce: str | int | None = None
    deleted: bool = False
    interaction_id: int | None = None
    """The interaction this message answers (responses and followups), if any."""
    edits: int = 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlags.EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & MessageFlags.LOADING)

    @property
    def embed_titles(self) -> list[str]:
        return [e.get("title", "") for e in self.embeds]

    @property
    def text(self) -> str:
        """Content plus all embed titles/descriptions/field text, handy for assertions."""
        parts = [self.content]
        for e in self.embeds:
            parts.extend(str(e.get(k, "")) for k in ("title", "description"))
            for f in e.get("fields", []):
                parts.extend((str(f.get("name", "")), str(f.get("value", ""))))
            if "footer" in e:
                parts.append(str(e["footer"].get("text", "")))
        return "\n".join(p for p in parts if p)

    def iter_components(self) -> list[JSON]:
        """All leaf components (buttons, selects, ...) in this message, depth first."""
        return list(_walk_components(self.components))

    def find_component(self, custom_id: str) -> JSON | None:
        return next((c for c in self.iter_components() if c.get("custom_id") == custom_id), None)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.iter_components() if "custom_id" in c]

    def to_payload(
        self, *, member: Member | None = None, referenced: Message | None = None
    ) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": self.tts,
            "mention_everyone": self.mention_everyone,
            "mentions": [u.to_payload() for u in self.mentions],
            "mention_roles": [str(r) for r in self.mention_roles],
            "attachments": [a.to_payload() for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": self.pinned,
            "type": self.type,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if member is not None:
            data["member"] = member.to_payload(with_user=False)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
            if referenced is not None:
                data["referenced_message"] = referenced.to_payload()
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.reactions:
            data["reactions"] = [
                {
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": False,
                    "me_burst": False,
                    "burst_colors": [],
                    "emoji": _emoji_payload(key),
                }
                for key, users in self.reactions.items()
                if users
            ]
        return data


@dataclass(eq=False)
class AppCommand:
    id: int
    application_id: int
    name: str
    type: int = 1
    description: str = ""
    options: list[JSON] = field(default_factory=list)
    guild_id: int | None = None
    extra: JSON = field(default_factory=dict)
    version: int = 1

    def to_payload(self) -> JSON:
        data: JSON = {
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **self.extra,
            "id": str(self.id),
            "application_id": str(self.application_id),
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "options": self.options,
            "version": str(self.version),
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)


def _walk_components(components: list[JSON]):
    for comp in components:
        if "components" in comp:
            yield from _walk_components(comp["components"])
        elif "component" in comp:
            yield from _walk_components([comp["component"]])
        else:
            yield comp
        if "accessory" in comp:
            yield from _walk_components([comp["accessory"]])


def _emoji_payload(key: str) -> JSON:
    if ":" in key:
        name, _, eid = key.partition(":")
        return {"id": eid, "name": name}
    return {"id": None, "name": key}
