"""Routes for application (slash) commands, global and per guild."""

from __future__ import annotations

from typing import Any

from ..errors import RestError, invalid_form
from ..models import JSON, AppCommand
from ..routing import Req, RouteTable
from ..validation import validate_command
from .host import RestHost

routes = RouteTable()

Pool = dict[int, AppCommand]


def _make_command(emu: RestHost, body: JSON, guild_id: int | None, existing: Pool) -> AppCommand:
    """A validated command from ``body``; re-registering a name keeps its id, bumps its version."""
    validate_command(body)
    ctype = int(body.get("type", 1))
    prev = next((c for c in existing.values() if c.name == body["name"] and c.type == ctype), None)
    extra = {
        k: v
        for k, v in body.items()
        if k not in ("id", "name", "type", "description", "options", "application_id", "guild_id")
    }
    return AppCommand(
        id=prev.id if prev else emu.new_id(),
        application_id=emu.application_id,
        name=body["name"],
        type=ctype,
        description=body.get("description") or "",
        options=body.get("options") or [],
        guild_id=guild_id,
        extra=extra,
        version=(prev.version + 1) if prev else 1,
    )


def _pool(emu: RestHost, req: Req) -> tuple[Pool, int | None]:
    if str(req.params["application_id"]) != str(emu.application_id):
        raise RestError(403, 50001, "Missing Access")
    if "guild_id" in req.params:
        g = emu._rest_guild(req.params["guild_id"])
        return emu.guild_commands.setdefault(g.id, {}), g.id
    return emu.global_commands, None


def _command(pool: Pool, req: Req) -> AppCommand:
    cmd = pool.get(req.int_param("command_id"))
    if cmd is None:
        raise RestError(404, 10063, "Unknown application command")
    return cmd


async def list_commands(emu: RestHost, req: Req) -> Any:
    pool, _ = _pool(emu, req)
    return [c.to_payload() for c in pool.values()]


async def bulk_overwrite(emu: RestHost, req: Req) -> Any:
    pool, guild_id = _pool(emu, req)
    body = req.json or []
    if len([c for c in body if int(c.get("type", 1)) == 1]) > 100:
        raise invalid_form("_", "BASE_TYPE_MAX_LENGTH", "Too many commands")
    new = [_make_command(emu, c, guild_id, pool) for c in body]
    pool.clear()
    pool.update({c.id: c for c in new})
    return [c.to_payload() for c in new]


async def upsert_command(emu: RestHost, req: Req) -> Any:
    pool, guild_id = _pool(emu, req)
    cmd = _make_command(emu, req.body(), guild_id, pool)
    created = cmd.id not in pool
    pool[cmd.id] = cmd
    return (201 if created else 200), cmd.to_payload()


async def get_command(emu: RestHost, req: Req) -> Any:
    pool, _ = _pool(emu, req)
    return _command(pool, req).to_payload()


async def edit_command(emu: RestHost, req: Req) -> Any:
    pool, guild_id = _pool(emu, req)
    cmd = _command(pool, req)
    merged = {**cmd.to_payload(), **req.body()}
    new = _make_command(emu, merged, guild_id, pool)
    pool[new.id] = new
    return new.to_payload()


async def delete_command(emu: RestHost, req: Req) -> Any:
    pool, _ = _pool(emu, req)
    pool.pop(_command(pool, req).id)


for _base in (
    "/applications/{application_id}/commands",
    "/applications/{application_id}/guilds/{guild_id}/commands",
):
    routes.add("GET", _base, list_commands)
    routes.add("PUT", _base, bulk_overwrite)
    routes.add("POST", _base, upsert_command)
    routes.add("GET", _base + "/{command_id}", get_command)
    routes.add("PATCH", _base + "/{command_id}", edit_command)
    routes.add("DELETE", _base + "/{command_id}", delete_command)
