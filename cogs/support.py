"""Members ask for private support; on-duty peers claim it; the two talk privately.

Thin Discord layer over ``bot.services.requests``: cards, buttons, threads and the anonymous
DM relay. The rules (who may claim, limits, escalation) live in the service.
"""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.repositories.core import TimerRow
from bot.db.repositories.requests import RequestRow
from bot.errors import NotFoundError, PermissionDeniedError
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.requests import ESCALATE, HANDOVER, IDLE, OPEN_CHECK, BlockedError, Intake
from bot.ui.checks import GuildOnlyError, is_moderator
from bot.ui.lookup import find_channel, find_user
from bot.ui.replies import send_private
from bot.ui.requests import (
    PING_USERS,
    FeedbackButton,
    RequestButton,
    SupportModal,
    TalkToPeerButton,
    ago,
    card_embed,
    card_view,
    member_label,
)
from bot.ui.resources import nobody_on_duty_text
from bot.ui.views import KindredView

log = logging.getLogger(__name__)

INTAKE_PHRASES = re.compile(
    r"\b(i need to talk|need (some )?(help|support)|talk to (a|someone|a peer)|support please)\b",
    re.IGNORECASE,
)


def _chunks(header: str, lines: list[str], limit: int = 1900) -> list[str]:
    """Split text into Discord-sized messages without cutting a line in two."""
    chunks, current = [], header
    for raw in lines:
        line = raw[:limit]
        if len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = line
        else:
            current += "\n" + line
    chunks.append(current)
    return chunks if lines else []


class TransferSelect(discord.ui.UserSelect):
    def __init__(self, request_id: int) -> None:
        super().__init__(placeholder="Choose an on-duty peer", min_values=1, max_values=1)
        self.request_id = request_id

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Support")
        assert cog is not None
        await cog.transfer(interaction, self.request_id, self.values[0].id)


async def member_can_see(channel: discord.TextChannel, user_id: int) -> bool:
    """Whether a member can view ``channel`` (and so a private thread under it), from their
    roles and the channel's overwrites. Unknown (not a member, lookup failed) counts as no."""
    member = channel.guild.get_member(user_id)
    if member is None:
        try:
            member = await channel.guild.fetch_member(user_id)
        except discord.HTTPException:
            return False
    return channel.permissions_for(member).view_channel


