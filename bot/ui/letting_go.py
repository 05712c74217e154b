"""A request its peer no longer holds, back in the queue: the old conversation closed off
and the member told by DM.

Shared by every way a peer lets go of a request (Unclaim, the peer role lost, ``/forgetme``
in ``cogs/support/claims.py``; the shift-end hand-off in ``cogs/peers/views.py``), so each
ends the same way. The next peer who claims opens a new conversation.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

import discord

from bot.services.requests import RequestRow, RequestService
from bot.services.requests import notices as say
from bot.ui.lookup import find_channel, find_user

log = logging.getLogger(__name__)

#: A relay thread's last note (the peer's alone: English).
RELAY_RETIRED = (
    "The peer in this conversation can't continue, so the request is back in the queue. This "
    "relay is closed; the member's messages no longer come here."
)


async def let_go(
    client: discord.Client,
    requests: RequestService,
    request: RequestRow,
    ex_peer: int,
    member_text: Callable[[int, str], str],
    *,
    relay_note: bool = False,
) -> None:
    """The old conversation closed off (``retire_conversation``), then the member told by DM
    in their language (``member_text(request_id, lang)``); a member who can't be DMed is
    left be."""
    await retire_conversation(client, requests, request, ex_peer, relay_note=relay_note)
    with contextlib.suppress(discord.HTTPException):
        member = await find_user(client, request.requester_id)
        lang = await requests.language_for(request)
        await member.send(member_text(request.id, lang))


async def retire_conversation(
    client: discord.Client,
    requests: RequestService,
    request: RequestRow,
    ex_peer: int,
    *,
    relay_note: bool = False,
) -> None:
    """The old thread (or relay thread): a last line (in a relay thread only with
    ``relay_note``), the ex-peer out, archived and locked."""
    thread = await find_channel(client, request.thread_id)
    if not isinstance(thread, discord.Thread):
        return
    try:
        if not request.relay:
            # the member reads it too: the request's language, then the English
            lang = await requests.language_for(request)
            await thread.send(say.thread_retired_text(lang))
        elif relay_note:
            await thread.send(RELAY_RETIRED)
        # one who left the server is out of its threads already (Discord may say so)
        with contextlib.suppress(discord.NotFound):
            await thread.remove_user(discord.Object(ex_peer))
        await thread.edit(archived=True, locked=True)
    except discord.HTTPException as exc:
        log.info("could not close off thread %s: %s", request.thread_id, exc.status)
