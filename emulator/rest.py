"""REST route handlers (Discord API v10 subset). Templates use discord.py's parameter names."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from .errors import RestError, invalid_form, missing_permissions
from .interactions import CallbackType, InteractionResponse, InteractionType
from .models import JSON, AppCommand, Channel, ChannelType, Message, MessageFlags, Overwrite
from .permissions import P
from .snowflake import iso_timestamp

if TYPE_CHECKING:
    from .server import DiscordEmulator, _Req

NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def register(emu: DiscordEmulator) -> None:
    r = emu.route

    # ---------------------------------------------------------------- gateway / users / app
    @r("GET", "/gateway", auth=False)
    async def get_gateway(req: _Req) -> Any:
        return {"url": emu.gateway_url}

    @r("GET", "/gateway/bot")
    async def get_gateway_bot(req: _Req) -> Any:
        return {
            "url": emu.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }

    @r("GET", "/users/@me")
    async def get_me(req: _Req) -> Any:
        return {
            **emu.bot_user.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
        }

    @r("GET", "/users/{user_id}")
    async def get_user(req: _Req) -> Any:
        return emu._rest_user(req.params["user_id"]).to_payload()

    @r("GET", "/oauth2/applications/@me")
    async def get_application(req: _Req) -> Any:
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

    @r("POST", "/users/@me/channels")
    async def create_dm(req: _Req) -> Any:
        user = emu._rest_user(req.body().get("recipient_id", 0))
        return emu.dm_channel(user).to_payload()

    # ---------------------------------------------------------------- application commands
    def _validate_command(body: JSON) -> None:
        ctype = int(body.get("type", 1))
        name = str(body.get("name", ""))
        if not NAME_RE.match(name) or (ctype == 1 and name != name.lower()):
            raise invalid_form(
                "name", "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"
            )
        if ctype == 1:
            desc = body.get("description") or ""
            if not 1 <= len(desc) <= 100:
                raise invalid_form(
                    "description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
        _validate_options(body.get("options") or [], "options")

    def _validate_options(options: list[JSON], where: str) -> None:
        if len(options) > 25:
            raise invalid_form(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        names = [o.get("name") for o in options]
        if len(names) != len(set(names)):
            raise invalid_form(
                where,
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        seen_optional = False
        for i, o in enumerate(options):
            if (
                not NAME_RE.match(str(o.get("name", "")))
                or str(o.get("name")) != str(o.get("name")).lower()
            ):
                raise invalid_form(
                    f"{where}.{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"
                )
            if not 1 <= len(o.get("description") or "") <= 100:
                raise invalid_form(
                    f"{where}.{i}.description",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            if len(o.get("choices") or []) > 25:
                raise invalid_form(
                    f"{where}.{i}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            if o.get("type") in (1, 2):
                _validate_options(o.get("options") or [], f"{where}.{i}.options")
                continue
            if o.get("required"):
                if seen_optional:
                    raise invalid_form(
                        where,
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID_ORDER",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True

    def _make_command(
        body: JSON, guild_id: int | None, existing: dict[int, AppCommand]
    ) -> AppCommand:
        _validate_command(body)
        ctype = int(body.get("type", 1))
        prev = next(
            (c for c in existing.values() if c.name == body["name"] and c.type == ctype), None
        )
        extra = {
            k: v
            for k, v in body.items()
            if k
            not in ("id", "name", "type", "description", "options", "application_id", "guild_id")
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

    def _pool(req: _Req) -> tuple[dict[int, AppCommand], int | None]:
        if str(req.params["application_id"]) != str(emu.application_id):
            raise RestError(403, 50001, "Missing Access")
        if "guild_id" in req.params:
            g = emu._rest_guild(req.params["guild_id"])
            return emu.guild_commands.setdefault(g.id, {}), g.id
        return emu.global_commands, None

    for base in (
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ):

        @r("GET", base)
        async def list_commands(req: _Req) -> Any:
            pool, _ = _pool(req)
            return [c.to_payload() for c in pool.values()]

        @r("PUT", base)
        async def bulk_overwrite(req: _Req) -> Any:
            pool, guild_id = _pool(req)
            body = req.json or []
            if len([c for c in body if int(c.get("type", 1)) == 1]) > 100:
                raise invalid_form("_", "BASE_TYPE_MAX_LENGTH", "Too many commands")
            new = [_make_command(c, guild_id, pool) for c in body]
            pool.clear()
            pool.update({c.id: c for c in new})
            return [c.to_payload() for c in new]

        @r("POST", base)
        async def upsert_command(req: _Req) -> Any:
            pool, guild_id = _pool(req)
            cmd = _make_command(req.body(), guild_id, pool)
            created = cmd.id not in pool
            pool[cmd.id] = cmd
            return (201 if created else 200), cmd.to_payload()

        @r("GET", base + "/{command_id}")
        async def get_command(req: _Req) -> Any:
            pool, _ = _pool(req)
            return _command(pool, req).to_payload()

        @r("PATCH", base + "/{command_id}")
        async def edit_command(req: _Req) -> Any:
            pool, guild_id = _pool(req)
            cmd = _command(pool, req)
            merged = {**cmd.to_payload(), **req.body()}
            new = _make_command(merged, guild_id, pool)
            pool[new.id] = new
            return new.to_payload()

        @r("DELETE", base + "/{command_id}")
        async def delete_command(req: _Req) -> Any:
            pool, _ = _pool(req)
            pool.pop(_command(pool, req).id)

    def _command(pool: dict[int, AppCommand], req: _Req) -> AppCommand:
        cmd = pool.get(req.int_param("command_id"))
        if cmd is None:
            raise RestError(404, 10063, "Unknown application command")
        return cmd

    # ---------------------------------------------------------------- guilds / members / roles
    @r("GET", "/guilds/{guild_id}")
    async def get_guild(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        return {**g.to_payload(), "approximate_presence_count": 0}

    @r("GET", "/guilds/{guild_id}/channels")
    async def get_guild_channels(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        return [c.to_payload() for c in g.channels]

    @r("POST", "/guilds/{guild_id}/channels")
    async def create_guild_channel(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        emu._require_guild(g, P.MANAGE_CHANNELS)
        body = req.body()
        overwrites = [
            Overwrite(
                id=int(o["id"]),
                type=int(o.get("type", 0)),
                allow=int(o.get("allow") or 0),
                deny=int(o.get("deny") or 0),
            )
            for o in body.get("permission_overwrites") or []
        ]
        ch = Channel(
            id=emu.new_id(),
            type=int(body.get("type") or 0),
            name=body.get("name"),
            guild_id=g.id,
            parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
            topic=body.get("topic"),
            overwrites=overwrites,
            position=int(body.get("position") or len(g.channels)),
        )
        if not ch.overwrites and ch.parent_id and ch.parent_id in emu.channels:
            ch.overwrites = [
                Overwrite(o.id, o.type, o.allow, o.deny)
                for o in emu.channels[ch.parent_id].overwrites
            ]
        emu._add_channel(ch)
        emu.dispatch("CHANNEL_CREATE", ch.to_payload())
        return (201, ch.to_payload())

    @r("GET", "/guilds/{guild_id}/roles")
    async def get_roles(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        return [ro.to_payload() for ro in g.roles.values()]

    @r("GET", "/guilds/{guild_id}/members")
    async def list_members(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        limit = int(req.query.get("limit", 1))
        after = int(req.query.get("after", 0))
        members = sorted(
            (m for m in g.members.values() if m.user.id > after), key=lambda m: m.user.id
        )
        return [m.to_payload() for m in members[:limit]]

    @r("GET", "/guilds/{guild_id}/members/{user_id}")
    async def get_member(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        return _member(g, req).to_payload()

    def _member(g: Any, req: _Req) -> Any:
        uid = emu.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
        m = g.members.get(uid)
        if m is None:
            raise RestError(404, 10007, "Unknown Member")
        return m

    def _check_role_hierarchy(g: Any, role_ids: list[int], target: Any) -> None:
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

    @r("PATCH", "/guilds/{guild_id}/members/{user_id}")
    async def edit_member(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        m = _member(g, req)
        body = req.body()
        if "roles" in body and body["roles"] is not None:
            new = [int(x) for x in body["roles"]]
            changed = list(set(new) ^ set(m.roles))
            _check_role_hierarchy(g, changed, m)
            m.roles = new
        if "nick" in body:
            emu._require_guild(g, P.MANAGE_NICKNAMES)
            m.nick = body["nick"]
        emu._dispatch_member_update(g, m)
        return m.to_payload()

    @r("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def add_member_role(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        m = _member(g, req)
        rid = req.int_param("role_id")
        _check_role_hierarchy(g, [rid], m)
        if rid not in m.roles:
            m.roles.append(rid)
            emu._dispatch_member_update(g, m)

    @r("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def remove_member_role(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        m = _member(g, req)
        rid = req.int_param("role_id")
        _check_role_hierarchy(g, [rid], m)
        if rid in m.roles:
            m.roles.remove(rid)
            emu._dispatch_member_update(g, m)

    @r("GET", "/guilds/{guild_id}/threads/active")
    async def active_threads(req: _Req) -> Any:
        g = emu._rest_guild(req.params["guild_id"])
        threads = [
            t for t in g.threads if not t.archived and emu.bot_permissions(t) & P.VIEW_CHANNEL
        ]
        return {
            "threads": [t.to_payload() for t in threads],
            "members": [
                t.thread_member_payload(emu.bot_user.id)
                for t in threads
                if emu.bot_user.id in t.thread_members
            ],
        }

    # ---------------------------------------------------------------- channels
    @r("GET", "/channels/{channel_id}")
    async def get_channel(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch)
        return ch.to_payload(me_id=emu.bot_user.id)

    @r("PATCH", "/channels/{channel_id}")
    async def edit_channel(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        body = req.body()
        if ch.is_thread:
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
        else:
            emu._require(ch, P.MANAGE_CHANNELS)
            for key in ("name", "topic", "nsfw", "rate_limit_per_user", "position"):
                if key in body:
                    setattr(ch, key, body[key])
            if "parent_id" in body:
                ch.parent_id = int(body["parent_id"]) if body["parent_id"] else None
            if "permission_overwrites" in body:
                emu._require(ch, P.MANAGE_ROLES)
                ch.overwrites = [
                    Overwrite(
                        id=int(o["id"]),
                        type=int(o.get("type", 0)),
                        allow=int(o.get("allow") or 0),
                        deny=int(o.get("deny") or 0),
                    )
                    for o in body["permission_overwrites"] or []
                ]
            emu.dispatch("CHANNEL_UPDATE", ch.to_payload())
        return ch.to_payload(me_id=emu.bot_user.id)

    @r("DELETE", "/channels/{channel_id}")
    async def delete_channel(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        if ch.is_dm:
            return ch.to_payload()
        emu._require(ch, P.MANAGE_THREADS if ch.is_thread else P.MANAGE_CHANNELS)
        payload = ch.to_payload()
        emu._delete_channel(ch)
        return payload

    @r("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def put_overwrite(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.MANAGE_ROLES)
        body = req.body()
        oid = req.int_param("overwrite_id")
        ch.overwrites = [o for o in ch.overwrites if o.id != oid]
        ch.overwrites.append(
            Overwrite(
                id=oid,
                type=int(body.get("type", 0)),
                allow=int(body.get("allow") or 0),
                deny=int(body.get("deny") or 0),
            )
        )
        emu.dispatch("CHANNEL_UPDATE", ch.to_payload())

    @r("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def delete_overwrite(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.MANAGE_ROLES)
        oid = req.int_param("overwrite_id")
        ch.overwrites = [o for o in ch.overwrites if o.id != oid]
        emu.dispatch("CHANNEL_UPDATE", ch.to_payload())

    @r("POST", "/channels/{channel_id}/typing")
    async def typing(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.SEND_MESSAGES)

    # ---------------------------------------------------------------- messages
    def _check_send(ch: Channel, files: list[Any]) -> None:
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

    @r("GET", "/channels/{channel_id}/messages")
    async def get_messages(req: _Req) -> Any:
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

    @r("GET", "/channels/{channel_id}/messages/{message_id}")
    async def get_message(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.READ_MESSAGE_HISTORY)
        m = emu._rest_message(ch, req.params["message_id"])
        if m.ephemeral:
            raise RestError(404, 10008, "Unknown Message")
        return emu.message_payload(m)

    @r("POST", "/channels/{channel_id}/messages")
    async def create_message(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        body = req.body()
        _check_send(ch, req.files)
        emu._validate_message_body(body, req.files, partial=False)
        body = {**body, "flags": int(body.get("flags") or 0) & (4 | 4096 | 32768)}
        m = emu._build_message(ch, emu.bot_user, body, req.files)
        emu._store_message(m)
        return emu.message_payload(m)

    @r("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def edit_message(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch)
        m = emu._rest_message(ch, req.params["message_id"])
        body = req.body()
        if m.author.id != emu.bot_user.id and set(body) - {"flags"}:
            raise RestError(403, 50005, "Cannot edit a message authored by another user")
        emu._validate_message_body(body, req.files, partial=True)
        emu._apply_edit(m, body, req.files)
        emu._dispatch_message_update(m)
        return emu.message_payload(m)

    @r("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def delete_message(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        m = emu._rest_message(ch, req.params["message_id"])
        if m.author.id != emu.bot_user.id:
            if ch.is_dm:
                raise RestError(403, 50003, "Cannot execute action on a DM channel")
            emu._require(ch, P.MANAGE_MESSAGES)
        emu._delete_message(m)

    @r("POST", "/channels/{channel_id}/messages/bulk-delete")
    async def bulk_delete(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.MANAGE_MESSAGES)
        ids = [int(x) for x in req.body().get("messages", [])]
        for mid in ids:
            m = emu.messages.get(mid)
            if m is not None and m.channel_id == ch.id:
                m.deleted = True
        data: JSON = {"ids": [str(i) for i in ids], "channel_id": str(ch.id)}
        if ch.guild_id:
            data["guild_id"] = str(ch.guild_id)
        emu.dispatch("MESSAGE_DELETE_BULK", data)

    @r("PUT", "/channels/{channel_id}/messages/pins/{message_id}")
    async def pin(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.MANAGE_MESSAGES)
        emu._rest_message(ch, req.params["message_id"]).pinned = True

    @r("DELETE", "/channels/{channel_id}/messages/pins/{message_id}")
    async def unpin(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.MANAGE_MESSAGES)
        emu._rest_message(ch, req.params["message_id"]).pinned = False

    # reactions
    react = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"

    @r("PUT", react + "/@me")
    async def add_reaction(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        emu._require(ch, P.READ_MESSAGE_HISTORY)
        m = emu._rest_message(ch, req.params["message_id"])
        emoji = req.params["emoji"]
        if emoji not in m.reactions and not ch.is_dm:
            emu._require(ch, P.ADD_REACTIONS)
        m.reactions.setdefault(emoji, set()).add(emu.bot_user.id)
        emu.dispatch("MESSAGE_REACTION_ADD", emu._reaction_payload(m, emu.bot_user, emoji))

    @r("DELETE", react + "/{user_id}")
    async def remove_reaction(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        m = emu._rest_message(ch, req.params["message_id"])
        uid = emu.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
        if uid != emu.bot_user.id:
            emu._require(ch, P.MANAGE_MESSAGES)
        emoji = req.params["emoji"]
        m.reactions.get(emoji, set()).discard(uid)
        emu.dispatch("MESSAGE_REACTION_REMOVE", emu._reaction_payload(m, emu.users[uid], emoji))

    @r("GET", react)
    async def list_reactions(req: _Req) -> Any:
        ch = emu._rest_channel(req.params["channel_id"])
        m = emu._rest_message(ch, req.params["message_id"])
        return [
            emu.users[u].to_payload() for u in sorted(m.reactions.get(req.params["emoji"], set()))
        ]

    # ---------------------------------------------------------------- threads
    def _new_thread(
        parent: Channel, body: JSON, *, thread_id: int | None, default_type: int
    ) -> Channel:
        if parent.type not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise RestError(400, 50024, "Cannot execute action on this channel type")
        ttype = int(body.get("type") or default_type)
        need = P.CREATE_PRIVATE_THREADS if ttype == 12 else P.CREATE_PUBLIC_THREADS
        emu._require(parent, need)
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form(
                "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
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
        emu.dispatch(
            "THREAD_CREATE", {**th.to_payload(me_id=emu.bot_user.id), "newly_created": True}
        )
        return th

    @r("POST", "/channels/{channel_id}/threads")
    async def create_thread(req: _Req) -> Any:
        parent = emu._rest_channel(req.params["channel_id"])
        th = _new_thread(parent, req.body(), thread_id=None, default_type=12)
        return (201, th.to_payload(me_id=emu.bot_user.id))

    @r("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    async def create_thread_from_message(req: _Req) -> Any:
        parent = emu._rest_channel(req.params["channel_id"])
        m = emu._rest_message(parent, req.params["message_id"])
        if m.id in emu.channels:
            raise RestError(400, 160004, "A thread has already been created for this message")
        th = _new_thread(parent, {**req.body(), "type": 11}, thread_id=m.id, default_type=11)
        return (201, th.to_payload(me_id=emu.bot_user.id))

    def _thread(req: _Req) -> Channel:
        ch = emu._rest_channel(req.params["channel_id"])
        if not ch.is_thread:
            raise RestError(400, 50024, "Cannot execute action on this channel type")
        return ch

    def _thread_members_update(th: Channel, added: list[int], removed: list[int]) -> None:
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

    @r("PUT", "/channels/{channel_id}/thread-members/{user_id}")
    async def add_thread_member(req: _Req) -> Any:
        th = _thread(req)
        perms = emu._require(th)
        if th.archived:
            raise RestError(400, 50083, "Thread is archived")
        uid = emu.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
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
        _thread_members_update(th, [uid], [])

    @r("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
    async def remove_thread_member(req: _Req) -> Any:
        th = _thread(req)
        perms = emu._require(th)
        uid = emu.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
        if (
            uid != emu.bot_user.id
            and not perms & P.MANAGE_THREADS
            and th.owner_id != emu.bot_user.id
        ):
            raise missing_permissions()
        if th.thread_members.pop(uid, None) is not None:
            _thread_members_update(th, [], [uid])

    @r("GET", "/channels/{channel_id}/thread-members/{user_id}")
    async def get_thread_member(req: _Req) -> Any:
        th = _thread(req)
        emu._require(th)
        uid = emu.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
        if uid not in th.thread_members:
            raise RestError(404, 10007, "Unknown Member")
        return th.thread_member_payload(uid)

    @r("GET", "/channels/{channel_id}/thread-members")
    async def list_thread_members(req: _Req) -> Any:
        th = _thread(req)
        emu._require(th)
        return [th.thread_member_payload(u) for u in th.thread_members]

    # ---------------------------------------------------------------- interactions
    def _interaction(req: _Req, id_key: str, token_key: str) -> Any:
        it = None
        if id_key == "interaction_id":
            it = emu.interactions.get(req.int_param(id_key))
        elif str(req.params[id_key]) == str(emu.application_id):
            it = next(
                (i for i in emu.interactions.values() if i.token == req.params[token_key]), None
            )
        if it is None or it.token != req.params[token_key]:
            raise RestError(
                404,
                10062 if id_key == "interaction_id" else 10015,
                "Unknown interaction" if id_key == "interaction_id" else "Unknown Webhook",
            )
        return it

    def _interaction_message(it: Any, body: JSON, files: list[Any], *, flags: int) -> Message:
        emu._validate_message_body(body, files, partial=False)
        m = emu._build_message(it.channel, emu.bot_user, {**body, "flags": flags}, files)
        m.webhook_id = emu.application_id
        m.application_id = emu.application_id
        m.interaction_id = it.id
        m.type = 20 if it.type == InteractionType.APPLICATION_COMMAND else m.type
        meta: JSON = {
            "id": str(it.id),
            "type": it.type,
            "user": it.user.to_payload(),
            "authorizing_integration_owners": it.payload.get("authorizing_integration_owners", {}),
        }
        if it.type == InteractionType.APPLICATION_COMMAND:
            meta["name"] = it.data.get("name")
            meta["command_type"] = 1
        if it.message is not None:
            meta["interacted_message_id"] = str(it.message.id)
        m.interaction_metadata = meta
        return m

    @r("POST", "/interactions/{interaction_id}/{interaction_token}/callback", auth=False)
    async def interaction_callback(req: _Req) -> Any:
        it = _interaction(req, "interaction_id", "interaction_token")
        loop_time = asyncio.get_running_loop().time()
        if (
            emu.interaction_ack_timeout is not None
            and loop_time - it.created_at > emu.interaction_ack_timeout
        ):
            raise RestError(404, 10062, "Unknown interaction")
        if it.callback is not None:
            raise RestError(400, 40060, "Interaction has already been acknowledged.")
        body = req.body()
        ctype = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        message: Message | None = None
        valid = {
            InteractionType.APPLICATION_COMMAND: {4, 5, 9},
            InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            InteractionType.MODAL_SUBMIT: {4, 5, 6, 7},
            InteractionType.AUTOCOMPLETE: {8},
        }.get(it.type, set())
        if it.type == InteractionType.MODAL_SUBMIT and it.message is None and ctype in (6, 7):
            valid = set()
        if ctype not in valid:
            raise invalid_form(
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Callback type {ctype} is not valid for interaction type {it.type}",
            )
        if ctype == CallbackType.CHANNEL_MESSAGE:
            flags = int(data.get("flags") or 0) & (MessageFlags.EPHEMERAL | 4 | 4096 | 32768)
            message = _interaction_message(it, data, req.files, flags=flags)
            emu._store_message(message)
            it.original = message
        elif ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE:
            flags = (int(data.get("flags") or 0) & MessageFlags.EPHEMERAL) | MessageFlags.LOADING
            m = emu._build_message(it.channel, emu.bot_user, {"flags": flags}, [])
            m.flags = flags
            m.webhook_id = m.application_id = emu.application_id
            m.interaction_id = it.id
            m.type = 20 if it.type == InteractionType.APPLICATION_COMMAND else 0
            emu._store_message(m)
            it.original = message = m
        elif ctype in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
            target = it.message
            if target is None:
                raise RestError(400, 50035, "Invalid Form Body")
            if ctype == CallbackType.UPDATE_MESSAGE:
                emu._validate_message_body(data, req.files, partial=True)
                emu._apply_edit(target, data, req.files)
                emu._dispatch_message_update(target)
            it.original = message = target
        elif ctype == CallbackType.AUTOCOMPLETE_RESULT:
            if len(data.get("choices") or []) > 25:
                raise invalid_form(
                    "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
        elif ctype == CallbackType.MODAL:
            if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                raise invalid_form(
                    "data", "MODAL_INVALID", "Modal needs custom_id, title and components"
                )
            if len(data["title"]) > 45:
                raise invalid_form(
                    "data.title", "BASE_TYPE_MAX_LENGTH", "Must be 45 or fewer in length."
                )
            it.modal = data
        it.callback = InteractionResponse(type=ctype, data=data, message=message)
        emu._notify()
        if req.query.get("with_response") not in ("1", "true", "True"):
            return None
        result: JSON = {
            "interaction": {
                "id": str(it.id),
                "type": it.type,
                "response_message_id": str(message.id) if message is not None else None,
                "response_message_loading": ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message.ephemeral)
                if message is not None
                else False,
            }
        }
        if message is not None:
            result["resource"] = {"type": ctype, "message": emu.message_payload(message)}
        else:
            result["resource"] = (
                {"type": ctype} if ctype != CallbackType.DEFERRED_UPDATE_MESSAGE else None
            )
            if result["resource"] is None:
                del result["resource"]
        return result

    webhook = "/webhooks/{application_id}/{interaction_token}"

    def _webhook_message(it: Any, req: _Req) -> Message:
        mid = req.params["message_id"]
        if mid == "@original":
            if it.original is None:
                raise RestError(404, 10008, "Unknown Message")
            return it.original
        m = emu.messages.get(int(mid)) if mid.isdigit() else None
        if m is None or m.deleted or (m.interaction_id != it.id and m is not it.original):
            raise RestError(404, 10008, "Unknown Message")
        return m

    @r("POST", webhook, auth=False)
    async def followup(req: _Req) -> Any:
        it = _interaction(req, "application_id", "interaction_token")
        if it.callback is None:
            raise RestError(404, 10015, "Unknown Webhook")
        body = req.body()
        original = it.original
        if (
            original is not None
            and original.loading
            and it.callback.type == CallbackType.DEFERRED_CHANNEL_MESSAGE
            and not it.followup_messages
        ):
            # Discord: the first followup after a deferred response edits the loading message.
            emu._validate_message_body(body, req.files, partial=False)
            emu._apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, req.files)
            emu._dispatch_message_update(original)
            it.followup_messages.append(original)
            emu._notify()
            return emu.message_payload(original)
        flags = int(body.get("flags") or 0) & (MessageFlags.EPHEMERAL | 4 | 4096 | 32768)
        m = _interaction_message(it, body, req.files, flags=flags)
        m.type = 0
        emu._store_message(m)
        it.followup_messages.append(m)
        emu._notify()
        if req.query.get("wait") in ("1", "true", "True"):
            return emu.message_payload(m)
        return None

    @r("GET", webhook + "/messages/{message_id}", auth=False)
    async def get_webhook_message(req: _Req) -> Any:
        it = _interaction(req, "application_id", "interaction_token")
        return emu.message_payload(_webhook_message(it, req))

    @r("PATCH", webhook + "/messages/{message_id}", auth=False)
    async def edit_webhook_message(req: _Req) -> Any:
        it = _interaction(req, "application_id", "interaction_token")
        m = _webhook_message(it, req)
        body = req.body()
        emu._validate_message_body(body, req.files, partial=True)
        emu._apply_edit(m, body, req.files)
        emu._dispatch_message_update(m)
        return emu.message_payload(m)

    @r("DELETE", webhook + "/messages/{message_id}", auth=False)
    async def delete_webhook_message(req: _Req) -> Any:
        it = _interaction(req, "application_id", "interaction_token")
        emu._delete_message(_webhook_message(it, req))
