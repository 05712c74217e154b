"""Channels and users from discord.py's cache, else one REST call."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

#: Discord's JSON error code for a thread that is archived: a message there can't be edited
#: or deleted (nor sent, by those who can't manage threads) until it is unarchived.
ARCHIVED_THREAD = 50083


async def find_channel(
    bot: discord.Client, channel_id: int | None, *, strict: bool = False
) -> Any | None:
    """The channel, or None when it is gone or hidden from the bot.

    Other Discord failures (5xx, rate limits) also give None, unless ``strict``: callers that
    must tell "the channel is gone" (pause and tell moderators) from "Discord is down" (try
    again later) pass ``strict=True`` and get the exception.
    """
    if channel_id is None:
        return None
    channel = bot.get_channel(channel_id)
    if channel is not None:
        return channel
    try:
        return await bot.fetch_channel(channel_id)
    except (discord.NotFound, discord.Forbidden):
        return None
    except discord.HTTPException:
        if strict:
            raise
        return None


async def find_user(bot: discord.Client, user_id: int) -> discord.User:
    """From the cache when discord.py has seen the user, else one REST call."""
    return bot.get_user(user_id) or await bot.fetch_user(user_id)


async def shared_guild_name(bot: discord.Client, guild_id: int, user_id: int) -> str | None:
    """The server's name when ``user_id`` is a member of it, else None (or when Discord fails).

    Without the members intent membership is asked of Discord either way. A server this process
    has in its cache gives its name from there; in a cluster a DM reaches the process owning
    shard 0, which does not have the other processes' servers: their name is one more call."""
    guild = bot.get_guild(guild_id)
    try:
        if guild is not None:
            await guild.fetch_member(user_id)
            return guild.name
        await bot.http.get_member(guild_id, user_id)
        return (await bot.fetch_guild(guild_id, with_counts=False)).name
    except discord.HTTPException:
        return None


async def member_role_ids(bot: discord.Client, guild_id: int, user_id: int) -> list[int] | None:
    """The member's roles as Discord has them now; None when they are not a member of the
    server any more (left, kicked, banned).

    Always one REST call: without the members intent discord.py is never told of role changes,
    so a cached member (``guild.get_member``) can still show a role taken away since. Other
    failures (5xx, rate limits) raise, so that a caller never mistakes Discord being down for
    someone having left."""
    try:
        data = await bot.http.get_member(guild_id, user_id)
    except discord.NotFound:
        return None
    return [int(role_id) for role_id in data.get("roles", [])]


async def gone_as_peer(bot: discord.Client, guild_id: int, user_id: int) -> bool:
    """Look up someone Kindred takes for a peer (a removed role goes unseen without the
    members intent). Without the peer role, or out of the server, they lose it as at a peer
    action (off duty, what they held back in the queue, announced with the
    ``kindred_requests_requeued`` event) and this is True. Discord failing to answer says
    nothing about them: False."""
    try:
        role_ids = await member_role_ids(bot, guild_id, user_id)
    except discord.HTTPException as exc:
        log.info("could not look a peer up (%s)", exc.status)
        return False
    requests = bot.services.peers.requests  # type: ignore[attr-defined]
    requeued = await requests.check_on_duty(guild_id, user_id, role_ids)
    if requeued:
        bot.dispatch("kindred_requests_requeued", requeued, user_id)
    return requeued is not None


async def is_member(bot: discord.Client, guild_id: int, user_id: int) -> bool | None:
    """Whether ``user_id`` is a member of the server now (one REST call: without the members
    intent Kindred is not told when someone leaves); None when Discord fails to answer."""
    try:
        await bot.http.get_member(guild_id, user_id)
    except discord.NotFound:
        return False
    except discord.HTTPException as exc:
        log.info("could not look a member up (%s)", exc.status)
        return None
    except discord.RateLimited as exc:  # a wait longer than discord.py's limit: no answer
        log.info("could not look a member up (rate limited for %.0f s)", exc.retry_after)
        return None
    return True


async def is_banned(bot: discord.Client, guild_id: int, user_id: int) -> bool | None:
    """Whether the server banned ``user_id`` (one REST call); None when Discord can't say,
    as when Kindred lacks Ban Members there (the invite doesn't ask for it)."""
    try:
        await bot.http.get_ban(user_id, guild_id)
    except discord.NotFound:
        return False
    except (discord.HTTPException, discord.RateLimited) as exc:
        log.info("could not look a ban up (%s)", exc)
        return None
    return True


