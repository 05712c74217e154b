"""Routes for the gateway URL, users, the application and DM channels."""

from __future__ import annotations

from typing import Any

from ..routing import Req, RouteTable
from .host import RestHost

routes = RouteTable()


@routes("GET", "/gateway", auth=False)
async def get_gateway(emu: RestHost, req: Req) -> Any:
    return {"url": emu.gateway_url}


@routes("GET", "/gateway/bot")
async def get_gateway_bot(emu: RestHost, req: Req) -> Any:
    return {
        "url": emu.gateway_url,
        "shards": getattr(emu, "shard_count", 1),
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14400000,
            "max_concurrency": getattr(emu, "max_concurrency", 1),
        },
    }


@routes("GET", "/users/@me")
async def get_me(emu: RestHost, req: Req) -> Any:
    return {
        **emu.bot_user.to_payload(),
        "verified": True,
        "mfa_enabled": False,
        "email": None,
        "locale": "en-US",
        "premium_type": 0,
    }


@routes("GET", "/users/{user_id}")
async def get_user(emu: RestHost, req: Req) -> Any:
    return emu._rest_user(req.params["user_id"]).to_payload()


@routes("GET", "/oauth2/applications/@me")
async def get_application(emu: RestHost, req: Req) -> Any:
    return {
        "id": str(emu.application_id),
        "name": emu.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": emu.bot_user.to_payload(),
        "owner": emu.owner_user.to_payload(),
        "team": None,
        "verify_key": "0" * 64,
        "flags": emu.application_flags,
        "tags": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": len(emu.guilds),
        "integration_types_config": {"0": {}},
    }


@routes("POST", "/users/@me/channels")
async def create_dm(emu: RestHost, req: Req) -> Any:
    user = emu._rest_user(req.body().get("recipient_id", 0))
    return emu.dm_channel(user).to_payload()
