"""Acting through interactions: slash commands, autocomplete, buttons, selects and modals.

Each call delivers an INTERACTION_CREATE to the bot and returns the
:class:`~emulator.interactions.Interaction`; await its ``response()`` / ``followups()``."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from .command_data import CommandDataMixin
from .errors import DEFAULT_WAIT
from .interactions import CallbackType, Interaction, InteractionType
from .models import JSON, Channel, Message, User
from .permissions import P, permissions_in
from .state import ChannelLike, MessageLike, UserLike
from .store import MessageStore


class InteractionActions(CommandDataMixin, MessageStore):
    """Members using the bot's commands and components."""

    def _new_interaction(
        self,
        type: int,
        user: UserLike,
        channel: ChannelLike,
        data: JSON,
        *,
        message: Message | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        u = self.user(user)
        ch = self.channel(channel)
        self._mark_action()
        iid = self.new_id()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        channel_payload = ch.to_payload(me_id=self.bot_user.id)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": type,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(ch.id),
        }
        if ch.guild_id is not None:
            payload.update(self._guild_context(u, ch, channel_payload))
        else:
            payload.update(_dm_context(u))
        payload["channel"] = channel_payload
        if message is not None:
            payload["message"] = self.message_payload(message)
        it = Interaction(
            emulator=self,
            id=iid,
            token=token,
            type=type,
            user=u,
            channel=ch,
            guild_id=ch.guild_id,
            data=data,
            payload=payload,
            message=message,
            created_at=asyncio.get_running_loop().time(),
        )
        self.interactions[iid] = it
        self.dispatch("INTERACTION_CREATE", payload)
        return it

    def _guild_context(self, u: User, ch: Channel, channel_payload: JSON) -> JSON:
        """Interaction fields for a guild channel (adds the member's permissions to the channel)."""
        g = self.guilds[ch.guild_id or 0]
        member = g.members.get(u.id)
        if member is None:
            raise ValueError(f"{u.username} is not a member of {g.name}")
        perms = permissions_in(g, member, ch)
        channel_payload["permissions"] = str(perms)
        return {
            "guild_id": str(g.id),
            "guild": {"id": str(g.id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": {**member.to_payload(), "permissions": str(perms)},
            "app_permissions": str(self.bot_permissions(ch)),
            "context": 0,
            "authorizing_integration_owners": {"0": str(g.id)},
        }

    async def run_command(
        self,
        user: UserLike,
        channel: ChannelLike,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        locale: str = "en-US",
    ) -> Interaction:
        """Invoke a registered slash command.

        ``command`` is ``"cmd"``, ``"group sub"`` or ``"group subgroup sub"``.

        Option values may be emulator objects (User/Member/Channel/Role) or ids for
        user/channel/role options; ``resolved`` data is filled in like Discord does."""
        u = self.user(user)
        ch = self.channel(channel)
        data = self._build_command_data(u, ch, command, options)
        return self._new_interaction(
            InteractionType.APPLICATION_COMMAND, u, ch, data, locale=locale
        )

    async def autocomplete(
        self,
        user: UserLike,
        channel: ChannelLike,
        command: str,
        *,
        focused: str,
        value: str = "",
        options: dict[str, Any] | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
    ) -> list[JSON]:
        """Type ``value`` into option ``focused``; returns the bot's autocomplete choices."""
        u = self.user(user)
        ch = self.channel(channel)
        data = self._build_command_data(
            u, ch, command, options, focused=focused, focused_value=value
        )
        it = self._new_interaction(InteractionType.AUTOCOMPLETE, u, ch, data)
        resp = await it.response(timeout=timeout)
        if resp.type != CallbackType.AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete answered with callback type {resp.type}")
        return resp.choices

    async def press_button(
        self, user: UserLike, message: MessageLike, custom_id: str, *, locale: str = "en-US"
    ) -> Interaction:
        """Click a button (by custom_id) on a message the bot sent, from a Discord app in
        ``locale``."""
        m = self.message(message)
        comp = m.find_component(custom_id)
        if comp is None:
            raise LookupError(f"message {m.id} has no component {custom_id!r} (has {m.custom_ids})")
        if comp.get("disabled"):
            raise PermissionError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": comp.get("type", 2)}
        if comp.get("type", 2) != 2:
            data["values"] = []
        return self._new_interaction(
            InteractionType.MESSAGE_COMPONENT, user, m.channel_id, data, message=m, locale=locale
        )

    async def select(
        self,
        user: UserLike,
        message: MessageLike,
        custom_id: str,
        values: list[Any],
        *,
        locale: str = "en-US",
    ) -> Interaction:
        """Pick ``values`` in a select menu on a message (string, user, role or channel select),
        from a Discord app in ``locale``."""
        m = self.message(message)
        comp = m.find_component(custom_id)
        if comp is None:
            raise LookupError(f"message {m.id} has no component {custom_id!r} (has {m.custom_ids})")
        ctype = int(comp.get("type", 3))
        data: JSON = {"custom_id": custom_id, "component_type": ctype}
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"{bad} are not options of select {custom_id!r} ({allowed})")
            data["values"] = [str(v) for v in values]
        else:
            resolved: JSON = {}
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[ctype]
            data["values"] = [
                str(self._resolve_into(kind, v, resolved, m.guild_id)) for v in values
            ]
            data["resolved"] = resolved
        return self._new_interaction(
            InteractionType.MESSAGE_COMPONENT, user, m.channel_id, data, message=m, locale=locale
        )

    async def submit_modal(
        self,
        user: UserLike,
        channel: ChannelLike,
        custom_id: str,
        values: dict[str, Any],
        *,
        source: Interaction | None = None,
        locale: str | None = None,
    ) -> Interaction:
        """Submit a modal the bot opened (found by ``custom_id`` among modals shown to ``user``).

        As on Discord, the submission carries the submitter's app language: by default the one
        of the interaction that opened the form (``locale`` for another).

        The submitted components mirror the modal's layout (ActionRow+TextInput or Label),
        which is what discord.py's ``Modal._refresh`` walks."""
        u = self.user(user)
        if source is None:
            source = next(
                (
                    it
                    for it in reversed(self.interactions.values())
                    if it.modal is not None
                    and it.modal.get("custom_id") == custom_id
                    and it.user.id == u.id
                ),
                None,
            )
        if source is None or source.modal is None:
            raise LookupError(
                f"the bot never showed {u.username} a modal with custom_id {custom_id!r}"
            )
        modal = source.modal
        known = {
            c.get("custom_id")
            for c in Message(
                id=0, channel_id=0, author=u, components=modal.get("components", [])
            ).iter_components()
        }
        unknown = set(values) - known
        if unknown:
            raise KeyError(
                f"modal {custom_id!r} has no inputs {sorted(unknown)} "
                f"(has {sorted(known - {None})})"
            )
        remaining = dict(values)
        components = [_modal_component(c, remaining) for c in modal.get("components", [])]
        data: JSON = {"custom_id": custom_id, "components": components}
        return self._new_interaction(
            InteractionType.MODAL_SUBMIT,
            u,
            channel,
            data,
            message=source.message,
            locale=locale or source.payload.get("locale", "en-US"),
        )


def _dm_context(u: User) -> JSON:
    """Interaction fields for a DM with the bot."""
    return {
        "user": u.to_payload(),
        "app_permissions": str(
            int(
                P.VIEW_CHANNEL
                | P.SEND_MESSAGES
                | P.EMBED_LINKS
                | P.ATTACH_FILES
                | P.READ_MESSAGE_HISTORY
            )
        ),
        "context": 1,
        "authorizing_integration_owners": {"0": "0"},
    }


def _modal_component(comp: JSON, values: dict[str, Any]) -> JSON:
    t = comp.get("type")
    if t == 1:
        return {
            "type": 1,
            "components": [_modal_component(c, values) for c in comp.get("components", [])],
        }
    if t == 18:
        out: JSON = {"type": 18, "component": _modal_component(comp["component"], values)}
        if "id" in comp:
            out["id"] = comp["id"]
        return out
    cid = comp.get("custom_id")
    if t == 4:
        value = values.pop(cid, None) if cid else None
        if value is None:
            value = comp.get("value") or ""
        value = str(value)
        if comp.get("required", True) and not value:
            raise ValueError(f"text input {cid!r} is required")
        if comp.get("max_length") is not None and len(value) > comp["max_length"]:
            raise ValueError(f"text input {cid!r} is longer than {comp['max_length']}")
        if value and comp.get("min_length") is not None and len(value) < comp["min_length"]:
            raise ValueError(f"text input {cid!r} is shorter than {comp['min_length']}")
        return {"type": 4, "custom_id": cid, "value": value}
    if t in (3, 5, 6, 7, 8):
        picked = values.pop(cid, None) if cid else None
        if isinstance(picked, str | int):  # one value given plainly: "yes"
            picked = [picked]
        return {"type": t, "custom_id": cid, "values": [str(v) for v in (picked or [])]}
    return {k: v for k, v in comp.items() if k in ("type", "id")}
