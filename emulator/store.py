"""The message store: building, storing, editing and deleting messages, and their payloads.

Shared by the REST routes (the bot's messages) and the actor API (members' messages)."""

from __future__ import annotations

import re

from .errors import invalid_form
from .models import JSON, Attachment, Channel, Member, Message, MessageFlags, User
from .snowflake import iso_timestamp
from .state import ChannelLike, EmulatorState, UserLike

MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


class MessageStore(EmulatorState):
    """Messages by id and by channel; every change dispatches its gateway event."""

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

    def _member_payload_for(self, guild_id: int | None, user: User) -> Member | None:
        if guild_id is None:
            return None
        return self.guilds[guild_id].members.get(user.id)

    def message_payload(self, m: Message) -> JSON:
        ref = self.messages.get(m.referenced_message_id) if m.referenced_message_id else None
        return m.to_payload(member=self._member_payload_for(m.guild_id, m.author), referenced=ref)

    # message validation / creation ---------------------------------------------------

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
