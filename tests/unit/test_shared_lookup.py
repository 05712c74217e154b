"""bot/ui/lookup.py's only_shared_guild: the servers asked a few at once, the cache first
where it can tell (members intent), a rate limit or a slow Discord never holding the answer
back (None: no server's entries or button)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import discord

from bot.ui import lookup
from bot.ui.lookup import is_member, member_within, only_shared_guild

USER = 7


class FakeGuild:
    def __init__(self, guild_id: int, members: set[int], *, chunked: bool = False) -> None:
        self.id = guild_id
        self.members = members
        self.chunked = chunked

    def get_member(self, user_id: int):
        return object() if user_id in self.members else None


class FakeBot:
    def __init__(self, guilds, *, members_intent=False, delay=0.0, fail=None) -> None:
        self.guilds = guilds
        self.intents = SimpleNamespace(members=members_intent)
        self.delay, self.fail = delay, fail
        self.asked: list[int] = []
        self.in_flight = self.most_at_once = 0
        self.http = SimpleNamespace(get_member=self.get_member)

    def get_guild(self, guild_id: int):
        return next((g for g in self.guilds if g.id == guild_id), None)

    async def get_member(self, guild_id: int, user_id: int):
        self.asked.append(guild_id)
        self.in_flight += 1
        self.most_at_once = max(self.most_at_once, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.fail is not None:
                raise self.fail
            if user_id not in self.get_guild(guild_id).members:
                raise discord.NotFound(SimpleNamespace(status=404, reason="nf"), "unknown")
            return {"roles": []}
        finally:
            self.in_flight -= 1


async def test_a_rate_limit_longer_than_discord_py_waits_is_no_answer() -> None:
    bot = FakeBot([FakeGuild(1, {USER})], fail=discord.RateLimited(30.0))
    assert await is_member(bot, 1, USER) is None  # type: ignore[arg-type]
    assert await only_shared_guild(bot, USER) is None  # type: ignore[arg-type]


async def test_servers_are_asked_a_few_at_once() -> None:
    guilds = [FakeGuild(i, {USER} if i == 3 else set()) for i in range(1, 11)]
    bot = FakeBot(guilds, delay=0.05)
    assert await only_shared_guild(bot, USER, within=30) == 3  # type: ignore[arg-type]
    assert 1 < bot.most_at_once <= lookup.SHARED_LOOKUP_AT_ONCE
    assert sorted(bot.asked) == list(range(1, 11))


async def test_a_slow_discord_gives_none_in_time() -> None:
    bot = FakeBot([FakeGuild(1, {USER})], delay=30)
    started = asyncio.get_running_loop().time()
    assert await only_shared_guild(bot, USER, within=0.2) is None  # type: ignore[arg-type]
    assert asyncio.get_running_loop().time() - started < 5
    assert bot.in_flight == 0  # nothing left running


async def test_the_cache_answers_first_with_the_members_intent() -> None:
    guilds = [FakeGuild(1, {USER}, chunked=True), FakeGuild(2, set(), chunked=True)]
    bot = FakeBot(guilds, members_intent=True)
    assert await only_shared_guild(bot, USER) == 1  # type: ignore[arg-type]
    assert bot.asked == []
    # without the intent the cache proves nothing: Discord is asked
    bot = FakeBot(guilds)
    assert await only_shared_guild(bot, USER) == 1  # type: ignore[arg-type]
    assert sorted(bot.asked) == [1, 2]


async def test_two_shared_servers_are_none() -> None:
    bot = FakeBot([FakeGuild(1, {USER}), FakeGuild(2, {USER})])
    assert await only_shared_guild(bot, USER) is None  # type: ignore[arg-type]


async def test_one_servers_membership_is_told_in_bounded_time_the_cache_first() -> None:
    """member_within (the respite menu pressed in a DM): a slow Discord is no answer in
    time; the cache answers without asking where it can tell."""
    slow = FakeBot([FakeGuild(1, {USER})], delay=30)
    started = asyncio.get_running_loop().time()
    assert await member_within(slow, 1, USER, within=0.2) is None  # type: ignore[arg-type]
    assert asyncio.get_running_loop().time() - started < 5
    assert slow.in_flight == 0
    cached = FakeBot([FakeGuild(1, {USER}, chunked=True)], members_intent=True, delay=30)
    assert await member_within(cached, 1, USER, within=0.2) is True  # type: ignore[arg-type]
    assert await member_within(cached, 1, 8, within=0.2) is False  # type: ignore[arg-type]
    assert cached.asked == []
    asked = FakeBot([FakeGuild(1, {USER})])
    assert await member_within(asked, 1, USER) is True  # type: ignore[arg-type]
    assert await member_within(asked, 1, 8) is False  # type: ignore[arg-type]