class Support(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.requests = self.services.peers.requests

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RequestButton, FeedbackButton, TalkToPeerButton)
        self.services.scheduler.register(ESCALATE, self._on_escalate)
        self.services.scheduler.register(IDLE, self._on_idle)
        self.services.scheduler.register(OPEN_CHECK, self._on_open_check)
        self.services.scheduler.register(HANDOVER, self._on_handover)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RequestButton, FeedbackButton, TalkToPeerButton)

    # -- asking ---------------------------------------------------------------------------
    @app_commands.command(name="support")
    @app_commands.describe(
        action="ask (default), status, cancel your request, or close the conversation you're in"
    )
    @app_commands.choices(
        action=[
            app_commands.Choice(name="ask for support", value="ask"),
            app_commands.Choice(name="status of my request", value="status"),
            app_commands.Choice(name="cancel my request", value="cancel"),
            app_commands.Choice(name="close this conversation", value="close"),
        ]
    )
    async def support(self, interaction: discord.Interaction, action: str = "ask") -> None:
        """Ask privately for support from an on-duty peer supporter (or cancel/close it)."""
        if action == "close":
            await self._close_here(interaction)
            return
        if interaction.guild_id is None:
            raise GuildOnlyError()
        guild_id = interaction.guild_id
        if action == "cancel":
            request = await self.requests.cancel_own(guild_id, interaction.user.id)
            await send_private(
                interaction, "Your request is withdrawn. You can ask again any time."
            )
            await self._refresh_card(request)
            return
        await self.requests.config(guild_id)
        existing = await self.requests.live_for(guild_id, interaction.user.id)
        if existing is not None:
            await send_private(interaction, await self._status_text(existing))
            return
        if action == "status":
            await send_private(interaction, "You have no open request. `/support` asks for one.")
            return
        await interaction.response.send_modal(SupportModal(guild_id, source="command"))

    async def _close_here(self, interaction: discord.Interaction) -> None:
        request = None
        if interaction.channel_id is not None:
            request = await self.requests.by_thread(interaction.channel_id)
        if request is None and interaction.guild_id is not None:
            request = await self.requests.live_for(interaction.guild_id, interaction.user.id)
        if request is None:
            live = await self.requests.live_anywhere(interaction.user.id)
            request = live[-1] if live else None
        if request is None or not request.live:
            raise NotFoundError("There is no open support conversation here to close.")
        await self._close(interaction, request)

    async def _on_open_check(self, timer: TimerRow) -> None:
        """A claim whose conversation never opened (e.g. the bot was killed in between)."""
        fresh = await self.requests.recover_unopened(int(timer.payload["request_id"]))
        if fresh is None:
            return
        await self.bot.wait_until_ready()
        await self._refresh_card(fresh)
        others = await self.requests.peers_to_ping(fresh)
        channel = await find_channel(self.bot, fresh.card_channel_id)
        if channel is not None:
            with contextlib.suppress(discord.HTTPException):
                await channel.send(
                    " ".join(f"<@{p}>" for p in others)
                    + f" Request #{fresh.id} is back in the queue: its conversation never "
                    "opened (Kindred was interrupted). It needs a peer.",
                    allowed_mentions=PING_USERS,
                )

    async def _status_text(self, request: RequestRow) -> str:
        if request.status == "claimed" and request.thread_id is None:
            return (
                f"A peer has picked up your request #{request.id} and your conversation is "
                "being opened. If nothing appears within a few minutes, it goes back to the "
                "queue by itself and another peer will see it."
            )
        if request.status == "claimed":
            where = (
                f" in <#{request.thread_id}>"
                if request.thread_id and not request.relay
                else " here in DMs"
            )
            return f"Your request #{request.id} is with a peer; you can talk{where}."
        position = await self.requests.position(request)
        return (
            f"You already have an open request (#{request.id}), opened "
            f"{ago(request.created_at)}. You are number {position} in the queue. "
            "`/support action:cancel` withdraws it."
        )

    async def intake(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        *,
        topic: str,
        summary: str,
        tags: list[str],
        anonymous: bool,
        source: str,
        same_peer: bool = False,
    ) -> None:
        try:
            result = await self.requests.open(
                guild_id,
                interaction.user.id,
                topic=topic,
                summary=summary,
                tags=tags,
                anonymous=anonymous,
                ask_previous_peer=same_peer,
                source=source,
            )
        except BlockedError as error:
            await send_private(
                interaction,
                error.user_message
                + "\n\n"
                + await self._resources_text(guild_id, interaction.user.id),
            )
            return
        await send_private(interaction, await self._intake_answer(result))
        await self._post_card(result.request, result.on_duty, ping=result.ping)

    async def _intake_answer(self, result: Intake) -> str:
        request = result.request
        who = (
            "only the on-duty peer supporters; you stay anonymous to them"
            if request.anonymous
            else "only the on-duty peer supporters"
        )
        lines = [
            f"Your request #{request.id} is in. Who sees it: {who}.",
            f"Your place in the queue: **{result.position}**.",
        ]
        if result.on_duty:
            lines.append(f"{len(result.on_duty)} peer(s) on duty now.")
            if result.estimate:
                minutes = max(1, round(result.estimate.total_seconds() / 60))
                lines.append(f"Recently, peers picked requests up in about {minutes} min.")
        else:
            if result.next_peer_at:
                lines.append(
                    "Nobody is on duty right now. The next peer is expected "
                    f"{discord.utils.format_dt(result.next_peer_at, 'F')} "
                    f"({ago(result.next_peer_at)}). Your request stays in the queue."
                )
            else:
                lines.append(
                    "Nobody is on duty right now, and no shift is scheduled. Your "
                    "request stays in the queue and moderators will be told."
                )
            lines.append("")
            lines.append(
                await self._resources_text(request.guild_id, request.requester_id, intro=False)
            )
        if request.relay:
            lines.append(
                "**What happens next:** when a peer picks it up, their replies come to you here "
                "in a DM from Kindred, and you answer in that DM."
            )
        else:
            lines.append(
                "**What happens next:** when a peer picks it up, a private thread opens with just "
                "you and them, and Kindred pings you there."
            )
        lines.append("`/support action:cancel` withdraws it at any time.")
        return "\n".join(lines)[:2000]

    async def _resources_text(self, guild_id: int, user_id: int, *, intro: bool = True) -> str:
        safety = self.services.safety
        region = await safety.region_for(guild_id, user_id)
        extras = await safety.guild_resources(guild_id)
        return nobody_on_duty_text(region, self.services.clock(), extras, intro=intro)

    # -- cards ----------------------------------------------------------------------------
    async def _tell_moderators(self, guild_id: int, text: str) -> None:
        cfg = await self.requests.config(guild_id, require=False)
        channel = await find_channel(self.bot, cfg.mod_channel_id)
        if channel is None:
            log.warning("guild %s: no reachable moderator channel for an alert", guild_id)
            return
        try:
            await channel.send(text[:2000])
        except discord.HTTPException as exc:
            log.warning("guild %s: moderator alert failed: %s", guild_id, exc.status)

    async def _post_card(self, request: RequestRow, on_duty: list[int], *, ping: list[int]) -> None:
        cfg = await self.requests.config(request.guild_id, require=False)
        channel = await find_channel(self.bot, cfg.peer_channel_id)
        content = " ".join(f"<@{p}>" for p in ping) or None
        if channel is None:
            await self._tell_moderators(
                request.guild_id,
                f"Support request #{request.id} could not reach the peer channel (deleted or "
                "not visible to me). It stays queued. Fix it with `/peers setup`.",
            )
            return
        try:
            message = await channel.send(
                content=content,
                embed=card_embed(request, on_duty, cfg),
                view=card_view(request),
                allowed_mentions=PING_USERS,
            )
        except discord.Forbidden:
            await self._tell_moderators(
                request.guild_id,
                f"I can't post request #{request.id} in <#{cfg.peer_channel_id}>: I need the "
                "View Channel, Send Messages and Embed Links permissions there. "
                "The request stays queued; I'll post its card again at its next reminder.",
            )
            return
        except discord.HTTPException as exc:
            log.warning(
                "request %s: card not posted (%s); retried at the next reminder",
                request.id,
                exc.status,
            )
            return
        await self.requests.attach_card(request.id, message.channel.id, message.id)

    async def _refresh_card(self, request: RequestRow) -> None:
        if request.card_channel_id is None or request.card_message_id is None:
            return
        cfg = await self.requests.config(request.guild_id, require=False)
        on_duty = [r.user_id for r in await self.services.peers.duty.on_duty(request.guild_id)]
        channel = await find_channel(self.bot, request.card_channel_id)
        if channel is None:
            return
        try:
            message = channel.get_partial_message(request.card_message_id)  # type: ignore[attr-defined]
            await message.edit(embed=card_embed(request, on_duty, cfg), view=card_view(request))
        except discord.HTTPException as exc:
            log.info("could not refresh card for request %s: %s", request.id, exc.status)

    # -- peer buttons ---------------------------------------------------------------------
    async def _require_peer(self, interaction: discord.Interaction, guild_id: int) -> None:
        cfg = await self.requests.config(guild_id)
        member = interaction.user
        if not isinstance(member, discord.Member) or not any(
            r.id == cfg.peer_role_id for r in member.roles
        ):
            # Losing the peer role ends duty; it is checked at every peer action.
            await self.services.peers.duty.go_off(guild_id, interaction.user.id)
            raise PermissionDeniedError("Only peer supporters can do that.")

    async def on_request_button(
        self, interaction: discord.Interaction, action: str, request_id: int
    ) -> None:
        request = await self.requests.get(request_id)
        if interaction.guild_id is not None and interaction.guild_id != request.guild_id:
            # A custom id forged in another server: same answer as for a missing request,
            # so it reveals nothing about this one.
            raise NotFoundError(f"There is no request #{request_id} here.")
        if action == "close":
            await self._close(interaction, request)
            return
        if action == "transcript":
            await self.requests.request_transcript(request_id, interaction.user.id)
            await send_private(
                interaction, "I'll DM you a transcript when the conversation closes."
            )
            return
        await self._require_peer(interaction, request.guild_id)
        if action == "claim":
            await self.claim(interaction, request)
        elif action == "unclaim":
            fresh = await self.requests.unclaim(request_id, interaction.user.id)
            await send_private(interaction, "Unclaimed; the request is back in the queue.")
            await self._refresh_card(fresh)
            others = await self.requests.peers_to_ping(fresh, besides=interaction.user.id)
            channel = await find_channel(self.bot, fresh.card_channel_id)
            if channel is not None and others:
                await channel.send(
                    " ".join(f"<@{p}>" for p in others)
                    + f" Request #{fresh.id} is back in the queue and needs a peer.",
                    allowed_mentions=PING_USERS,
                )
        elif action == "transfer":
            if request.claimed_by != interaction.user.id:
                raise PermissionDeniedError("Only the peer who holds this request can transfer it.")
            view = KindredView(timeout=120)
            view.add_item(TransferSelect(request_id))
            await send_private(interaction, "Who should take it over?", view=view)
        elif action == "backup":
            if request.claimed_by != interaction.user.id:
                raise PermissionDeniedError(
                    "Only the peer who holds this request can ask for backup."
                )
            on_duty = await self.requests.peers_to_ping(request, besides=interaction.user.id)
            channel = await find_channel(self.bot, request.card_channel_id)
            if channel is not None:
                await channel.send(
                    " ".join(f"<@{p}>" for p in on_duty)
                    + f" <@{interaction.user.id}> would like backup on request #{request.id}.",
                    allowed_mentions=PING_USERS,
                )
            await send_private(interaction, "I've asked the on-duty peers for backup.")

    async def claim(self, interaction: discord.Interaction, request: RequestRow) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        claimed = await self.requests.claim(request.id, interaction.user.id)
        where = await self._open_conversation(claimed, interaction.user.id)
        await self._refresh_card(claimed)
        await interaction.followup.send(
            f"You claimed request #{claimed.id}. {where}", ephemeral=True
        )

    async def _open_conversation(self, request: RequestRow, peer_id: int) -> str:
        cfg = await self.requests.config(request.guild_id)
        if request.relay:
            return await self._open_relay(request, peer_id, cfg)
        parent = await find_channel(self.bot, cfg.thread_channel_id or cfg.peer_channel_id)
        if isinstance(parent, discord.TextChannel) and not await member_can_see(
            parent, request.requester_id
        ):
            # A private thread under a channel the member cannot view is invisible to them.
            await self._tell_moderators(
                request.guild_id,
                f"Request #{request.id}: the member can't see <#{parent.id}>, so a private "
                "thread there would be invisible to them. I used the DM relay. Choose a thread "
                "channel members can see with `/peers setup thread_channel:`.",
            )
            return await self._open_relay(request, peer_id, cfg)
        try:
            if not isinstance(parent, discord.TextChannel):
                raise discord.NotFound  # type: ignore[misc]
            thread = await parent.create_thread(
                name=f"Support #{request.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            await thread.add_user(discord.Object(request.requester_id))
            await thread.add_user(discord.Object(peer_id))
        except (discord.HTTPException, TypeError) as exc:
            log.warning("request %s: thread failed (%s); using the relay", request.id, exc)
            await self._tell_moderators(
                request.guild_id,
                f"I couldn't open a private thread for request #{request.id}: I need Create "
                "Private Threads, Send Messages in Threads and Manage Threads in "
                f"<#{cfg.thread_channel_id or cfg.peer_channel_id}>. I used the DM relay.",
            )
            return await self._open_relay(request, peer_id, cfg)
        await self.requests.attach_conversation(request.id, thread.id)
        view = discord.ui.View(timeout=None)
        view.add_item(RequestButton("close", request.id))
        view.add_item(RequestButton("transcript", request.id))
        try:
            await thread.send(
                f"<@{request.requester_id}>, <@{peer_id}> is here with you. This thread is "
                "private: only the two of you (and the moderators who run this server) can see "
                "it. Either of you can close it with the button or `/support action:close`.",
                view=view,
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            # Both are already in the thread; the welcome is a courtesy, the claim stands.
            log.warning("request %s: welcome message failed (%s)", request.id, exc.status)
            await self._tell_moderators(
                request.guild_id,
                f"I opened <#{thread.id}> for request #{request.id} but can't write in it: I "
                "need Send Messages in Threads there.",
            )
        return f"Your private thread: <#{thread.id}>."

    async def _open_relay(self, request: RequestRow, peer_id: int, cfg: PeerSettings) -> str:
        """The peer talks in a private thread of their own; the member in DMs. The bot carries
        messages across, so the peer never sees who the member is."""
        parent = await find_channel(self.bot, cfg.peer_channel_id)
        thread = None
        if isinstance(parent, discord.TextChannel):
            try:
                thread = await parent.create_thread(
                    name=f"Relay #{request.id}",
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                )
                await thread.add_user(discord.Object(peer_id))
            except discord.HTTPException:
                thread = None
        if thread is None:
            # Without a relay thread the member's words would reach nobody: give the request
            # back to the queue rather than leave it claimed and silent.
            await self.requests.unclaim(request.id, peer_id)
            await self._tell_moderators(
                request.guild_id,
                f"I couldn't open a relay thread for request #{request.id} in "
                f"<#{cfg.peer_channel_id}>: I need Create Private Threads and Send Messages in "
                "Threads there. The request is back in the queue.",
            )
            return "I couldn't open a relay thread, so the request is back in the queue."
        await self.requests.attach_conversation(request.id, thread.id, relay=True)
        view = discord.ui.View(timeout=None)
        view.add_item(RequestButton("close", request.id))
        view.add_item(RequestButton("transcript", request.id))
        try:
            member = await find_user(self.bot, request.requester_id)
            await member.send(
                f"A peer supporter has picked up your request #{request.id}. Just reply here: "
                "I'll pass your messages on"
                + (" without your name." if request.anonymous else ".")
                + " Close the conversation whenever you like.",
                view=view,
            )
        except discord.HTTPException:
            await self._tell_moderators(
                request.guild_id,
                f"I can't DM the member of request #{request.id} (their DMs may be closed).",
            )
        close_view = discord.ui.View(timeout=None)
        close_view.add_item(RequestButton("close", request.id))
        try:
            await thread.send(
                f"<@{peer_id}>, you're connected with {member_label(request)}. Write here and "
                "I'll relay it to them; their replies appear here.",
                view=close_view,
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            log.warning("request %s: relay welcome failed (%s)", request.id, exc.status)
        return f"Talk in <#{thread.id}>; I relay it."

    async def transfer(self, interaction: discord.Interaction, request_id: int, to_peer: int):
        moved = await self.requests.transfer(request_id, interaction.user.id, to_peer)
        await send_private(interaction, f"Transferred request #{moved.id} to <@{to_peer}>.")
        await self._hand_over(moved, interaction.user.id, to_peer)

    async def _hand_over(self, moved: RequestRow, from_peer: int, to_peer: int) -> None:
        """Bring the new peer into the conversation (idempotent), then mark it done."""
        if moved.thread_id:
            thread = await find_channel(self.bot, moved.thread_id)
            if isinstance(thread, discord.Thread):
                try:
                    await thread.add_user(discord.Object(to_peer))
                    await thread.send(
                        f"<@{to_peer}> is taking over from <@{from_peer}>.",
                        allowed_mentions=PING_USERS,
                    )
                    await thread.remove_user(discord.Object(from_peer))
                except discord.HTTPException as exc:
                    log.info("transfer thread update failed: %s", exc.status)
        await self._refresh_card(moved)
        await self.requests.handover_done(moved.id)

    async def _on_handover(self, timer: TimerRow) -> None:
        """A transfer whose hand-over was interrupted (e.g. the bot was killed): finish it."""
        payload = timer.payload
        moved = await self.requests.pending_handover(
            int(payload["request_id"]), int(payload["to_peer"])
        )
        if moved is None:
            return
        await self.bot.wait_until_ready()
        await self._hand_over(moved, int(payload["from_peer"]), int(payload["to_peer"]))

    async def _close(self, interaction: discord.Interaction, request: RequestRow) -> None:
        is_mod = await is_moderator(interaction)
        closed = await self.requests.close(request.id, interaction.user.id, is_moderator=is_mod)
        if interaction.user.id == request.requester_id:
            text = "Closed. Thank you for reaching out and for being here."
        else:  # the peer (or a moderator) closed it: member wording would be odd
            text = "Closed. Thank you for being there for them."
        await send_private(interaction, text)
        await self._after_close(closed)

    async def _after_close(self, closed: RequestRow) -> None:
        await self._refresh_card(closed)
        if closed.thread_id:
            thread = await find_channel(self.bot, closed.thread_id)
            if isinstance(thread, discord.Thread):
                try:
                    await thread.send("This conversation is closed. Take care.")
                    await thread.edit(archived=True, locked=True)
                except discord.HTTPException as exc:
                    log.info("could not archive thread %s: %s", closed.thread_id, exc.status)
        cfg = await self.requests.config(closed.guild_id, require=False)
        if closed.claimed_by is None:
            return
        try:
            member = await find_user(self.bot, closed.requester_id)
            if closed.transcript:
                lines = await self._transcript_lines(closed)
                for chunk in _chunks(f"Your transcript of request #{closed.id}:", lines):
                    await member.send(chunk)
            if cfg.feedback:
                view = discord.ui.View(timeout=None)
                for rating in FeedbackButton.LABELS:
                    view.add_item(FeedbackButton(rating, closed.id))
                await member.send(
                    "Your support conversation is closed. Did it help? (Optional; only counts "
                    "are shared, never who said what.)",
                    view=view,
                )
        except discord.HTTPException:
            pass
        try:
            peer = await find_user(self.bot, closed.claimed_by)
            await peer.send(
                f"Request #{closed.id} is closed. Thank you. Take a moment for yourself. "
                "If this one stayed with you, `/peers debrief` lets you ask a moderator "
                "for support."
            )
        except discord.HTTPException:
            pass

    async def _transcript_lines(self, request: RequestRow) -> list[str]:
        """Relay: the stored lines. Thread: read from Discord itself at close (nothing stored)."""
        if request.relay:
            return [
                f"{'You' if author == 'member' else 'Peer'}: {content}"
                for author, content, _ in await self.requests.transcript(request.id)
            ]
        thread = await find_channel(self.bot, request.thread_id)
        if not isinstance(thread, discord.Thread):
            return []
        lines = []
        try:
            async for message in thread.history(limit=500, oldest_first=True):
                if message.author.bot or not message.content:
                    continue
                who = "You" if message.author.id == request.requester_id else "Peer"
                lines.append(f"{who}: {message.content}")
        except discord.HTTPException as exc:
            log.info("transcript of request %s unavailable: %s", request.id, exc.status)
        return lines

    # -- relay ----------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        if message.guild is None:
            await self._from_member_dm(message)
        elif isinstance(message.channel, discord.Thread):
            request = await self.requests.by_thread(message.channel.id)
            if request is None or not request.live:
                return
            if request.relay and message.author.id == request.claimed_by:
                await self.requests.record_relay(request, "peer", message.content)
                try:
                    member = await find_user(self.bot, request.requester_id)
                    await member.send(f"**Peer:** {message.content}"[:2000])
                except discord.HTTPException:
                    await message.channel.send(
                        "I couldn't deliver that: the member's DMs seem closed."
                    )
            else:
                await self.requests.activity(request.id)

    async def _from_member_dm(self, message: discord.Message) -> None:
        live = [
            r
            for r in await self.requests.live_anywhere(message.author.id)
            if r.relay and r.status == "claimed" and r.thread_id
        ]
        if live:
            request = live[-1]
            await self.requests.record_relay(request, "member", message.content)
            thread = await find_channel(self.bot, request.thread_id)
            if thread is not None:
                await thread.send(
                    f"**{member_label(request)}:** {message.content}"[:2000],
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            return
        if INTAKE_PHRASES.search(message.content):
            await self._offer_intake(message)

    async def _offer_intake(self, message: discord.Message) -> None:
        """A DM like "I need to talk": offer the same form for each server that has peer
        support set up *and* that the writer belongs to (never reveal other servers)."""
        view = discord.ui.View(timeout=None)
        configured = await self.services.settings.guilds_with(PeerSettings, "peer_channel_id")
        for guild_id in configured:
            guild = self.bot.get_guild(guild_id)
            if (
                guild is None
                or not (await self.requests.config(guild_id, require=False)).configured
            ):
                continue
            try:
                await guild.fetch_member(message.author.id)  # no members intent: ask Discord
            except discord.HTTPException:
                continue
            item = TalkToPeerButton(guild.id)
            item.item.label = f"Talk to a peer in {guild.name}"[:80]
            view.add_item(item)
            if len(view.children) == 5:
                break
        if not view.children:
            await message.channel.send(
                "I'm here. I couldn't find a server we share where peer support is set up; "
                "`/crisis` shows lines you can reach right now."
            )
            return
        await message.channel.send(
            "I'm here. Press the button to ask a peer supporter to talk with you privately.",
            view=view,
        )

    # -- timers -------------------------------------------------------------------------
    async def _on_escalate(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        base = timer.payload.get("base")
        step = await self.requests.escalate(
            timer.payload["request_id"],
            timer.payload["level"],
            datetime.fromisoformat(base) if base else None,
        )
        if step is None:
            return
        request = step.request
        waited = self.services.clock() - request.created_at
        minutes = int(waited / timedelta(minutes=1))
        # Moderators first: this step's timer is already replaced by the next one, so nothing
        # below may stop the alert (each Discord call fails on its own).
        if step.alert_moderators:
            await self._tell_moderators(
                request.guild_id,
                f"Request #{request.id} has waited {minutes} min without a peer "
                f"({len(step.on_duty)} on duty).",
            )
        if request.card_message_id is None:
            # The card never made it (channel gone, permissions, Discord down): try again.
            await self._post_card(request, step.on_duty, ping=step.ping)
        elif step.ping:
            channel = await find_channel(self.bot, request.card_channel_id)
            try:
                if channel is not None:
                    await channel.send(
                        " ".join(f"<@{p}>" for p in step.ping)
                        + f" Request #{request.id} has waited {minutes} min for a peer.",
                        allowed_mentions=PING_USERS,
                    )
            except discord.HTTPException as exc:
                log.warning("request %s: re-ping failed (%s)", request.id, exc.status)
        try:
            member = await find_user(self.bot, request.requester_id)
            state = (
                f"{len(step.on_duty)} peer(s) are on duty and have been reminded."
                if step.on_duty
                else "No peer is on duty right now; moderators know you're waiting."
            )
            await member.send(
                f"An update on your request #{request.id}: you're number "
                f"{step.position} in the queue. {state} `/crisis` is there if "
                "you need someone right now."
            )
        except discord.HTTPException:
            pass

    async def _on_idle(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        outcome = await self.requests.idle(timer.payload["request_id"], timer.payload["stage"])
        if outcome is None:
            return
        stage, request = outcome
        if stage == "remind":
            for user_id in (request.requester_id, request.claimed_by):
                if user_id is None:
                    continue
                try:
                    user = await find_user(self.bot, user_id)
                    await user.send(
                        f"Request #{request.id} has been quiet for a while. It will "
                        "close by itself soon unless someone writes; closing it "
                        "yourself is fine too."
                    )
                except discord.HTTPException:
                    pass
        else:
            await self._after_close(request)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Support(bot))
