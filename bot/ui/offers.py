"""The offer of a peer in a DM to Kindred ("I need to talk", "I need to see a therapist"): a
"Talk to a peer in <server>" button per server the writer shares with Kindred where peer
support is set up and they may ask (never a server they don't share), at most five, and the
words above them. Given alone by the Support cog, or under the Safety cog's reply when the
DM also says crisis words or asks for a respite or a warmline: one answer, not two."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import discord

from bot.services import Services
from bot.services.requests import BlockedError
from bot.services.requests.messages import (
    blocked_dm_text,
    intake_offer_text,
    no_shared_server_text,
    professional_no_server_text,
    professional_offer_text,
    talk_button_label,
)
from bot.ui.lookup import SHARED_LOOKUP_SECONDS, shared_guild_name
from bot.ui.requests import TalkToPeerButton

log = logging.getLogger("bot.ui")

MAX_OFFERED = 5  # buttons in one row


@dataclass
class PeerOffer:
    """The buttons offered (one per server) and the first server left out for a block."""

    buttons: list[TalkToPeerButton] = field(default_factory=list)
    blocked: tuple[int, str] | None = None


async def peer_offer(bot: discord.Client, services: Services, user_id: int, lang: str) -> PeerOffer:
    """A "Talk to a peer in <server>" button per server the writer shares with Kindred where
    peer support is set up and they may ask (the requests service's block rule), and the
    first server left out for a block (its id and name), if any."""
    requests = services.peers.requests
    offer = PeerOffer()
    for guild_id in await requests.support_guilds():
        name = await shared_guild_name(bot, guild_id, user_id)
        if name is None:
            continue
        try:
            await requests.refuse_blocked(guild_id, user_id)
        except BlockedError:
            offer.blocked = offer.blocked or (guild_id, name)
            continue
        item = TalkToPeerButton(guild_id, lang=lang)
        item.item.label = talk_button_label(name, lang)
        offer.buttons.append(item)
        if len(offer.buttons) == MAX_OFFERED:
            break
    return offer


async def peer_offer_within(
    bot: discord.Client,
    services: Services,
    user_id: int,
    lang: str,
    *,
    within: float = SHARED_LOOKUP_SECONDS,
) -> PeerOffer | None:
    """:func:`peer_offer`, bounded in time (a reply with crisis lines never waits on a slow
    or rate-limited Discord); None when it can't be told in time or the look-up failed."""
    try:
        return await asyncio.wait_for(peer_offer(bot, services, user_id, lang), within)
    except TimeoutError:
        log.info("could not tell in time where a DM's writer may ask a peer")
    except Exception:
        log.exception("the offer of a peer could not be looked up")
    return None


def offer_text(offer: PeerOffer, lang: str, *, professional: bool = False) -> str:
    """The words above the offer's buttons: the offer of a peer (to a wish for a therapist,
    first that Kindred can't connect them with one); with no button, the kind answer to a
    member blocked where they'd be offered (the lines follow it), or that no server with
    peer support is shared."""
    if offer.buttons:
        return (professional_offer_text if professional else intake_offer_text)(lang)
    if offer.blocked is not None:
        return blocked_dm_text(offer.blocked[1], lang)
    return (professional_no_server_text if professional else no_shared_server_text)(lang)