def cached_membership(bot: discord.Client, guild_id: int, user_id: int) -> bool | None:
    """Whether ``user_id`` is a member of the server as discord.py's cache can tell without
    asking Discord: only with the members intent (without it no one's leaving is seen, so the
    cache proves nothing); None when the cache can't tell."""
    guild = bot.get_guild(guild_id)
    if guild is None or not bot.intents.members:
        return None
    if guild.get_member(user_id) is not None:
        return True
    return False if guild.chunked else None


async def kindred_guild_ids(bot: discord.Client) -> list[int]:
    """The servers Kindred is in, as far as this process can tell cheaply: its own; in a
    cluster (other processes hold other shards) also every server where peer support is set
    up (from the settings everyone shares)."""
    ids = [guild.id for guild in bot.guilds]
    shard_ids = getattr(bot, "shard_ids", None)
    if shard_ids is not None and len(shard_ids) < (bot.shard_count or 1):
        from bot.services.peers.settings import PeerSettings

        settings = bot.services.settings  # type: ignore[attr-defined]
        ids += await settings.guilds_with(PeerSettings, "peer_role_id")
    return list(dict.fromkeys(ids))


#: How long a DM answer waits for :func:`only_shared_guild` (Discord gives an interaction 3 s
#: to be answered; a crisis reply never waits long), and how many servers it asks at once.
SHARED_LOOKUP_SECONDS = 1.5
SHARED_LOOKUP_AT_ONCE = 4


async def only_shared_guild(
    bot: discord.Client, user_id: int, *, within: float = SHARED_LOOKUP_SECONDS
) -> int | None:
    """For something asked for or answered by DM (a need, a mood on a check-in set up in a
    DM): the one server the member shares with Kindred, whose own entries and peer button
    the answer may show; None with none or several (which community they mean is theirs to
    say) or when Discord cannot tell within ``within`` seconds (a slow or rate-limited
    Discord never holds the answer back). The cache answers where it can (members intent);
    other servers are asked of Discord, a few at once."""
    try:
        return await asyncio.wait_for(_only_shared_guild(bot, user_id), within)
    except TimeoutError:
        log.info("could not tell a member's shared server in time")
        return None


async def member_within(
    bot: discord.Client, guild_id: int, user_id: int, *, within: float = SHARED_LOOKUP_SECONDS
) -> bool | None:
    """Whether ``user_id`` is a member of the server, for an answer that can't wait (an
    interaction in a DM): the cache where it can tell (members intent), else :func:`is_member`
    bounded by ``within`` seconds, as :func:`only_shared_guild` asks; None when Discord can't
    tell in time (a slow or rate-limited Discord never holds the answer back)."""
    cached = cached_membership(bot, guild_id, user_id)
    if cached is not None:
        return cached
    try:
        return await asyncio.wait_for(is_member(bot, guild_id, user_id), within)
    except TimeoutError:
        log.info("could not look a member up in time")
        return None


async def _only_shared_guild(bot: discord.Client, user_id: int) -> int | None:
    shared: list[int] = []
    to_ask: list[int] = []
    for guild_id in await kindred_guild_ids(bot):
        cached = cached_membership(bot, guild_id, user_id)
        if cached is None:
            to_ask.append(guild_id)
        elif cached:
            shared.append(guild_id)
    if len(shared) > 1:
        return None
    gate = asyncio.Semaphore(SHARED_LOOKUP_AT_ONCE)

    async def ask(guild_id: int) -> tuple[int, bool | None]:
        async with gate:
            return guild_id, await is_member(bot, guild_id, user_id)

    tasks = [asyncio.ensure_future(ask(guild_id)) for guild_id in to_ask]
    try:
        for done in asyncio.as_completed(tasks):
            guild_id, found = await done
            if found is None:
                return None
            if found:
                shared.append(guild_id)
                if len(shared) > 1:
                    return None
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
    return shared[0] if shared else None


async def share_a_server(
    bot: discord.Client, user_id: int, other_id: int, *, skip: int | None = None
) -> bool | None:
    """Whether both are members of one server Kindred is in (``skip``: one already asked).
    Each server is asked about ``other_id`` first, then ``user_id``, until one has both.
    False only when every server answered; None when Discord failed for one and none had
    both (Discord being down says nothing about who left)."""
    unsure = False
    for guild_id in await kindred_guild_ids(bot):
        if guild_id == skip:
            continue
        for someone in (other_id, user_id):
            found = await is_member(bot, guild_id, someone)
            if not found:
                unsure = unsure or found is None
                break
        else:
            return True
    return None if unsure else False
