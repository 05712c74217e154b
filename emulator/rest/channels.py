"""Routes for channels (read, edit, delete, permission overwrites, typing) and threads
(create, from a message, thread members)."""

from __future__ import annotations

from typing import Any

from ..errors import RestError, invalid_form, missing_permissions
from ..models import JSON, Channel, ChannelType, Overwrite
from ..permissions import P
from ..routing import Req, RouteTable
from ..snowflake import iso_timestamp
from .host import RestHost, check_channel_name, check_slowmode, parse_overwrites

routes = RouteTable()


@routes("GET", "/channels/{channel_id}")
async def get_channel(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch)
    return ch.to_payload(me_id=emu.bot_user.id)


@routes("PATCH", "/channels/{channel_id}")
async def edit_channel(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    if ch.is_thread:
        _edit_thread(emu, ch, req.body())
    else:
        _edit_guild_channel(emu, ch, req.body())
    return ch.to_payload(me_id=emu.bot_user.id)


def _edit_thread(emu: RestHost, ch: Channel, body: JSON) -> None:
    perms = emu._require(ch)
    is_mod = bool(perms & P.MANAGE_THREADS)
    if ("locked" in body or "invitable" in body) and not is_mod:
        raise missing_permissions()
    if not is_mod and ch.owner_id != emu.bot_user.id:
        raise missing_permissions()
    if ch.locked and not is_mod:
        raise missing_permissions()
    for key in (
        "name",
        "archived",
        "locked",
        "invitable",
        "auto_archive_duration",
        "rate_limit_per_user",
    ):
        if key in body and body[key] is not None:
            setattr(ch, key, body[key])
    if "archived" in body:
        ch.archive_timestamp = iso_timestamp()
    emu.dispatch("THREAD_UPDATE", ch.to_payload(me_id=emu.bot_user.id))


def _edit_guild_channel(emu: RestHost, ch: Channel, body: JSON) -> None:
    emu._require(ch, P.MANAGE_CHANNELS)
    check_channel_name(body, required=False)
    check_slowmode(body)
    for key in ("name", "topic", "nsfw", "rate_limit_per_user", "position"):
        if key in body:
            setattr(ch, key, body[key])
    if "parent_id" in body:
        ch.parent_id = int(body["parent_id"]) if body["parent_id"] else None
    if "permission_overwrites" in body:
        emu._require(ch, P.MANAGE_ROLES)
        overwrites = parse_overwrites(body["permission_overwrites"])
        emu._check_overwrite_grants(emu.guilds[ch.guild_id or 0], overwrites, ch)
        ch.overwrites = overwrites
    emu.dispatch("CHANNEL_UPDATE", ch.to_payload())


@routes("DELETE", "/channels/{channel_id}")
async def delete_channel(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    if ch.is_dm:
        return ch.to_payload()
    emu._require(ch, P.MANAGE_THREADS if ch.is_thread else P.MANAGE_CHANNELS)
    payload = ch.to_payload()
    emu._delete_channel(ch)
    return payload


@routes("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
async def put_overwrite(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.MANAGE_ROLES)
    body = req.body()
    oid = req.int_param("overwrite_id")
    new = Overwrite(
        id=oid,
        type=int(body.get("type", 0)),
        allow=int(body.get("allow") or 0),
        deny=int(body.get("deny") or 0),
    )
    emu._check_overwrite_grants(emu.guilds[ch.guild_id or 0], [new], ch)
    ch.overwrites = [o for o in ch.overwrites if o.id != oid]
    ch.overwrites.append(new)
    emu.dispatch("CHANNEL_UPDATE", ch.to_payload())


@routes("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
async def delete_overwrite(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.MANAGE_ROLES)
    oid = req.int_param("overwrite_id")
    ch.overwrites = [o for o in ch.overwrites if o.id != oid]
    emu.dispatch("CHANNEL_UPDATE", ch.to_payload())


@routes("POST", "/channels/{channel_id}/typing")
async def typing(emu: RestHost, req: Req) -> Any:
    ch = emu._rest_channel(req.params["channel_id"])
    emu._require(ch, P.SEND_MESSAGES)


def _new_thread(
    emu: RestHost, parent: Channel, body: JSON, *, thread_id: int | None, default_type: int
) -> Channel:
    if parent.type not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
        raise RestError(400, 50024, "Cannot execute action on this channel type")
    ttype = int(body.get("type") or default_type)
    need = P.CREATE_PRIVATE_THREADS if ttype == 12 else P.CREATE_PUBLIC_THREADS
    emu._require(parent, need)
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    th = Channel(
        id=thread_id or emu.new_id(),
        type=ttype,
        name=name,
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=emu.bot_user.id,
        invitable=bool(body.get("invitable", True)) if ttype == 12 else True,
        auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
    )
    th.thread_members[emu.bot_user.id] = iso_timestamp()
    emu._add_channel(th)
    emu.dispatch("THREAD_CREATE", {**th.to_payload(me_id=emu.bot_user.id), "newly_created": True})
    return th


@routes("POST", "/channels/{channel_id}/threads")
async def create_thread(emu: RestHost, req: Req) -> Any:
    parent = emu._rest_channel(req.params["channel_id"])
    th = _new_thread(emu, parent, req.body(), thread_id=None, default_type=12)
    return (201, th.to_payload(me_id=emu.bot_user.id))


@routes("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def create_thread_from_message(emu: RestHost, req: Req) -> Any:
    parent = emu._rest_channel(req.params["channel_id"])
    m = emu._rest_message(parent, req.params["message_id"])
    if m.id in emu.channels:
        raise RestError(400, 160004, "A thread has already been created for this message")
    th = _new_thread(emu, parent, {**req.body(), "type": 11}, thread_id=m.id, default_type=11)
    return (201, th.to_payload(me_id=emu.bot_user.id))


def _thread(emu: RestHost, req: Req) -> Channel:
    ch = emu._rest_channel(req.params["channel_id"])
    if not ch.is_thread:
        raise RestError(400, 50024, "Cannot execute action on this channel type")
    return ch


def _thread_members_update(
    emu: RestHost, th: Channel, added: list[int], removed: list[int]
) -> None:
    g = emu.guilds[th.guild_id or 0]
    data: JSON = {
        "id": str(th.id),
        "guild_id": str(th.guild_id),
        "member_count": len(th.thread_members),
    }
    if added:
        data["added_members"] = [
            {
                **th.thread_member_payload(u),
                "member": g.members[u].to_payload(),
                "presence": None,
            }
            for u in added
            if u in g.members
        ]
    if removed:
        data["removed_member_ids"] = [str(u) for u in removed]
    emu.dispatch("THREAD_MEMBERS_UPDATE", data)


@routes("PUT", "/channels/{channel_id}/thread-members/{user_id}")
async def add_thread_member(emu: RestHost, req: Req) -> Any:
    th = _thread(emu, req)
    perms = emu._require(th)
    if th.archived:
        raise RestError(400, 50083, "Thread is archived")
    uid = emu._user_param(req)
    g = emu.guilds[th.guild_id or 0]
    if uid not in g.members:
        raise RestError(404, 10007, "Unknown Member")
    if uid != emu.bot_user.id:
        if not perms & P.SEND_MESSAGES_IN_THREADS:
            raise missing_permissions()
        if (
            th.type == 12
            and not perms & P.MANAGE_THREADS
            and (not th.invitable or emu.bot_user.id not in th.thread_members)
        ):
            raise missing_permissions()
    if uid in th.thread_members:
        return
    th.thread_members[uid] = iso_timestamp()
    _thread_members_update(emu, th, [uid], [])


@routes("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
async def remove_thread_member(emu: RestHost, req: Req) -> Any:
    th = _thread(emu, req)
    perms = emu._require(th)
    uid = emu._user_param(req)
    if uid != emu.bot_user.id and not perms & P.MANAGE_THREADS and th.owner_id != emu.bot_user.id:
        raise missing_permissions()
    if th.thread_members.pop(uid, None) is not None:
        _thread_members_update(emu, th, [], [uid])


@routes("GET", "/channels/{channel_id}/thread-members/{user_id}")
async def get_thread_member(emu: RestHost, req: Req) -> Any:
    th = _thread(emu, req)
    emu._require(th)
    uid = emu._user_param(req)
    if uid not in th.thread_members:
        raise RestError(404, 10007, "Unknown Member")
    return th.thread_member_payload(uid)


@routes("GET", "/channels/{channel_id}/thread-members")
async def list_thread_members(emu: RestHost, req: Req) -> Any:
    th = _thread(emu, req)
    emu._require(th)
    return [th.thread_member_payload(u) for u in th.thread_members]
