"""Routes for answering interactions: the callback, then the interaction webhook (followups and
reading, editing or deleting the original response or a followup)."""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import RestError, invalid_form
from ..interactions import CallbackType, Interaction, InteractionResponse, InteractionType
from ..models import JSON, Attachment, Message, MessageFlags
from ..routing import Req, RouteTable
from ..validation import validate_autocomplete, validate_message_body, validate_modal
from .host import SEND_FLAGS, RestHost

routes = RouteTable()

WEBHOOK = "/webhooks/{application_id}/{interaction_token}"

#: Callback types Discord accepts for each interaction type.
VALID_CALLBACKS = {
    InteractionType.APPLICATION_COMMAND: {4, 5, 9},
    InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    InteractionType.MODAL_SUBMIT: {4, 5, 6, 7},
    InteractionType.AUTOCOMPLETE: {8},
}


def _interaction(emu: RestHost, req: Req, id_key: str, token_key: str) -> Interaction:
    it = None
    if id_key == "interaction_id":
        it = emu.interactions.get(req.int_param(id_key))
    elif str(req.params[id_key]) == str(emu.application_id):
        it = next((i for i in emu.interactions.values() if i.token == req.params[token_key]), None)
    if it is None or it.token != req.params[token_key]:
        raise RestError(
            404,
            10062 if id_key == "interaction_id" else 10015,
            "Unknown interaction" if id_key == "interaction_id" else "Unknown Webhook",
        )
    return it


def _interaction_message(
    emu: RestHost, it: Interaction, body: JSON, files: list[Attachment], *, flags: int
) -> Message:
    validate_message_body(body, files, partial=False)
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


# ---------------------------------------------------------------- the callback


@routes("POST", "/interactions/{interaction_id}/{interaction_token}/callback", auth=False)
async def interaction_callback(emu: RestHost, req: Req) -> Any:
    it = _interaction(emu, req, "interaction_id", "interaction_token")
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
    _check_callback_type(it, ctype)
    message = _apply_callback(emu, it, ctype, data, req.files)
    it.callback = InteractionResponse(type=ctype, data=data, message=message)
    emu._notify()
    if req.query.get("with_response") not in ("1", "true", "True"):
        return None
    return _callback_result(emu, it, ctype, message)


def _check_callback_type(it: Interaction, ctype: int) -> None:
    valid = VALID_CALLBACKS.get(it.type, set())
    if it.type == InteractionType.MODAL_SUBMIT and it.message is None and ctype in (6, 7):
        valid = set()
    if ctype not in valid:
        raise invalid_form(
            "type",
            "INTERACTION_RESPONSE_TYPE_INVALID",
            f"Callback type {ctype} is not valid for interaction type {it.type}",
        )


def _apply_callback(
    emu: RestHost, it: Interaction, ctype: int, data: JSON, files: list[Attachment]
) -> Message | None:
    """Carry out a callback; the message it created or updated, if any."""
    if ctype == CallbackType.CHANNEL_MESSAGE:
        flags = int(data.get("flags") or 0) & (MessageFlags.EPHEMERAL | SEND_FLAGS)
        message = _interaction_message(emu, it, data, files, flags=flags)
        emu._store_message(message)
        it.original = message
        return message
    if ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE:
        return _defer_message(emu, it, data)
    if ctype in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
        target = it.message
        if target is None:
            raise RestError(400, 50035, "Invalid Form Body")
        if ctype == CallbackType.UPDATE_MESSAGE:
            validate_message_body(data, files, partial=True)
            emu._apply_edit(target, data, files)
            emu._dispatch_message_update(target)
        it.original = target
        return target
    if ctype == CallbackType.AUTOCOMPLETE_RESULT:
        validate_autocomplete(data)
    elif ctype == CallbackType.MODAL:
        validate_modal(data)
        it.modal = data
    return None


def _defer_message(emu: RestHost, it: Interaction, data: JSON) -> Message:
    """The loading ("Kindred is thinking...") message of a deferred channel message."""
    flags = (int(data.get("flags") or 0) & MessageFlags.EPHEMERAL) | MessageFlags.LOADING
    m = emu._build_message(it.channel, emu.bot_user, {"flags": flags}, [])
    m.flags = flags
    m.webhook_id = m.application_id = emu.application_id
    m.interaction_id = it.id
    m.type = 20 if it.type == InteractionType.APPLICATION_COMMAND else 0
    emu._store_message(m)
    it.original = m
    return m


def _callback_result(emu: RestHost, it: Interaction, ctype: int, message: Message | None) -> JSON:
    """The ``?with_response=true`` answer of a callback."""
    result: JSON = {
        "interaction": {
            "id": str(it.id),
            "type": it.type,
            "response_message_id": str(message.id) if message is not None else None,
            "response_message_loading": ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(message.ephemeral) if message is not None else False,
        }
    }
    if message is not None:
        result["resource"] = {"type": ctype, "message": emu.message_payload(message)}
    elif ctype != CallbackType.DEFERRED_UPDATE_MESSAGE:
        result["resource"] = {"type": ctype}
    return result


# ---------------------------------------------------------------- the interaction webhook


def _webhook_message(emu: RestHost, it: Interaction, req: Req) -> Message:
    mid = req.params["message_id"]
    if mid == "@original":
        if it.original is None:
            raise RestError(404, 10008, "Unknown Message")
        return it.original
    m = emu.messages.get(int(mid)) if mid.isdigit() else None
    if m is None or m.deleted or (m.interaction_id != it.id and m is not it.original):
        raise RestError(404, 10008, "Unknown Message")
    return m


@routes("POST", WEBHOOK, auth=False)
async def followup(emu: RestHost, req: Req) -> Any:
    it = _interaction(emu, req, "application_id", "interaction_token")
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
        validate_message_body(body, req.files, partial=False)
        emu._apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, req.files)
        emu._dispatch_message_update(original)
        it.followup_messages.append(original)
        emu._notify()
        return emu.message_payload(original)
    flags = int(body.get("flags") or 0) & (MessageFlags.EPHEMERAL | SEND_FLAGS)
    m = _interaction_message(emu, it, body, req.files, flags=flags)
    m.type = 0
    emu._store_message(m)
    it.followup_messages.append(m)
    emu._notify()
    if req.query.get("wait") in ("1", "true", "True"):
        return emu.message_payload(m)
    return None


@routes("GET", WEBHOOK + "/messages/{message_id}", auth=False)
async def get_webhook_message(emu: RestHost, req: Req) -> Any:
    it = _interaction(emu, req, "application_id", "interaction_token")
    return emu.message_payload(_webhook_message(emu, it, req))


@routes("PATCH", WEBHOOK + "/messages/{message_id}", auth=False)
async def edit_webhook_message(emu: RestHost, req: Req) -> Any:
    it = _interaction(emu, req, "application_id", "interaction_token")
    m = _webhook_message(emu, it, req)
    body = req.body()
    validate_message_body(body, req.files, partial=True)
    emu._apply_edit(m, body, req.files)
    emu._dispatch_message_update(m)
    return emu.message_payload(m)


@routes("DELETE", WEBHOOK + "/messages/{message_id}", auth=False)
async def delete_webhook_message(emu: RestHost, req: Req) -> Any:
    it = _interaction(emu, req, "application_id", "interaction_token")
    emu._delete_message(_webhook_message(emu, it, req))
