"""What was written in a relayed conversation while Kindred was away (a restart): once it is
ready, each conversation's missed messages are read back from Discord and carried across in
order, the way they would have been live (after any still waiting for a retry, once each:
``relayed_messages``). The member's DMs in the process that receives DMs (shard 0), the
peer's relay thread in the one that receives its server's messages. Ids and counts only in
the logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

import discord
from discord.ext import commands

from bot.services.requests import CATCH_UP_MAX, TO_PEER, CatchUp, MissedRelay, RequestRow
from bot.services.requests import notices as say
from bot.ui.lookup import find_channel, find_user
from cogs.support.relay import RelayRoom, not_words

log = logging.getLogger(__name__)


class CatchUpRoom(RelayRoom):
    catch_up_task: asyncio.Task[None] | None = None
    started_at: datetime | None = None
    caught_up: asyncio.Event

    def mark_start(self) -> None:
        """Before the gateway connects: messages written later are live ones, not missed."""
        self.started_at = self.services.clock()
        self.caught_up = asyncio.Event()

    @commands.Cog.listener("on_ready")
    async def _catch_up_when_ready(self) -> None:
        if self.catch_up_task is None:  # once per start, not at every reconnection
            self.catch_up_task = asyncio.create_task(self.catch_up(), name="relay-catch-up")

    async def wait_caught_up(self) -> None:
        """Tests: wait until the start-up catch-up is over."""
        await self.caught_up.wait()

    async def catch_up(self) -> None:
        try:
            await self._catch_up_all()
        except Exception:
            log.exception("the relay catch-up after the start failed")
        finally:
            self.caught_up.set()

    async def _catch_up_all(self) -> None:
        retention = timedelta(days=self.services.privacy.retention_days)
        started = self.started_at or self.services.clock()
        carried = 0
        for catch_up in await self.requests.relay_catch_ups(retention, started):
            try:
                carried += await self._catch_up_one(catch_up)
            except (discord.HTTPException, discord.RateLimited) as exc:
                log.info(
                    "request %s: could not read back the relay to the %s (%s)",
                    catch_up.request.id,
                    catch_up.to,
                    getattr(exc, "status", exc),
                )
            except Exception:
                log.exception("request %s: catching up the relay failed", catch_up.request.id)
        if carried:
            log.info("relay catch-up: %d message(s) written while away carried across", carried)

    async def _catch_up_one(self, catch_up: CatchUp) -> int:
        """One conversation and direction (the member's DMs: all their relayed conversations
        at once): its missed messages, in order, under the locks that keep that direction in
        order (live messages arriving meanwhile wait behind). A DM held for the member's
        choice has them asked once, after the read back."""
        request = catch_up.request
        asking: list[tuple[discord.Message, tuple[RequestRow, ...]]] = []
        async with contextlib.AsyncExitStack() as locks:
            for each in sorted(catch_up.conversations, key=lambda r: r.id):
                await locks.enter_async_context(self.requests.relay_lock(each.id, catch_up.to))
            if catch_up.to == TO_PEER:
                member = await find_user(self.bot, request.requester_id)
                channel: object = member.dm_channel or await member.create_dm()
            else:
                channel = await find_channel(self.bot, request.thread_id, strict=True)
                if channel is None:
                    return 0  # the thread is gone: the member's next words find it so
            limit = 2 * CATCH_UP_MAX
            recent = [
                m
                async for m in channel.history(limit=limit)  # type: ignore[attr-defined]
            ]
            by_id = {m.id: m for m in recent}
            missed = await self.requests.relay_missed_all(
                catch_up, [(m.id, m.author.id) for m in recent], complete=len(recent) < limit
            )
            carried = 0
            done: int | None = 0
            for message_id in missed.ids:
                message = by_id[message_id]
                if not (message.content or not_words(message)):
                    continue  # nothing to carry or tell, as live
                if catch_up.to == TO_PEER:
                    done = await self._missed_from_member(message, catch_up, asking)
                else:
                    done = await self._missed_from_peer(message)
                if done is None:
                    break  # the conversation ended or changed hands
                carried += done
        for message, choose in asking:
            await self._ask_which(message, choose)
        if done is None:
            return carried
        if missed.lost:
            await self._tell_lost(catch_up, missed)
        return carried

    async def _tell_lost(self, catch_up: CatchUp, missed: MissedRelay) -> None:
        """Some missed words are beyond what a catch-up carries: never silently. The member is
        told privately in their language, the peer in the relay thread (English, as the
        thread's other notes; not when the member's DMs were read for two or more
        conversations: no peer is told of words that may not have been for them); counts
        only, never words, in the logs too."""
        request = catch_up.request
        log.info(
            "request %s: %d missed message(s) to the %s not carried%s",
            request.id,
            missed.left,
            catch_up.to,
            " (and maybe earlier ones)" if missed.unread else "",
        )
        lang = await self.requests.language_for(request)
        text = say.catch_up_lost_text(missed.left, at_least=missed.unread, lang=lang)
        told = True
        try:
            member = await find_user(self.bot, request.requester_id)
            await member.send(text)
        except discord.HTTPException as exc:
            log.info("request %s: the member could not be told (%s)", request.id, exc.status)
            told = False
        if len(catch_up.conversations) > 1:
            return  # which conversation those words were for is not known: no peer is told
        if missed.left and missed.unread:
            many = f"at least {missed.left}"
        elif missed.left:
            many = str(missed.left)
        else:
            many = "some"
        whose = "the member's messages" if catch_up.to == TO_PEER else "your messages"
        where = "here" if catch_up.to == TO_PEER else "to the member"
        # the peer reads whether the member was really told (the DM was tried first)
        again = {
            (True, True): "They have been told and may write again what matters.",
            (True, False): "Kindred couldn't tell them (their DMs may be closed), so you may "
            "want to ask them to write again what matters.",
            (False, True): "You may want to repeat what matters; they have been told too.",
            (False, False): "You may want to repeat what matters; Kindred couldn't tell them "
            "(their DMs may be closed).",
        }[(catch_up.to == TO_PEER, told)]
        note = (
            f"While Kindred was away, not all of {whose} could be carried {where}: {many} "
            f"could not. {again}"
        )
        try:
            thread = await find_channel(self.bot, request.thread_id, strict=True)
            if thread is not None:
                await thread.send(note, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.info("request %s: the peer could not be told (%s)", request.id, exc.status)

    async def _missed_from_member(
        self,
        message: discord.Message,
        catch_up: CatchUp,
        asking: list[tuple[discord.Message, tuple[RequestRow, ...]]],
    ) -> int | None:
        """A DM written while away, as a live one (_from_member_dm), the locks held: a reply
        to its conversation; with two or more going on any other held (``asking``: the member
        is to be asked which conversation it is for, once)."""
        reply_to = message.reference.message_id if message.reference is not None else None
        route = await self.requests.route_dm(
            message.author.id, message.content, message.id, reply_to
        )
        if route.choose:
            asking.append((message, route.choose))
        request = route.relay_to
        if request is None or request.id not in {r.id for r in catch_up.conversations}:
            return None if request is not None else 0  # already carried, held (or elsewhere)
        if await self._holder_gone(request.id, member_wrote=True):
            return None
        await self._pass_to_peer(message, request)
        return 1

    async def _missed_from_peer(self, message: discord.Message) -> int | None:
        """The peer's words written while away, as live ones (_from_thread), the lock held."""
        if await self._holder_left(message):
            return None
        request = await self.requests.thread_message(
            message.channel.id, message.author.id, message.content, message.id
        )
        if request is None:
            return 0
        await self._pass_to_member(request, message)
        return 1
