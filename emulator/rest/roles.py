"""Routes for guild roles: create, edit, delete, and how many members hold each role.

Discord's rules as documented: Manage Roles for all of them; a bot may only grant permissions it
has itself (unless it is an administrator); it may only edit or delete roles below its own top
role, never a managed role or @everyone's; a guild holds at most 250 roles."""

from __future__ import annotations

from typing import Any

from ..errors import RestError, invalid_form, missing_permissions
from ..models import JSON, Guild, Role
from ..permissions import ALL_PERMISSIONS, P, base_permissions
from ..routing import Req, RouteTable
from .host import RestHost

routes = RouteTable()

MAX_ROLES = 250
MAX_ROLE_NAME = 100


def _role_param(emu: RestHost, g: Guild, req: Req) -> Role:
    role = g.roles.get(req.int_param("role_id"))
    if role is None:
        raise RestError(404, 10011, "Unknown Role")
    return role


def _check_name(body: JSON) -> None:
    if "name" in body and body["name"] is not None:
        name = str(body["name"])
        if len(name) > MAX_ROLE_NAME:
            raise invalid_form(
                "name", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_ROLE_NAME} or fewer in length."
            )


def _check_grant(emu: RestHost, g: Guild, body: JSON) -> int | None:
    """The permissions a body asks for, refused (50013) if the bot does not hold them."""
    if body.get("permissions") is None:
        return None
    try:
        wanted = int(body["permissions"])
    except (TypeError, ValueError):
        raise invalid_form("permissions", "NUMBER_TYPE_COERCE", "Value is not int.") from None
    have = base_permissions(g, g.members[emu.bot_user.id])
    if have != ALL_PERMISSIONS and wanted & ~have:
        raise missing_permissions()
    return wanted


def _check_below_bot(emu: RestHost, g: Guild, role: Role) -> None:
    """Only roles under the bot's highest role, and never managed ones, may be changed."""
    if role.position >= emu._bot_top_position(g) or role.managed:
        raise missing_permissions()


@routes("POST", "/guilds/{guild_id}/roles")
async def create_role(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    emu._require_guild(g, P.MANAGE_ROLES)
    body = req.body()
    _check_name(body)
    permissions = _check_grant(emu, g, body)
    if len(g.roles) >= MAX_ROLES:
        raise RestError(400, 30005, f"Maximum number of guild roles reached ({MAX_ROLES})")
    # Discord creates a role at the bottom (position 1), just above @everyone.
    for other in g.roles.values():
        if other.id != g.id and other.position >= 1:
            other.position += 1
            emu.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": other.to_payload()})
    role = Role(
        id=emu.new_id(),
        guild_id=g.id,
        name=str(body.get("name") or "new role"),
        permissions=permissions if permissions is not None else g.everyone_role.permissions,
        position=1,
        color=int(body.get("color") or 0),
        hoist=bool(body.get("hoist")),
        mentionable=bool(body.get("mentionable")),
    )
    g.roles[role.id] = role
    emu.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_payload()})
    return role.to_payload()


@routes("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    emu._require_guild(g, P.MANAGE_ROLES)
    role = _role_param(emu, g, req)
    _check_below_bot(emu, g, role)
    body = req.body()
    _check_name(body)
    permissions = _check_grant(emu, g, body)
    if body.get("name") is not None:
        role.name = str(body["name"])
    if permissions is not None:
        role.permissions = permissions
    for key in ("color", "hoist", "mentionable"):
        if body.get(key) is not None:
            setattr(role, key, type(getattr(role, key))(body[key]))
    emu.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": role.to_payload()})
    return role.to_payload()


@routes("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    emu._require_guild(g, P.MANAGE_ROLES)
    role = _role_param(emu, g, req)
    if role.id == g.id:
        raise RestError(400, 50028, "Invalid Role")
    _check_below_bot(emu, g, role)
    emu._delete_role(g, role)


@routes("GET", "/guilds/{guild_id}/roles/member-counts")
async def role_member_counts(emu: RestHost, req: Req) -> Any:
    """How many members hold each role (not @everyone): one call for a whole guild."""
    g = emu._rest_guild(req.params["guild_id"])
    emu._require_guild(g, P.MANAGE_ROLES)
    counts = {str(rid): 0 for rid in g.roles if rid != g.id}
    for member in g.members.values():
        for rid in member.roles:
            if str(rid) in counts:
                counts[str(rid)] += 1
    return counts
