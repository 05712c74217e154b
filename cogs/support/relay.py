"""The anonymous DM relay: a peer's words in their relay thread go to the member by DM, and
the member's DMs to the peer's thread, whole (a long message goes as several, each under its
label); only words go, and whoever sends a picture, file or sticker is told it wasn't passed
on. A DM like "I need to talk" (in any language Kindred speaks) from someone without a
conversation gets the request form for each server they share with Kindred (and one asking
for a therapist or counsellor the same, said honestly: Kindred can't connect them with one);
a DM while their relayed request still waits for a peer gets an honest note (once, then at
most every ten minutes). A conversation whose thread is deleted (or found gone when the
member writes) goes back to the queue: the member, the peer who held it and the on-duty peers
are told."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.requests import (
    PICKED_UP,
    TO_MEMBER,
    TO_PEER,
    GoneConversation,
    PendingRelay,
    RelayBacklog,
    RequestRow,
    TimerRow,
)
from bot.services.requests import notices as say
from bot.services.requests.messages import waiting_text
from bot.text import prefixed_messages
from bot.ui.lookup import find_channel, find_user, shared_guild_name
from bot.ui.replies import reader_language
from bot.ui.requests import PING_USERS, member_label
from cogs.support.offers import MAX_OFFERED, IntakeOffers
from cogs.support.views import RelayChoiceButton, conversation_view, mentions

log = logging.getLogger(__name__)

# Notes to the peer in their relay thread, as a reply to the words they concern (English, as
# Kindred's other posts in a conversation thread).
CLOSED_NOTE = "I couldn't deliver that: the member's DMs seem closed."
REFUSED_NOTE = (
    "I couldn't deliver that: Discord kept refusing it for a while, so the member hasn't "
    "seen it. You can send it again."
)
PICKED_UP_REFUSED_NOTE = (
    "I couldn't tell the member you picked up their request: Discord kept refusing it for a "
    "while. What you write here is still relayed to them."
)
ENDED_NOTE = (
    "I couldn't deliver that: the conversation ended before Discord took it, so the member "
    "hasn't seen it."
)
# Only words are relayed: a file can carry what the sender didn't mean to share (its name, where
# a photo was taken: the member's anonymity), show the reader an image with no warning, and
# stay on Discord's servers after /forgetme deleted the copy.
WORDS_ONLY_NOTE = (
    "I pass only words on to the member, so they haven't seen the picture, file or sticker "
    "in this message. If it matters, you could describe it in words."
)

# What became of one waiting message when it was tried again (RelayRoom._retry_one).
DONE, WAIT, ENDED, GONE = "done", "wait", "ended", "gone"


class _Stopped(Exception):
    """Discord refused a relayed message after ``sent`` of its parts went through."""

    def __init__(self, sent: int, error: Exception) -> None:
        super().__init__(sent, error)
        self.sent = sent
        self.error = error

    @property
    def status(self) -> int | None:
        return getattr(self.error, "status", None)


def _transient(error: Exception) -> bool:
    """Discord failing for a moment (rate limits beyond discord.py's own retries, 5xx): the
    message waits and is tried again. Anything else is a refusal that trying again won't
    change."""
    if isinstance(error, discord.RateLimited):
        return True
    return isinstance(error, discord.HTTPException) and (error.status == 429 or error.status >= 500)


def _refusal_note(status: int | None) -> str:
    """Why a peer's words were refused outright: only a 403 means the member's DMs are
    closed."""
    if status == 403:
        return CLOSED_NOTE
    return "I couldn't deliver that: Discord refused it, so the member hasn't seen it."


def not_words(message: discord.Message) -> bool:
    """The message carries a file or a sticker (not passed on: only words are)."""
    return bool(message.attachments or message.stickers)


async def _send_parts(
    send: Callable[[str], Awaitable[object]], parts: list[str], sent: int
) -> None:
    for index in range(sent, len(parts)):
        try:
            await send(parts[index])
        except (discord.HTTPException, discord.RateLimited) as exc:
            raise _Stopped(index, exc) from exc


async def send_picked_up(
    bot: discord.Client, services: Services, request: RequestRow
) -> discord.Message:
    """Tell the member of a relayed ``request`` in their language that a peer picked it up,
    with the Close and transcript buttons; Discord's errors are the caller's."""
    member = await find_user(bot, request.requester_id)
    lang = await services.peers.requests.language_for(request)
    return await member.send(
        say.relay_picked_up_text(request.id, request.anonymous, lang),
        view=conversation_view(request.id, transcript=True, lang=lang),
    )


def picked_up_refused_text(request_id: int, status: int | None) -> str:
    """The moderators' note when the member can't be told a peer picked up their request:
    closed DMs only when Discord says so (403)."""
    if status == 403:
        return f"I can't DM the member of request #{request_id} (their DMs may be closed)."
    return f"I can't DM the member of request #{request_id}: Discord refused it ({status})."


async def _note(channel: object, message_id: int | None, text: str) -> None:
    """Tell the writer (as a reply to their message when there is one); Discord failing
    too is logged by discord.py's caller and not retried."""
    reference = None
    if message_id is not None:
        reference = discord.MessageReference(
            message_id=message_id,
            channel_id=channel.id,  # type: ignore[attr-defined]
            fail_if_not_exists=False,
        )
    try:
        await channel.send(text, reference=reference)  # type: ignore[attr-defined]
    except (discord.HTTPException, discord.RateLimited) as exc:
        log.info("a relay note could not be sent (%s)", getattr(exc, "status", exc))


class RelayRoom(IntakeOffers):
    # DMs and thread messages only (dispatched by KindredBot beside on_message): ordinary
    # server chat never starts a task here.
    @commands.Cog.listener("on_kindred_conversation_message")
    async def on_conversation_message(self, message: discord.Message) -> None:
        if message.author.bot or not (message.content or not_words(message)):
            return
        if message.guild is None:
            await self._from_member_dm(message)
        elif isinstance(message.channel, discord.Thread):
            await self._from_thread(message)

    async def _from_thread(self, message: discord.Message) -> None:
        if await self._holder_left(message):
            return
        request = await self.requests.thread_message(
            message.channel.id, message.author.id, message.content, message.id
        )
        if request is None:
            return
        async with self.requests.relay_lock(request.id, TO_MEMBER):
            if await self.requests.closed_member_left(request.id):
                return  # its member left and can't be reached: the thread says so
            await self._pass_to_member(request, message)

    async def _pass_to_member(self, request: RequestRow, message: discord.Message) -> None:
        """The peer's words to the member (the lock is held); a file or sticker isn't passed
        on, and the peer is told so in reply to it."""
        if message.content:
            await self._carry_to_member(request, message)
        if not_words(message):
            await _note(message.channel, message.id, WORDS_ONLY_NOTE)

    async def _carry_to_member(self, request: RequestRow, message: discord.Message) -> None:
        """The peer's words to the member, after any still waiting (the lock is held)."""
        if await self.requests.relay_backlog(request.id, TO_MEMBER) is not None:
            # words before these still wait for Discord: these go after them
            await self.requests.hold_relay(request, TO_MEMBER, message.channel.id, message.id)
            return
        try:
            await self._to_member(request, message, 0)
        except _Stopped as stop:
            if _transient(stop.error):
                log.info("request %s: relay to the member held (%s)", request.id, stop.status)
                await self.requests.hold_relay(
                    request, TO_MEMBER, message.channel.id, message.id, stop.sent
                )
            else:
                await _note(message.channel, message.id, _refusal_note(stop.status))

    async def _to_member(self, request: RequestRow, message: discord.Message, sent: int) -> None:
        """The peer's ``message`` in the member's DMs, from its part ``sent`` on (the parts
        before went through already); _Stopped says how far it got and why not further."""
        try:
            member = await find_user(self.bot, request.requester_id)
        except (discord.HTTPException, discord.RateLimited) as exc:
            raise _Stopped(sent, exc) from exc
        lang = await self.requests.language_for(request)
        parts = prefixed_messages(say.relay_peer_prefix(lang), message.content)

        async def send(part: str) -> object:
            copy = await member.send(part)
            # a reply to it comes back here; an edit or deletion of the peer's words reaches it
            await self.requests.relayed_copy(request, copy.id, message.id, copy.channel.id)
            return copy

        await _send_parts(send, parts, sent)

    async def _holder_left(self, message: discord.Message) -> bool:
        """A message in a conversation thread shows whether its peer is still a peer: their own
        carries their roles; the member's has their peer looked up now and then. True when the
        request went back to the queue (the ex-peer's words then go no further)."""
        request = await self.requests.by_thread(message.channel.id)
        if request is None or request.claimed_by is None:
            return False
        if message.author.id != request.claimed_by:
            return await self._holder_gone(request.id, member_wrote=True)
        if not isinstance(message.author, discord.Member):
            return False  # their roles didn't come with it
        role_ids = [role.id for role in message.author.roles]
        return await self._check_holder_roles(request.id, message.author.id, role_ids)

    async def _from_member_dm(self, message: discord.Message) -> None:
        reply_to = message.reference.message_id if message.reference is not None else None
        route = await self.requests.route_dm(
            message.author.id, message.content, message.id, reply_to
        )
        if route.choose:
            await self._ask_which(message, route.choose)
        elif route.relay_to is not None:
            request = route.relay_to
            if await self._holder_gone(request.id, member_wrote=True):
                return  # not to the ex-peer: the member is told it's back in the queue
            await self._to_relay_thread(message, request)
        elif route.waiting is not None:
            lang = await self.requests.language_for(route.waiting, route.lang)
            await message.channel.send(waiting_text(route.waiting.id, route.position, lang))
        elif route.offer_intake or route.professional:
            if self.services.safety.decides_dm_pleas():
                return  # one answer: the Safety cog's reply, or kindred_unanswered_dm's offer
            lang = await self.services.safety.language_for(message.author.id, route.lang)
            await self._offer_intake(message, lang, professional=route.professional)

    async def _ask_which(self, message: discord.Message, choose: Sequence[RequestRow]) -> None:
        """The member's DM is held: ask which of their relayed conversations it is for, with a
        button naming each one's server (never the peer), in the newest one's language (the
        one they chose with /language set, else the one they last asked in)."""
        newest = max(choose, key=lambda request: request.id)
        lang = await self.requests.language_for(newest)
        view = discord.ui.View(timeout=None)
        for request in choose[:MAX_OFFERED]:
            name = await shared_guild_name(self.bot, request.guild_id, message.author.id)
            label = name or say.relay_choice_label(request.id, lang)
            view.add_item(RelayChoiceButton(request.id, label))
        await message.channel.send(say.relay_which_text(lang), view=view)

    async def on_relay_choice(self, interaction: discord.Interaction, request_id: int) -> None:
        """The member chose the conversation for their held DMs: the question says where they
        went, then each is read again (ids only were kept) and carried there in order."""
        lang = await reader_language(interaction)
        request, held = await self.requests.choose_relay(interaction.user.id, request_id)
        if not held:
            text = say.relay_nothing_held_text(lang)
            await interaction.response.edit_message(content=text, view=None)
            return
        name = await shared_guild_name(self.bot, request.guild_id, interaction.user.id)
        text = say.relay_passed_on_text(name, request.id, lang)
        await interaction.response.edit_message(content=text, view=None)
        if await self._holder_gone(request.id, member_wrote=True):
            return  # not to the ex-peer: the member is told it's back in the queue
        dm = interaction.channel
        for message_id in held:
            try:
                message = await dm.fetch_message(message_id)  # type: ignore[union-attr]
            except discord.NotFound:
                continue  # deleted by the member meanwhile: withdrawn
            except (discord.HTTPException, discord.RateLimited):
                await _note(dm, message_id, say.relay_not_now_text(lang))
                continue
            if await self.requests.relay_chosen(request, message.id, message.content):
                await self._to_relay_thread(message, request)

    async def _to_relay_thread(self, message: discord.Message, request: RequestRow) -> None:
        """Carry the member's DM to the peer's relay thread, after any of their words still
        waiting for Discord. A thread that is gone (deleted and the event missed, a restart)
        gives the request back to the queue, and the member is told their words were not
        passed on; Discord refusing for a moment (429, 5xx) keeps the message waiting in a
        stored retry; refusing it outright (403), that it didn't go through now. Never
        silence: their words stay in their DMs either way. A picture, file or sticker is
        not passed on (only words are), and the member is told so in reply to it."""
        async with self.requests.relay_lock(request.id, TO_PEER):
            await self._pass_to_peer(message, request)

    async def _pass_to_peer(self, message: discord.Message, request: RequestRow) -> None:
        """The member's words to the peer (the lock is held); a file or sticker isn't passed
        on, and the member is told so in reply to it, in their language."""
        if message.content:
            await self._carry_to_peer(message, request)
        if not_words(message):
            lang = await self.requests.language_for(request)
            await _note(message.channel, message.id, say.relay_words_only_text(lang))

    async def _carry_to_peer(self, message: discord.Message, request: RequestRow) -> None:
        """The member's words to the peer, after any still waiting (the lock is held)."""
        if await self.requests.relay_backlog(request.id, TO_PEER) is not None:
            await self.requests.hold_relay(request, TO_PEER, message.channel.id, message.id)
            return
        try:
            if await self._to_peer(request, message, 0):
                return
        except _Stopped as stop:
            if _transient(stop.error):
                log.info("request %s: relay to the thread held (%s)", request.id, stop.status)
                await self.requests.hold_relay(
                    request, TO_PEER, message.channel.id, message.id, stop.sent
                )
                return
            if not isinstance(stop.error, discord.NotFound):
                log.info("request %s: relay to the thread failed (%s)", request.id, stop.status)
                lang = await self.requests.language_for(request)
                await _note(message.channel, None, say.relay_not_now_text(lang))
                return
        await self._thread_gone_under_member(request, message.channel)

    async def _to_peer(self, request: RequestRow, message: discord.Message, sent: int) -> bool:
        """The member's ``message`` in the peer's relay thread from its part ``sent`` on;
        False when the thread is gone (_Stopped: how far it got and why not further)."""
        try:
            thread = await find_channel(self.bot, request.thread_id, strict=True)
        except (discord.HTTPException, discord.RateLimited) as exc:
            raise _Stopped(sent, exc) from exc
        if thread is None:
            return False
        parts = prefixed_messages(f"**{member_label(request)}:** ", message.content)

        async def send(part: str) -> object:
            copy = await thread.send(part, allowed_mentions=discord.AllowedMentions.none())
            if not await self.requests.relayed_to_peer(request, copy.id, thread.id, message.id):
                with contextlib.suppress(discord.HTTPException):
                    await copy.delete()  # the member forgot meanwhile: their words go too
            return copy

        await _send_parts(send, parts, sent)
        return True

    async def _thread_gone_under_member(self, request: RequestRow, dm: object) -> None:
        """The relay thread is gone: the request goes back to the queue (once) and the member
        is told their words were not passed on."""
        gone = await self.requests.conversation_gone(request.thread_id)
        if gone is not None:
            await self._announce_gone(gone, tell_member=False)
        fresh = await self.requests.get(request.id)
        lang = await self.requests.language_for(request)
        await _note(dm, None, say.relay_undelivered_text(request.id, fresh.status == "open", lang))

    # -- words that waited for Discord ----------------------------------------------------------
    async def _on_relay_retry(self, timer: TimerRow) -> None:
        """A conversation's waiting words, tried again in the order they were written (read
        again from Discord by id: only ids were stored). What Discord refuses again waits
        longer, with what follows it; when the retries run out, or the conversation ended
        meanwhile, each writer is told which message did not reach the other person."""
        await self.bot.wait_until_ready()
        to = timer.payload["to"]
        async with self.requests.relay_lock(timer.payload["request_id"], to):
            backlog = await self.requests.on_relay_retry(timer)
            if backlog is None:
                return
            source = self.bot.get_partial_messageable(backlog.channel_id)
            request = await self.requests.relay_target(backlog.request_id)
            pending = list(backlog.pending)
            while pending and request is not None:
                step = await self._retry_one(request, to, source, pending[0])
                if step == WAIT:
                    break
                if step == ENDED:
                    request = None  # another peer holds it now: these words were for before
                    break
                if step == GONE:
                    await self.requests.relay_done(backlog.request_id, to)
                    await self._thread_gone_under_member(request, source)
                    return
                if isinstance(step, PendingRelay):
                    pending[0] = step  # part of it went through: the rest waits
                    break
                pending.pop(0)  # delivered, withdrawn, or its writer told why not
            await self._after_retry(backlog, request, source, pending)

    async def _retry_one(
        self, request: RequestRow, to: str, source: object, waiting: PendingRelay
    ) -> str | PendingRelay:
        """One waiting message, read again and carried on: DONE (delivered, withdrawn by its
        writer, or refused outright and its writer told), WAIT (Discord refused it for a
        moment again; a PendingRelay when some of its parts went through), ENDED (the peer
        changed) or GONE (the relay thread is gone)."""
        if to == TO_MEMBER and waiting.message_id == PICKED_UP:
            return await self._retry_picked_up(request)
        try:
            message = await source.fetch_message(waiting.message_id)  # type: ignore[attr-defined]
        except discord.NotFound:
            return DONE  # deleted by its writer meanwhile: withdrawn
        except (discord.HTTPException, discord.RateLimited) as exc:
            if _transient(exc):
                return WAIT
            log.info("request %s: a waiting relay can't be read (%s)", request.id, exc)
            return DONE
        if to == TO_MEMBER and message.author.id != request.claimed_by:
            return ENDED
        try:
            if to == TO_MEMBER:
                await self._to_member(request, message, waiting.sent)
            elif not await self._to_peer(request, message, waiting.sent):
                return GONE
            return DONE
        except _Stopped as stop:
            if _transient(stop.error):
                return PendingRelay(waiting.message_id, stop.sent) if stop.sent else WAIT
            if to == TO_MEMBER:
                await _note(source, waiting.message_id, _refusal_note(stop.status))
            elif isinstance(stop.error, discord.NotFound):
                return GONE
            else:
                lang = await self.requests.language_for(request)
                await _note(source, waiting.message_id, say.relay_not_now_text(lang))
            return DONE

    async def _retry_picked_up(self, request: RequestRow) -> str:
        """The member's "a peer picked up your request" DM, tried again: DONE (sent, or
        refused outright and the moderators told why) or WAIT. A conversation that ended
        while the DM was on its way (the member cancelled, a moderator closed it) takes it
        back: its Close and transcript buttons belong to a conversation that is over."""
        try:
            told = await send_picked_up(self.bot, self.services, request)
        except (discord.HTTPException, discord.RateLimited) as exc:
            if _transient(exc):
                return WAIT
            text = picked_up_refused_text(request.id, getattr(exc, "status", None))
            await self._tell_moderators(request.guild_id, text)
            return DONE
        if request.claimed_by is None or request.thread_id is None:
            return DONE
        if not await self.requests.conversation_goes_on(
            request.id, request.claimed_by, request.thread_id
        ):
            with contextlib.suppress(discord.HTTPException, discord.RateLimited):
                await told.delete()
        return DONE

    async def _after_retry(
        self,
        backlog: RelayBacklog,
        request: RequestRow | None,
        source: object,
        pending: list[PendingRelay],
    ) -> None:
        """All delivered: the retry is done. Some left: they wait longer, or (retries used up,
        or the conversation ended) each writer is told."""
        if not pending:
            await self.requests.relay_done(backlog.request_id, backlog.to)
            return
        if request is None:
            await self.requests.relay_done(backlog.request_id, backlog.to)
        else:
            if await self.requests.relay_retry_later(request.guild_id, backlog, tuple(pending)):
                return
            log.info(
                "request %s: %d relayed message(s) refused through every retry",
                backlog.request_id,
                len(pending),
            )
        await self._tell_undelivered(backlog, source, pending, ended=request is None)

    async def _tell_undelivered(
        self,
        backlog: RelayBacklog,
        source: object,
        pending: list[PendingRelay],
        *,
        ended: bool,
    ) -> None:
        """Each waiting message that won't reach the other person gets a reply saying so and
        why: in the peer's relay thread (English, as Kindred's other notes there), or in the
        member's DMs in their language."""
        if backlog.to == TO_MEMBER:
            text = ENDED_NOTE if ended else REFUSED_NOTE
        else:
            row = await self.requests.get(backlog.request_id)
            if row is None:
                return  # deleted with the member's data: nobody to tell
            lang = await self.requests.language_for(row)
            text = say.relay_ended_text(lang) if ended else say.relay_refused_text(lang)
        for waiting in pending:
            if backlog.to == TO_MEMBER and waiting.message_id == PICKED_UP:
                if not ended:
                    await _note(source, None, PICKED_UP_REFUSED_NOTE)
                continue
            await _note(source, waiting.message_id, text)

    # -- a conversation's thread deleted ----------------------------------------------------------
    @commands.Cog.listener("on_raw_thread_delete")
    async def on_thread_deleted(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A moderator deleted a conversation's thread (private or relay): the service gives
        the request back to the queue, and everyone concerned is told."""
        gone = await self.requests.conversation_gone(payload.thread_id)
        if gone is not None:
            await self._announce_gone(gone, tell_member=True)

    async def _announce_gone(self, gone: GoneConversation, *, tell_member: bool) -> None:
        """The card shows Claim again, the on-duty peers are pinged, the member (unless they are
        being answered already) is told by DM, then the peer who held it privately, reading
        whether the member could be told."""
        request = gone.request
        await self._refresh_card(request)
        channel = await find_channel(self.bot, request.card_channel_id)
        if channel is not None:
            with contextlib.suppress(discord.HTTPException):
                await channel.send(
                    (mentions(gone.ping) + " " if gone.ping else "")
                    + f"Request #{request.id} is back in the queue: its conversation thread "
                    "was deleted. It needs a peer.",
                    allowed_mentions=PING_USERS,
                )
        told = not tell_member  # else they are being answered already
        if tell_member:
            with contextlib.suppress(discord.HTTPException):
                member = await find_user(self.bot, request.requester_id)
                lang = await self.requests.language_for(request)
                await member.send(say.conversation_gone_member_text(request.id, lang))
                told = True
        with contextlib.suppress(discord.HTTPException):
            peer = await find_user(self.bot, gone.peer_id)
            lang = await self.services.safety.language_for(gone.peer_id)
            await peer.send(say.conversation_gone_peer_text(request.id, lang, told=told))
