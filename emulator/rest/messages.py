"""Routes for messages: history, send, edit, delete, bulk delete, pins and reactions."""

from __future__ import annotations

from typing import Any

from ..errors import RestError, missing_permissions
from ..models import JSON, Attachment, Channel, ChannelType
from ..permissions import P
from ..routing import Req, RouteTable
from ..validation import validate_message_body
from .host import SEND_FLAGS, RestHost

routes = RouteTable()


def _check_send(emu: RestHost, ch: Channel, files: list[Attachment]) -> None:
    if ch.is_dm:
        recipient = ch.recipients[0]
        if not recipient.dms_open or recipient.bot:
            raise RestError(403, 50007, "Cannot send messages to this user")
        return
    need = P.SEND_MESSAGES_IN_THREADS if ch.is_thread else P.SEND_MESSAGES
    perms = emu._require(ch, need)
    if files and not perms & P.ATTACH_FILES:
        raise missing_permissions()
    if ch.is_thread and ch.archived:
        if ch.locked and not perms & P.MANAGE_THREADS:
            raise RestError(400, 50083, "Thread is archived")
        ch.archived = False
        emu.dispatch("THREAD_UPDATE", ch.to_payload(me_id=emu.bot_user.id))
    if ch.type == ChannelType.GUILD_CATEGORY:
        raise RestError(400, 50008, "Cannot send messages in a non-text channel")


def _check_not_archived(ch: Channel) -> None:
    """Discord refuses to edit or delete a message in an archived thread (whoever asks, the
    thread's permissions aside) until the thread is unarchived; sending unarchives it."""
    if ch.is_thread and ch.archived:
        raise RestError(400, 50083, "Operation cannot be performed on an archived thread")


@routes("GET", "/channels/{channel_id}/messages")
async def get_messages(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.READ_MESSAGE_HISTORY)
    limit = max(1, min(100, int(req.query.get("limit", 50))))
    msgs = list(emu.messages_in(ch, include_ephemeral=False))
    if "before" in req.query:
        b = int(req.query["before"])
        msgs = [m for m in msgs if m.id < b][-limit:]
    elif "after" in req.query:
        a = int(req.query["after"])
        msgs = [m for m in msgs if m.id > a][:limit]
    elif "around" in req.query:
        a = int(req.query["around"])
        before = [m for m in msgs if m.id < a][-(limit // 2) :]
        after = [m for m in msgs if m.id >= a][: limit - len(before)]
        msgs = before + after
    else:
        msgs = msgs[-limit:]
    return [emu.message_payload(m) for m in reversed(msgs)]


@routes("GET", "/channels/{channel_id}/messages/{message_id}")
async def get_message(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.READ_MESSAGE_HISTORY)
    m = emu._rest_message(ch, req.params["message_id"])
    if m.ephemeral:
        raise RestError(404, 10008, "Unknown Message")
    return emu.message_payload(m)


@routes("POST", "/channels/{channel_id}/messages")
async def create_message(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    body = req.body()
    _check_send(emu, ch, req.files)
    validate_message_body(body, req.files, partial=False)
    body = {**body, "flags": int(body.get("flags") or 0) & SEND_FLAGS}
    m = emu._build_message(ch, emu.bot_user, body, req.files)
    emu._store_message(m)
    return emu.message_payload(m)


@routes("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def edit_message(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch)
    m = emu._rest_message(ch, req.params["message_id"])
    _check_not_archived(ch)
    body = req.body()
    if m.author.id != emu.bot_user.id and set(body) - {"flags"}:
        raise RestError(403, 50005, "Cannot edit a message authored by another user")
    validate_message_body(body, req.files, partial=True)
    emu._apply_edit(m, body, req.files)
    emu._dispatch_message_update(m)
    return emu.message_payload(m)


@routes("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def delete_message(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    m = emu._rest_message(ch, req.params["message_id"])
    _check_not_archived(ch)
    if m.author.id != emu.bot_user.id:
        if ch.is_dm:
            raise RestError(403, 50003, "Cannot execute action on a DM channel")
        emu._require(ch, P.MANAGE_MESSAGES)
    emu._delete_message(m)


@routes("POST", "/channels/{channel_id}/messages/bulk-delete")
async def bulk_delete(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.MANAGE_MESSAGES)
    _check_not_archived(ch)
    ids = [int(x) for x in req.body().get("messages", [])]
    for mid in ids:
        m = emu.messages.get(mid)
        if m is not None and m.channel_id == ch.id:
            m.deleted = True
    data: JSON = {"ids": [str(i) for i in ids], "channel_id": str(ch.id)}
    if ch.guild_id:
        data["guild_id"] = str(ch.guild_id)
    emu.dispatch("MESSAGE_DELETE_BULK", data)


@routes("PUT", "/channels/{channel_id}/messages/pins/{message_id}")
async def pin(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.MANAGE_MESSAGES)
    emu._rest_message(ch, req.params["message_id"]).pinned = True


@routes("DELETE", "/channels/{channel_id}/messages/pins/{message_id}")
async def unpin(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.MANAGE_MESSAGES)
    emu._rest_message(ch, req.params["message_id"]).pinned = False


# reactions
REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"


@routes("PUT", REACTION + "/@me")
async def add_reaction(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.READ_MESSAGE_HISTORY)
    m = emu._rest_message(ch, req.params["message_id"])
    emoji = req.params["emoji"]
    if emoji not in m.reactions and not ch.is_dm:
        emu._require(ch, P.ADD_REACTIONS)
    m.reactions.setdefault(emoji, set()).add(emu.bot_user.id)
    emu.dispatch("MESSAGE_REACTION_ADD", emu._reaction_payload(m, emu.bot_user, emoji))


@routes("DELETE", REACTION + "/{user_id}")
async def remove_reaction(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    m = emu._rest_message(ch, req.params["message_id"])
    uid = emu._user_param(req)
    if uid != emu.bot_user.id:
        emu._require(ch, P.MANAGE_MESSAGES)
    emoji = req.params["emoji"]
    m.reactions.get(emoji, set()).discard(uid)
    emu.dispatch("MESSAGE_REACTION_REMOVE", emu._reaction_payload(m, emu.users[uid], emoji))


@routes("GET", REACTION)
async def list_reactions(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    m = emu._rest_message(ch, req.params["message_id"])
    return [emu.users[u].to_payload() for u in sorted(m.reactions.get(req.params["emoji"], set()))]
