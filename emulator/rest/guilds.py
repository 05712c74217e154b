"""Routes for guilds: their channels, roles, members and member roles, and active threads."""

from __future__ import annotations

from typing import Any

from ..errors import RestError, missing_permissions
from ..models import Channel, Guild, Member, Overwrite
from ..permissions import P
from ..routing import Req, RouteTable
from .host import RestHost, check_channel_name, check_slowmode, parse_overwrites

routes = RouteTable()

MAX_CHANNELS = 500


@routes("GET", "/guilds/{guild_id}")
async def get_guild(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    return {**g.to_payload(), "approximate_presence_count": 0}


@routes("GET", "/guilds/{guild_id}/channels")
async def get_guild_channels(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    return [c.to_payload() for c in g.channels]


@routes("POST", "/guilds/{guild_id}/channels")
async def create_guild_channel(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    emu._require_guild(g, P.MANAGE_CHANNELS)
    body = req.body()
    check_channel_name(body, required=True)
    if len(g.channels) >= MAX_CHANNELS:
        raise RestError(400, 30013, f"Maximum number of guild channels reached ({MAX_CHANNELS})")
    overwrites = parse_overwrites(body.get("permission_overwrites"))
    emu._check_overwrite_grants(g, overwrites)
    check_slowmode(body)
    ch = Channel(
        id=emu.new_id(),
        type=int(body.get("type") or 0),
        name=body.get("name"),
        guild_id=g.id,
        parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
        topic=body.get("topic"),
        overwrites=overwrites,
        position=int(body.get("position") or len(g.channels)),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
    )
    if not ch.overwrites and ch.parent_id and ch.parent_id in emu.channels:
        ch.overwrites = [
            Overwrite(o.id, o.type, o.allow, o.deny) for o in emu.channels[ch.parent_id].overwrites
        ]
    emu._add_channel(ch)
    emu.dispatch("CHANNEL_CREATE", ch.to_payload())
    return (201, ch.to_payload())


@routes("GET", "/guilds/{guild_id}/roles")
async def get_roles(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    return [ro.to_payload() for ro in g.roles.values()]


@routes("GET", "/guilds/{guild_id}/members")
async def list_members(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    limit = int(req.query.get("limit", 1))
    after = int(req.query.get("after", 0))
    members = sorted((m for m in g.members.values() if m.user.id > after), key=lambda m: m.user.id)
    return [m.to_payload() for m in members[:limit]]


@routes("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    return _member(emu, g, req).to_payload()


@routes("GET", "/guilds/{guild_id}/bans/{user_id}")
async def get_ban(emu: RestHost, req: Req) -> Any:
    """Discord asks for Ban Members; 404 Unknown Ban (10026) when the user isn't banned."""
    g = emu._rest_guild(req.params["guild_id"])
    emu._require_guild(g, P.BAN_MEMBERS)
    uid = emu._user_param(req)
    if uid not in g.bans:
        raise RestError(404, 10026, "Unknown Ban")
    return {"reason": g.bans[uid], "user": emu.users[uid].to_payload()}


def _member(emu: RestHost, g: Guild, req: Req) -> Member:
    uid = emu._user_param(req)
    m = g.members.get(uid)
    if m is None:
        raise RestError(404, 10007, "Unknown Member")
    return m


def _check_role_hierarchy(emu: RestHost, g: Guild, role_ids: list[int], target: Member) -> None:
    emu._require_guild(g, P.MANAGE_ROLES)
    top = emu._bot_top_position(g)
    for rid in role_ids:
        role = g.roles.get(rid)
        if role is None:
            raise RestError(404, 10011, "Unknown Role")
        if role.position >= top or role.managed:
            raise missing_permissions()
    if target.user.id == g.owner_id and emu.bot_user.id != g.owner_id:
        raise missing_permissions()


@routes("PATCH", "/guilds/{guild_id}/members/{user_id}")
async def edit_member(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    m = _member(emu, g, req)
    body = req.body()
    if "roles" in body and body["roles"] is not None:
        new = [int(x) for x in body["roles"]]
        changed = list(set(new) ^ set(m.roles))
        _check_role_hierarchy(emu, g, changed, m)
        m.roles = new
    if "nick" in body:
        emu._require_guild(g, P.MANAGE_NICKNAMES)
        m.nick = body["nick"]
    emu._dispatch_member_update(g, m)
    return m.to_payload()


@routes("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_member_role(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    m = _member(emu, g, req)
    rid = req.int_param("role_id")
    _check_role_hierarchy(emu, g, [rid], m)
    if rid not in m.roles:
        m.roles.append(rid)
        emu._dispatch_member_update(g, m)


@routes("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_member_role(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    m = _member(emu, g, req)
    rid = req.int_param("role_id")
    _check_role_hierarchy(emu, g, [rid], m)
    if rid in m.roles:
        m.roles.remove(rid)
        emu._dispatch_member_update(g, m)


@routes("GET", "/guilds/{guild_id}/threads/active")
async def active_threads(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    threads = [t for t in g.threads if not t.archived and emu.bot_permissions(t) & P.VIEW_CHANNEL]
    return {
        "threads": [t.to_payload() for t in threads],
        "members": [
            t.thread_member_payload(emu.bot_user.id)
            for t in threads
            if emu.bot_user.id in t.thread_members
        ],
    }
