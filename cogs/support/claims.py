"""The request buttons: claim, unclaim, transfer, backup, close and transcript, and what
follows a transfer (the hand-over) and a close (archive, transcript, feedback, thanks).

Every button carries its request id (``bot.ui.requests.RequestButton``) and lands in
``on_request_button``; the service decides whether the action may happen.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable

import discord
from discord.ext import commands

from bot.errors import ConflictError, KindredError
from bot.services.requests import (
    ForgottenRequests,
    NoLongerAPeerError,
    NotAPeerError,
    RequestRow,
    Requeued,
    thread_transcript,
    transcript_messages,
)
from bot.services.requests import notices as say
from bot.services.requests.rules import TRANSCRIPT_HISTORY_MAX, latest_lines
from bot.ui.checks import is_moderator
from bot.ui.letting_go import let_go
from bot.ui.lookup import find_channel, find_user, member_role_ids
from bot.ui.replies import reader_language, send_private
from bot.ui.requests import PING_USERS
from cogs.support.conversation import ConversationRoom
from cogs.support.views import feedback_view, mentions, transfer_view

log = logging.getLogger(__name__)


class ClaimsRoom(ConversationRoom):
    async def on_request_button(
        self, interaction: discord.Interaction, action: str, request_id: int
    ) -> None:
        if action == "close":
            await self._close(
                interaction, await self.requests.to_close_here(request_id, interaction.guild_id)
            )
            return
        request = await self.requests.get_here(request_id, interaction.guild_id)
        if action == "transcript":
            asked = await self.requests.request_transcript(request_id, interaction.user.id)
            if asked.live:
                # only the member may ask: the request's language, as its transcript
                lang = await self.requests.language_for(asked)
                await send_private(interaction, say.transcript_later_text(lang))
            else:
                await self._transcript_now(interaction, asked)
            return
        await self._require_peer(interaction, request.guild_id)
        peer_actions = {
            "claim": self.claim,
            "unclaim": self._unclaim,
            "transfer": self._offer_transfer,
            "backup": self._backup,
        }
        if action in peer_actions:
            try:
                await peer_actions[action](interaction, request)
            except ConflictError:
                # the card showed buttons its request no longer has (it closed, or was taken,
                # meanwhile, or while Kindred was away from the server): shown as it is now
                with contextlib.suppress(KindredError):
                    await self._refresh_card(await self.requests.get(request.id))
                raise

    async def _require_peer(self, interaction: discord.Interaction, guild_id: int) -> None:
        member = interaction.user
        role_ids = [r.id for r in member.roles] if isinstance(member, discord.Member) else None
        try:
            await self.requests.require_peer(guild_id, member.id, role_ids)
        except NotAPeerError as lost:
            # What they held is back in the queue: the listener below says so (in a task of its
            # own, so the refusal is answered in time).
            if lost.requeued:
                self.bot.dispatch("kindred_requests_requeued", lost.requeued, member.id)
            raise

    # -- requests given back because their peer lost the peer role ------------------------------
    @commands.Cog.listener("on_kindred_requests_requeued")
    async def on_requests_requeued(self, requeued: list[Requeued], ex_peer: int) -> None:
        """Requests whose peer is no longer a peer supporter (found at a request button, a peer
        command, a look-up at one of the request's timers or a message in its conversation):
        each is open again, so its card
        shows Claim, the on-duty peers are pinged, the member is told kindly, and the old
        conversation, which the ex-peer should no longer read, is closed off."""
        await self._requeue(requeued, ex_peer, say.requeued_member_text)

    async def _requeue(
        self,
        requeued: Iterable[Requeued],
        ex_peer: int,
        member_text: Callable[[int, str], str],
        *,
        relay_note: bool = False,
    ) -> None:
        for back in requeued:
            request = back.request
            await self._refresh_card(request)
            channel = await find_channel(self.bot, request.card_channel_id)
            if channel is not None:
                with contextlib.suppress(discord.HTTPException):
                    await channel.send(
                        (mentions(back.ping) + " " if back.ping else "")
                        + f"Request #{request.id} is back in the queue: the peer who held it "
                        "can't continue. It needs a peer.",
                        allowed_mentions=PING_USERS,
                    )
            await self._let_go(request, ex_peer, member_text, relay_note=relay_note)

    async def _let_go(
        self,
        request: RequestRow,
        ex_peer: int,
        member_text: Callable[[int, str], str],
        *,
        relay_note: bool = False,
    ) -> None:
        """A request its peer no longer holds (back in the queue): the old conversation closed
        off, then the member told by DM in their language (``bot.ui.letting_go``, shared with
        the shift-end hand-off)."""
        await let_go(self.bot, self.requests, request, ex_peer, member_text, relay_note=relay_note)

    # -- peers' actions -----------------------------------------------------------------------
    async def claim(self, interaction: discord.Interaction, request: RequestRow) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        claimed = await self.requests.claim(request.id, interaction.user.id)
        lang = await reader_language(interaction)
        where = await self._open_conversation(claimed, interaction.user.id, lang)
        await self._refresh_card(claimed)
        await interaction.followup.send(say.claimed_text(claimed.id, where, lang), ephemeral=True)

    async def _unclaim(self, interaction: discord.Interaction, request: RequestRow) -> None:
        back = await self.requests.release(request.id, interaction.user.id)
        await send_private(interaction, say.unclaimed_text(await reader_language(interaction)))
        await self._refresh_card(back.request)
        channel = await find_channel(self.bot, back.request.card_channel_id)
        if channel is not None and back.ping:
            await channel.send(
                mentions(back.ping)
                + f" Request #{back.request.id} is back in the queue and needs a peer.",
                allowed_mentions=PING_USERS,
            )
        # as when a peer can't continue for any other reason: the member told, the old
        # conversation closed off (the next claim opens a new one)
        await self._let_go(
            back.request, interaction.user.id, say.requeued_member_text, relay_note=True
        )

    async def _offer_transfer(self, interaction: discord.Interaction, request: RequestRow) -> None:
        self.requests.check_transfer(request, interaction.user.id)
        lang = await reader_language(interaction)
        await send_private(
            interaction, say.transfer_question_text(lang), view=transfer_view(request.id, lang)
        )

    async def _backup(self, interaction: discord.Interaction, request: RequestRow) -> None:
        ping = await self.requests.backup(request, interaction.user.id)
        channel = await find_channel(self.bot, request.card_channel_id)
        if channel is not None:
            await channel.send(
                mentions(ping)
                + f" <@{interaction.user.id}> would like backup on request #{request.id}.",
                allowed_mentions=PING_USERS,
            )
        await send_private(interaction, say.backup_asked_text(await reader_language(interaction)))

    # -- transfer -------------------------------------------------------------------------------
    async def transfer(
        self, interaction: discord.Interaction, request_id: int, to: discord.Member | discord.User
    ):
        """Hand the request to the peer chosen: their roles come with the choice (a member of
        the server), else they are looked up; one who lost the peer role is refused and taken
        off duty, what they held going back to the queue as at any peer check."""
        if isinstance(to, discord.Member):
            to_roles: list[int] | None = [role.id for role in to.roles]
        else:
            to_roles = await member_role_ids(self.bot, interaction.guild_id, to.id)
        try:
            moved = await self.requests.transfer(request_id, interaction.user.id, to.id, to_roles)
        except NoLongerAPeerError as lost:
            if lost.requeued:
                self.bot.dispatch("kindred_requests_requeued", lost.requeued, to.id)
            raise
        to_peer = to.id
        lang = await reader_language(interaction)
        await send_private(interaction, say.transferred_text(moved.id, to_peer, lang))
        await self._hand_over(moved, interaction.user.id, to_peer)

    async def _hand_over(self, moved: RequestRow, from_peer: int, to_peer: int) -> None:
        """Bring the new peer into the conversation (idempotent), then mark it done."""
        if moved.thread_id:
            thread = await find_channel(self.bot, moved.thread_id)
            if isinstance(thread, discord.Thread):
                try:
                    await thread.add_user(discord.Object(to_peer))
                    # the member reads it too: the request's language, then the English
                    lang = await self.requests.language_for(moved)
                    await thread.send(
                        say.thread_handover_text(f"<@{to_peer}>", f"<@{from_peer}>", lang),
                        allowed_mentions=PING_USERS,
                    )
                    await thread.remove_user(discord.Object(from_peer))
                except discord.HTTPException as exc:
                    log.info("transfer thread update failed: %s", exc.status)
        await self._refresh_card(moved)
        await self.requests.handover_done(moved.id)

    # -- close ----------------------------------------------------------------------------------
    async def _close(self, interaction: discord.Interaction, request: RequestRow) -> None:
        is_mod = await is_moderator(interaction)
        closed = await self.requests.close(request.id, interaction.user.id, is_moderator=is_mod)
        # the peer (or a moderator) who closed it gets other words than the member
        by_member = interaction.user.id == request.requester_id
        # the member reads the request's language (as the thread's closing line), the peer theirs
        lang = (
            await self.requests.language_for(request)
            if by_member
            else await reader_language(interaction)
        )
        await send_private(interaction, say.closed_text(by_member, lang))
        await self._after_close(closed)

    async def _after_close(self, closed: RequestRow) -> None:
        await self._refresh_card(closed)
        if closed.thread_id:
            await self._archive(closed)
        follow = await self.requests.after_close(closed)
        if follow is None:
            return
        try:
            member = await find_user(self.bot, follow.member_id)
            lang = await self.requests.language_for(closed)
            if follow.tell_quiet_close:
                await member.send(say.idle_closed_member_text(closed.id, lang))
            if follow.send_transcript:
                lines = await self._transcript_lines(closed, lang)
                for chunk in transcript_messages(closed.id, lines, lang):
                    await member.send(chunk)
            if follow.ask_feedback:
                await member.send(
                    say.feedback_question_text(lang), view=feedback_view(closed.id, lang)
                )
        except discord.HTTPException:
            pass
        try:
            peer = await find_user(self.bot, follow.peer_id)
            lang = await self.services.safety.language_for(follow.peer_id)
            await peer.send(say.closed_peer_dm_text(closed.id, lang))
        except discord.HTTPException:
            pass

    async def _archive(self, closed: RequestRow) -> None:
        # a private thread is the member's and the peer's: the request's language, then the
        # English; a relay thread is the peer's alone (English)
        lang = "en" if closed.relay else await self.requests.language_for(closed)
        await self._archive_thread(closed.thread_id, lang)

    async def _archive_thread(self, thread_id: int | None, lang: str = "en") -> None:
        """The closing line, then archived and locked; a thread closed off already (an old
        one retired when its peer let go, still named by the request back in the queue) is
        left as it is: it said its last line then."""
        thread = await find_channel(self.bot, thread_id)
        if isinstance(thread, discord.Thread) and not (thread.archived and thread.locked):
            try:
                await thread.send(say.thread_closed_text(lang))
                await thread.edit(archived=True, locked=True)
            except discord.HTTPException as exc:
                log.info("could not archive thread %s: %s", thread_id, exc.status)

    # -- a member's /forgetme -----------------------------------------------------------------
    @commands.Cog.listener("on_kindred_member_forgotten")
    async def on_member_forgotten(self, user_id: int, follow_ups: list[object]) -> None:
        """After ``/forgetme`` deleted a member's requests: a conversation going on is closed
        as a close would (no feedback question: the member is gone) and its peer told why in
        those words only (every card losing the member's mention, topic, summary and buttons
        is a stored ``privacy.card_clear`` timer, cogs/core.py).
        A peer's: the requests they held are back in the queue as when a peer loses the role
        (card, pings, old thread closed off), and each member is told only that their peer is
        no longer available."""
        for forgotten in follow_ups:
            if not isinstance(forgotten, ForgottenRequests):
                continue
            await self._requeue(
                forgotten.requeued, user_id, say.peer_gone_member_text, relay_note=True
            )
            for ended in forgotten.conversations:
                await self._archive_thread(ended.thread_id)
                with contextlib.suppress(discord.HTTPException):
                    peer = await find_user(self.bot, ended.peer_id)
                    lang = await self.services.safety.language_for(ended.peer_id)
                    await peer.send(say.forgotten_peer_text(ended.request_id, lang))
            # the cards are cleared by the privacy.card_clear timers the deletion stored
            # (cogs/core.py), retried until Discord takes them

    async def _transcript_now(self, interaction: discord.Interaction, closed: RequestRow) -> None:
        """The button pressed after the close: send what is still there now, or say plainly
        that nothing is (never promise a transcript that would never come)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        # only the member may ask: the request's language, as the transcript at the close
        lang = await self.requests.language_for(closed)
        lines = await self._transcript_lines(closed, lang)
        if not lines:
            await send_private(interaction, say.transcript_none_text(closed.relay, lang))
            return
        try:
            for chunk in transcript_messages(closed.id, lines, lang):
                await interaction.user.send(chunk)
        except discord.HTTPException:
            await send_private(interaction, say.transcript_undelivered_text(lang))
            return
        await send_private(interaction, say.transcript_sent_text(lang))

    async def _transcript_lines(self, request: RequestRow, lang: str) -> list[str]:
        """Relay: the stored lines. Thread: read from Discord itself at close (nothing stored),
        its latest messages first, up to TRANSCRIPT_HISTORY_MAX. Labelled in the member's
        ``lang``; a conversation too long to send whole keeps its latest words, after a line
        saying that earlier ones are left out (``latest_lines``)."""
        if request.relay:
            stored = await self.requests.relay_transcript(request.id, lang)
            return latest_lines(stored, lang=lang) if stored else []
        thread = await find_channel(self.bot, request.thread_id)
        if not isinstance(thread, discord.Thread):
            return []
        messages: list[tuple[int, bool, str]] = []
        try:
            async for message in thread.history(limit=TRANSCRIPT_HISTORY_MAX + 1):
                messages.append((message.author.id, message.author.bot, message.content))
        except discord.HTTPException as exc:
            log.info("transcript of request %s unavailable: %s", request.id, exc.status)
        more_before = len(messages) > TRANSCRIPT_HISTORY_MAX
        messages = messages[:TRANSCRIPT_HISTORY_MAX][::-1]  # oldest first
        lines = thread_transcript(request.requester_id, messages, lang)
        return latest_lines(lines, more_before=more_before, lang=lang) if lines else []
