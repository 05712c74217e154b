"""Moderators set up peer support; peers go on and off duty and keep a rota."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.repositories.core import TimerRow
from bot.db.repositories.duty import ShiftRow
from bot.errors import InvalidInputError, KindredError, NotFoundError
from bot.schedules import parse_until
from bot.services import Services
from bot.services.duty import WEEKDAYS, shift_window_after
from bot.services.peers import PeerSettings
from bot.ui.checks import GuildOnlyError, RefusedError, moderator_only
from bot.ui.lookup import find_user
from bot.ui.replies import COLOUR, send_private
from bot.ui.requests import PING_USERS, TalkToPeerButton, card_embed, card_view
from bot.ui.timezones import timezone_autocomplete
from bot.ui.views import GuardedCallback

log = logging.getLogger(__name__)

SHIFT_START, SHIFT_END, SHIFT_REMIND = "duty.shift_start", "duty.shift_end", "duty.shift_remind"
DUTY_EXPIRE = "duty.expire"


def _peer_only():
    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        cfg = await services.settings.get(interaction.guild_id, PeerSettings)
        if cfg.peer_role_id is None:
            raise RefusedError("Peer support isn't set up here yet (`/peers setup`).")
        member = interaction.user
        if not isinstance(member, discord.Member) or not any(
            r.id == cfg.peer_role_id for r in member.roles
        ):
            await services.peers.duty.go_off(interaction.guild_id, interaction.user.id)
            raise RefusedError(f"This is for peer supporters (the <@&{cfg.peer_role_id}> role).")
        return True

    predicate.audience = "peer"  # type: ignore[attr-defined]
    return app_commands.check(predicate)


def _shift_text(shift: ShiftRow) -> str:
    return (
        f"#{shift.id} {WEEKDAYS[shift.weekday].title()} {shift.start_time}–{shift.end_time} "
        f"({shift.tz})"
    )


async def tag_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    tags = await services.peers.tags.guild_tags(interaction.guild_id)
    return [app_commands.Choice(name=t, value=t) for t in tags if current.lower() in t.lower()][:25]


class Peers(commands.Cog):
    peers = app_commands.Group(name="peers", description="Set up and run peer support.")
    tags = app_commands.Group(
        name="tags", description="Topic and lived-experience tags.", parent=peers
    )
    duty = app_commands.Group(name="duty", description="Go on and off duty as a peer supporter.")
    shift = app_commands.Group(name="shift", description="Your recurring duty rota.", parent=duty)

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.duty_service = self.services.peers.duty

    async def cog_load(self) -> None:
        scheduler = self.services.scheduler
        scheduler.register(DUTY_EXPIRE, self._on_duty_expire)
        scheduler.register(SHIFT_START, self._on_shift_start)
        scheduler.register(SHIFT_END, self._on_shift_end)
        scheduler.register(SHIFT_REMIND, self._on_shift_remind)
        self.bot.add_dynamic_items(HandoffButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(HandoffButton)

    # -- moderator set-up -------------------------------------------------------------------
    @peers.command(name="setup")
    @moderator_only()
    @app_commands.describe(
        peer_role="The role your peer supporters have",
        peer_channel="Private channel where request cards appear (peers only)",
        moderator_channel="Where Kindred alerts moderators",
        conversation="Private threads (default) or an anonymous DM relay",
        thread_channel="Channel members can see, where private threads are created",
        office_hours="e.g. mon-fri 08:00-16:30",
        office_timezone="IANA zone for office hours, e.g. America/Los_Angeles",
    )
    @app_commands.choices(
        conversation=[
            app_commands.Choice(name="private thread", value="thread"),
            app_commands.Choice(name="anonymous DM relay", value="relay"),
        ]
    )
    @app_commands.autocomplete(office_timezone=timezone_autocomplete)
    async def setup(
        self,
        interaction: discord.Interaction,
        peer_role: discord.Role,
        peer_channel: discord.TextChannel,
        moderator_channel: discord.TextChannel | None = None,
        conversation: str | None = None,
        thread_channel: discord.TextChannel | None = None,
        office_hours: str | None = None,
        office_timezone: str | None = None,
    ) -> None:
        """Set up peer support: the peer role, the peer channel, and where conversations happen."""
        assert interaction.guild_id is not None
        changes: dict = {"peer_role_id": peer_role.id, "peer_channel_id": peer_channel.id}
        if moderator_channel is not None:
            changes["mod_channel_id"] = moderator_channel.id
        if conversation is not None:
            changes["conversation"] = conversation
        if thread_channel is not None:
            changes["thread_channel_id"] = thread_channel.id
        if office_timezone is not None:
            changes["office_tz"] = office_timezone
        if office_hours is not None:
            changes["office_hours"] = _canonical_hours(office_hours)
        cfg = await self.services.settings.update(
            interaction.guild_id, PeerSettings, interaction.user.id, **changes
        )
        embed = _settings_embed(cfg, "Peer support is set up.")
        where = thread_channel or peer_channel
        if (
            cfg.conversation != "relay"
            and not where.permissions_for(where.guild.default_role).view_channel
        ):
            embed.add_field(
                name="⚠️ Members can't see this channel",
                value=f"Private threads are created in {where.mention}, which members cannot "
                "view, so they could not see their conversation. Until you choose a "
                "`thread_channel` members can see, Kindred uses the DM relay for them.",
                inline=False,
            )
        await send_private(interaction, embed=embed)

    @peers.command(name="settings")
    @moderator_only()
    async def settings(self, interaction: discord.Interaction) -> None:
        """Show the peer-support settings."""
        assert interaction.guild_id is not None
        cfg = await self.services.settings.get(interaction.guild_id, PeerSettings)
        await send_private(interaction, embed=_settings_embed(cfg, None))

    @peers.command(name="limits")
    @moderator_only()
    @app_commands.describe(
        max_open_per_peer="Most requests one peer holds at once (1-20)",
        max_requests_per_day="Most requests one member opens a day (1-50)",
        retention_days="Days any stored conversation text is kept (1-365)",
        reping_minutes="Re-ping matching peers after this many minutes unclaimed",
        all_peers_minutes="Ping every on-duty peer after this many minutes",
        moderator_minutes="Alert moderators after this many minutes",
        idle_remind_hours="Remind both sides after this many quiet hours",
        idle_close_hours="Close a quiet conversation after this many hours",
        feedback="Ask the member for feedback after closing",
    )
    async def limits(
        self,
        interaction: discord.Interaction,
        max_open_per_peer: app_commands.Range[int, 1, 20] | None = None,
        max_requests_per_day: app_commands.Range[int, 1, 50] | None = None,
        retention_days: app_commands.Range[int, 1, 365] | None = None,
        reping_minutes: app_commands.Range[int, 1, 1440] | None = None,
        all_peers_minutes: app_commands.Range[int, 1, 1440] | None = None,
        moderator_minutes: app_commands.Range[int, 1, 10080] | None = None,
        idle_remind_hours: app_commands.Range[int, 1, 720] | None = None,
        idle_close_hours: app_commands.Range[int, 1, 2160] | None = None,
        feedback: bool | None = None,
    ) -> None:
        """Change limits, escalation times, retention and feedback for peer support."""
        assert interaction.guild_id is not None
        changes = {
            k: v
            for k, v in {
                "max_open_per_peer": max_open_per_peer,
                "max_requests_per_day": max_requests_per_day,
                "retention_days": retention_days,
                "reping_minutes": reping_minutes,
                "all_peers_minutes": all_peers_minutes,
                "moderator_minutes": moderator_minutes,
                "idle_remind_hours": idle_remind_hours,
                "idle_close_hours": idle_close_hours,
                "feedback": feedback,
            }.items()
            if v is not None
        }
        if not changes:
            raise InvalidInputError("Give at least one setting to change.")
        cfg = await self.services.settings.update(
            interaction.guild_id, PeerSettings, interaction.user.id, **changes
        )
        if not cfg.reping_minutes < cfg.all_peers_minutes <= cfg.moderator_minutes:
            await send_private(
                interaction,
                "Saved. Note: escalation steps usually go re-ping < all peers ≤ moderators.",
                embed=_settings_embed(cfg, None),
            )
            return
        await send_private(interaction, embed=_settings_embed(cfg, "Saved."))

    @peers.command(name="panel")
    @moderator_only()
    @app_commands.describe(channel="Where to post the 'Talk to a peer' panel")
    async def panel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Post a panel with a "Talk to a peer" button in a channel."""
        assert interaction.guild_id is not None
        await self.services.peers.requests.config(interaction.guild_id)
        view = discord.ui.View(timeout=None)
        view.add_item(TalkToPeerButton(interaction.guild_id))
        embed = discord.Embed(
            title="Talk to a peer",
            description=(
                "Peer supporters here have lived experience and are trained to listen. "
                "Press the button to ask one to talk with you privately. Only on-duty peers "
                "see your request, and you can stay anonymous to them."
            ),
            colour=COLOUR,
        )
        try:
            await channel.send(embed=embed, view=view)
        except discord.Forbidden as exc:
            raise InvalidInputError(
                f"I can't post in {channel.mention}: I need View Channel, Send Messages and "
                "Embed Links there."
            ) from exc
        await send_private(interaction, f"Panel posted in {channel.mention}.")

    @tags.command(name="add")
    @moderator_only()
    async def tags_add(self, interaction: discord.Interaction, tag: str) -> None:
        """Add a topic or lived-experience tag peers can choose (e.g. grief, veterans)."""
        assert interaction.guild_id is not None
        clean = tag.strip()[:40]
        if not clean:
            raise InvalidInputError("A tag needs at least one letter.")
        await self.services.peers.tags.add_guild_tag(interaction.guild_id, clean)
        await send_private(interaction, f"Tag **{clean}** added.")

    @tags.command(name="remove")
    @moderator_only()
    @app_commands.autocomplete(tag=tag_autocomplete)
    async def tags_remove(self, interaction: discord.Interaction, tag: str) -> None:
        """Remove a tag."""
        assert interaction.guild_id is not None
        if not await self.services.peers.tags.remove_guild_tag(interaction.guild_id, tag):
            shown = tag if len(tag) <= 40 else tag[:39] + "…"
            raise NotFoundError(f"There is no tag **{shown}**.")
        await send_private(interaction, f"Tag **{tag}** removed.")

    @tags.command(name="list")
    async def tags_list(self, interaction: discord.Interaction) -> None:
        """Show the tags members can ask for."""
        if interaction.guild_id is None:
            raise GuildOnlyError()
        tags = await self.services.peers.tags.guild_tags(interaction.guild_id)
        await send_private(interaction, "Tags: " + (", ".join(tags) or "none yet."))

    @peers.command(name="stats")
    @moderator_only()
    @app_commands.describe(days="How many days back (default 30)")
    async def stats(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        """Counts for peer support: opened, claimed, closed, wait times, feedback. No content."""
        assert interaction.guild_id is not None
        s = await self.services.peers.requests.stats(interaction.guild_id, days)
        median = "—" if s.median_claim is None else f"{s.median_claim.total_seconds() / 60:.0f} min"
        busiest = ", ".join(f"{h:02d}:00 UTC ({n})" for h, n in s.busiest_hours_utc) or "—"
        embed = discord.Embed(title=f"Peer support, last {days} days", colour=COLOUR)
        embed.add_field(
            name="Requests",
            value=f"opened {s.opened} · claimed {s.claimed} · "
            f"closed {s.closed} · withdrawn {s.cancelled}",
            inline=False,
        )
        embed.add_field(name="Median time to claim", value=median)
        embed.add_field(name="Waited past the moderator alert", value=str(s.past_threshold))
        embed.add_field(
            name="Feedback",
            value=f"helped {s.feedback['helped']} · somewhat "
            f"{s.feedback['somewhat']} · not really {s.feedback['not_really']}",
            inline=False,
        )
        embed.add_field(name="Busiest hours", value=busiest, inline=False)
        await send_private(interaction, embed=embed)

    @peers.command(name="block")
    @moderator_only()
    async def block(
        self, interaction: discord.Interaction, member: discord.User, reason: str | None = None
    ) -> None:
        """Stop a member opening peer requests (they still get crisis resources)."""
        assert interaction.guild_id is not None
        await self.services.peers.blocks.block(
            interaction.guild_id, member.id, reason, interaction.user.id
        )
        await send_private(
            interaction,
            f"{member.mention} can no longer open peer requests "
            "here. They will still be shown crisis resources.",
        )

    @peers.command(name="unblock")
    @moderator_only()
    async def unblock(self, interaction: discord.Interaction, member: discord.User) -> None:
        """Let a blocked member open peer requests again."""
        assert interaction.guild_id is not None
        if not await self.services.peers.blocks.unblock(
            interaction.guild_id, member.id, interaction.user.id
        ):
            raise NotFoundError(f"{member.mention} was not blocked.")
        await send_private(interaction, f"{member.mention} can open peer requests again.")

    @peers.command(name="reveal")
    @moderator_only()
    @app_commands.describe(request_id="The anonymous request's number", reason="Why (logged)")
    async def reveal(self, interaction: discord.Interaction, request_id: int, reason: str) -> None:
        """Reveal who an anonymous member is (audit-logged; the member is told)."""
        assert interaction.guild_id is not None
        request = await self.services.peers.blocks.reveal(
            interaction.guild_id, request_id, interaction.user.id, reason
        )
        try:
            user = await find_user(self.bot, request.requester_id)
            await user.send(
                f"A moderator of this server looked up who opened request "
                f"#{request_id}, which you had made anonymous. Reason given: "
                f"{reason[:200]}"
            )
        except discord.HTTPException:
            pass
        await send_private(
            interaction,
            f"Request #{request_id} was opened by "
            f"<@{request.requester_id}>. This was logged and the "
            "member was told.",
        )

    @peers.command(name="debrief")
    async def debrief(
        self, interaction: discord.Interaction, need_support: bool = True, note: str | None = None
    ) -> None:
        """After a hard conversation: ask a moderator to check in with you (note stays private)."""
        if interaction.guild_id is None:
            raise GuildOnlyError()
        cfg = await self.services.settings.get(interaction.guild_id, PeerSettings)
        if need_support and cfg.mod_channel_id:
            channel = self.bot.get_channel(cfg.mod_channel_id)
            if isinstance(channel, discord.TextChannel):
                await channel.send(
                    f"<@{interaction.user.id}> asked for support after a peer "
                    "conversation. Please check in with them."
                )
        await send_private(
            interaction,
            "Thank you for what you do. "
            + ("A moderator will check in with you." if need_support else "")
            + (" Your note was not stored." if note else ""),
        )

    # -- duty (peers) -----------------------------------------------------------------------
    @duty.command(name="on")
    @_peer_only()
    @app_commands.describe(until="Optional: when you'll go off, e.g. 17:00 or 2h")
    async def duty_on(self, interaction: discord.Interaction, until: str | None = None) -> None:
        """Go on duty: new requests will reach you."""
        assert interaction.guild_id is not None
        end = None
        if until:
            end = parse_until(until, self.services.clock(), await self._tz(interaction))
            if end - self.services.clock() > timedelta(hours=24):
                raise InvalidInputError("Choose an end within 24 hours, e.g. `17:00` or `2h`.")
        row = await self.duty_service.go_on(interaction.guild_id, interaction.user.id, end)
        await self.services.scheduler.cancel(f"duty:{interaction.guild_id}:{interaction.user.id}")
        if row.until is not None:
            await self.services.scheduler.schedule_once(
                DUTY_EXPIRE,
                row.until,
                {"guild_id": interaction.guild_id, "user_id": interaction.user.id},
                guild_id=interaction.guild_id,
                key=f"duty:{interaction.guild_id}:{interaction.user.id}",
            )
        queue = await self.services.peers.requests.queue(interaction.guild_id)
        text = "You're on duty" + (
            f" until {discord.utils.format_dt(row.until, 't')}." if row.until else "."
        )
        if queue:
            text += f" {len(queue)} request(s) are waiting in the peer channel."
        await send_private(interaction, text)

    @duty.command(name="off")
    @_peer_only()
    async def duty_off(self, interaction: discord.Interaction) -> None:
        """Go off duty. Requests you hold stay with you until you close or hand them on."""
        assert interaction.guild_id is not None
        was = await self.duty_service.go_off(interaction.guild_id, interaction.user.id)
        await self.services.scheduler.cancel(f"duty:{interaction.guild_id}:{interaction.user.id}")
        held = await self.services.peers.requests.held_by(interaction.guild_id, interaction.user.id)
        text = "You're off duty. Thank you." if was else "You weren't on duty."
        if held:
            text += (
                f" You still hold {len(held)} request(s): "
                + ", ".join(f"#{r.id}" for r in held)
                + "."
            )
        await send_private(interaction, text)

    @duty.command(name="status")
    @_peer_only()
    async def duty_status(self, interaction: discord.Interaction) -> None:
        """Who is on duty now and what is waiting (only you see this)."""
        assert interaction.guild_id is not None
        rows = await self.duty_service.on_duty(interaction.guild_id)
        queue = await self.services.peers.requests.queue(interaction.guild_id)
        lines = [
            f"<@{r.user_id}>"
            + (f" until {discord.utils.format_dt(r.until, 't')}" if r.until else "")
            for r in rows
        ]
        text = ("On duty: " + ", ".join(lines)) if lines else "Nobody is on duty."
        text += f"\nWaiting requests: {len(queue)}."
        nxt = await self.duty_service.next_shift_start(interaction.guild_id)
        if nxt:
            text += f"\nNext shift: <@{nxt[1]}> {discord.utils.format_dt(nxt[0], 'F')}."
        await send_private(interaction, text)

    @duty.command(name="tags")
    @_peer_only()
    @app_commands.describe(tags="Comma-separated tags you share, e.g. grief, veterans")
    async def duty_tags(self, interaction: discord.Interaction, tags: str) -> None:
        """Choose the topics or lived experience you'd like requests for."""
        assert interaction.guild_id is not None
        known = {
            t.lower(): t for t in await self.services.peers.tags.guild_tags(interaction.guild_id)
        }
        chosen = []
        for raw in tags.split(","):
            key = raw.strip().lower()
            if not key:
                continue
            if key not in known:
                raise InvalidInputError(
                    f"`{raw.strip()}` is not a tag here. Tags: "
                    + (", ".join(known.values()) or "none yet")
                    + "."
                )
            chosen.append(known[key])
        await self.services.peers.tags.set_peer_tags(
            interaction.guild_id, interaction.user.id, chosen
        )
        await send_private(interaction, "Your tags: " + (", ".join(chosen) or "none") + ".")

    @shift.command(name="add")
    @_peer_only()
    @app_commands.describe(
        weekday="e.g. monday",
        start="e.g. 18:00",
        end="e.g. 22:00",
        tz="Your IANA time zone, e.g. Europe/London",
    )
    @app_commands.autocomplete(tz=timezone_autocomplete)
    async def shift_add(
        self, interaction: discord.Interaction, weekday: str, start: str, end: str, tz: str
    ) -> None:
        """Add a weekly shift; you go on and off duty by yourself, with a reminder first."""
        assert interaction.guild_id is not None
        shift = await self.duty_service.add_shift(
            interaction.guild_id, interaction.user.id, weekday, start, end, tz
        )
        await self._schedule_shift(shift)
        window = shift_window_after(shift, self.services.clock())
        await send_private(
            interaction,
            f"Shift added: {_shift_text(shift)}. Next: "
            f"{discord.utils.format_dt(window.start, 'F')}.",
        )

    @shift.command(name="list")
    @_peer_only()
    async def shift_list(self, interaction: discord.Interaction) -> None:
        """Your weekly shifts."""
        assert interaction.guild_id is not None
        shifts = await self.duty_service.shifts(interaction.guild_id, interaction.user.id)
        await send_private(
            interaction,
            "\n".join(_shift_text(s) for s in shifts)
            or "You have no shifts. `/duty shift add` adds one.",
        )

    @shift.command(name="remove")
    @_peer_only()
    async def shift_remove(self, interaction: discord.Interaction, shift_id: int) -> None:
        """Remove one of your weekly shifts by its number."""
        assert interaction.guild_id is not None
        await self.duty_service.remove_shift(interaction.guild_id, interaction.user.id, shift_id)
        await self.services.scheduler.cancel_prefix(f"shift:{shift_id}:")
        await send_private(interaction, f"Shift #{shift_id} removed.")

    # -- shifts on the scheduler -------------------------------------------------------------
    async def _schedule_shift(self, shift: ShiftRow) -> None:
        """Store the next start, end and reminder of a weekly shift as timers."""
        window = shift_window_after(shift, self.services.clock())
        now = self.services.clock()
        sched = self.services.scheduler
        payload = {"shift_id": shift.id}
        if window.start > now:
            await sched.schedule_once(
                SHIFT_START,
                window.start,
                payload,
                guild_id=shift.guild_id,
                key=f"shift:{shift.id}:start",
            )
            remind = window.start - timedelta(minutes=10)
            if remind > now:
                await sched.schedule_once(
                    SHIFT_REMIND,
                    remind,
                    payload,
                    guild_id=shift.guild_id,
                    key=f"shift:{shift.id}:remind",
                )
        else:  # added during its own time: on duty now
            await sched.schedule_once(
                SHIFT_START, now, payload, guild_id=shift.guild_id, key=f"shift:{shift.id}:start"
            )
        await sched.schedule_once(
            SHIFT_END, window.end, payload, guild_id=shift.guild_id, key=f"shift:{shift.id}:end"
        )

    async def _on_shift_start(self, timer: TimerRow) -> None:
        shift = await self.duty_service.repo.get_shift(timer.payload["shift_id"])
        if shift is None:
            return
        window = shift_window_after(shift, timer.due_at)
        if window.end > self.services.clock():
            await self.duty_service.go_on(shift.guild_id, shift.user_id, window.end, source="shift")
            await self._dm(
                shift.user_id,
                "Your shift has started: you're on duty until "
                f"{discord.utils.format_dt(window.end, 't')}.",
            )
        nxt = shift_window_after(shift, window.end + timedelta(seconds=1))
        await self.services.scheduler.schedule_once(
            SHIFT_START,
            nxt.start,
            timer.payload,
            guild_id=shift.guild_id,
            key=f"shift:{shift.id}:start",
        )
        await self.services.scheduler.schedule_once(
            SHIFT_REMIND,
            nxt.start - timedelta(minutes=10),
            timer.payload,
            guild_id=shift.guild_id,
            key=f"shift:{shift.id}:remind",
        )

    async def _on_shift_remind(self, timer: TimerRow) -> None:
        shift = await self.duty_service.repo.get_shift(timer.payload["shift_id"])
        if shift is None or self.services.scheduler.too_late(timer):
            return  # a reminder after the fact helps nobody
        await self._dm(shift.user_id, "Your peer-support shift starts in 10 minutes.")

    async def _on_shift_end(self, timer: TimerRow) -> None:
        shift = await self.duty_service.repo.get_shift(timer.payload["shift_id"])
        if shift is None:
            return
        duty = await self.duty_service.repo.get(shift.guild_id, shift.user_id)
        # None: the row already expired (any on-duty lookup at the end time drops it), and the
        # peer must still be asked about the requests they hold. Manual duty is left alone.
        if duty is None or duty.source == "shift":
            await self._end_duty(shift.guild_id, shift.user_id, "Your shift has ended. Thank you.")
        nxt = shift_window_after(shift, timer.due_at + timedelta(seconds=1))
        await self.services.scheduler.schedule_once(
            SHIFT_END, nxt.end, timer.payload, guild_id=shift.guild_id, key=f"shift:{shift.id}:end"
        )

    async def _on_duty_expire(self, timer: TimerRow) -> None:
        await self._end_duty(
            timer.payload["guild_id"],
            timer.payload["user_id"],
            "Your time on duty has ended. Thank you.",
        )

    async def _end_duty(self, guild_id: int, user_id: int, text: str) -> None:
        await self.bot.wait_until_ready()
        await self.duty_service.go_off(guild_id, user_id)
        held = await self.services.peers.requests.held_by(guild_id, user_id)
        if held:
            view = discord.ui.View(timeout=None)
            view.add_item(HandoffButton("keep", guild_id))
            view.add_item(HandoffButton("give", guild_id))
            await self._dm(
                user_id,
                text + f" You hold {len(held)} open request(s). Keep them, "
                "or hand them to the next on-duty peer?",
                view=view,
            )
        else:
            await self._dm(user_id, text)

    async def _dm(self, user_id: int, text: str, view: discord.ui.View | None = None) -> None:
        try:
            user = await find_user(self.bot, user_id)
            if view is None:
                await user.send(text)
            else:
                await user.send(text, view=view)
        except discord.HTTPException as exc:
            log.info("could not DM peer %s: %s", user_id, exc.status)

    async def _tz(self, interaction: discord.Interaction):
        import zoneinfo

        from bot.services.settings import CoreSettings

        mine = await self.services.prefs.get(interaction.user.id, "timezone")
        if mine:
            return zoneinfo.ZoneInfo(mine)
        core = await self.services.settings.get(interaction.guild_id or 0, CoreSettings)
        return zoneinfo.ZoneInfo(core.timezone)


class HandoffButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:handoff:(?P<choice>keep|give):(?P<guild>\d+)",
):
    """At shift end: keep the requests you hold, or hand them to the next on-duty peer.
    A DynamicItem, so the choice still works after a restart."""

    def __init__(self, choice: str, guild_id: int) -> None:
        label = "Keep them" if choice == "keep" else "Hand them off"
        style = discord.ButtonStyle.secondary if choice == "keep" else discord.ButtonStyle.primary
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"kindred:handoff:{choice}:{guild_id}"
            )
        )
        self.choice = choice
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["choice"], int(match["guild"]))

    async def run(self, interaction: discord.Interaction) -> None:
        if self.choice == "keep":
            await interaction.response.edit_message(
                content="You're keeping your open requests. Thank you.", view=None
            )
            return
        await interaction.response.defer()  # several Discord calls follow: answer in time
        handed = await _hand_off(interaction, self.guild_id)
        await interaction.edit_original_response(
            content=f"Handed {handed} request(s) to the next on-duty peer.", view=None
        )


async def _hand_off(interaction: discord.Interaction, guild_id: int) -> int:
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    requests = services.peers.requests
    cfg = await services.settings.get(guild_id, PeerSettings)
    on_duty = [
        r.user_id
        for r in await services.peers.duty.on_duty(guild_id)
        if r.user_id != interaction.user.id
    ]
    handed = 0
    for request in await requests.held_by(guild_id, interaction.user.id):
        try:
            fresh = await requests.unclaim(request.id, interaction.user.id)
        except KindredError:
            continue  # closed or transferred meanwhile: nothing to hand on
        handed += 1
        channel = interaction.client.get_channel(fresh.card_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            continue
        try:
            if fresh.card_message_id:
                await channel.get_partial_message(fresh.card_message_id).edit(
                    embed=card_embed(fresh, on_duty, cfg), view=card_view(fresh)
                )
            pings = " ".join(
                f"<@{p}>" for p in await requests.peers_to_ping(fresh, besides=interaction.user.id)
            )
            await channel.send(
                f"{pings} Request #{fresh.id} was handed on at the end of a shift and needs a "
                "peer.".strip(),
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            log.info("hand-off notice for request %s failed: %s", fresh.id, exc.status)
    return handed


def _canonical_hours(text: str) -> str:
    from bot.schedules import WeeklyHours

    return WeeklyHours.parse(text).canonical()


def _settings_embed(cfg: PeerSettings, title: str | None) -> discord.Embed:
    embed = discord.Embed(title=title or "Peer support settings", colour=COLOUR)
    embed.add_field(
        name="Peer role", value=f"<@&{cfg.peer_role_id}>" if cfg.peer_role_id else "not set"
    )
    embed.add_field(
        name="Peer channel", value=f"<#{cfg.peer_channel_id}>" if cfg.peer_channel_id else "not set"
    )
    embed.add_field(
        name="Moderator alerts",
        value=f"<#{cfg.mod_channel_id}>" if cfg.mod_channel_id else "not set",
    )
    embed.add_field(
        name="Conversations",
        value="anonymous DM relay"
        if cfg.conversation == "relay"
        else "private threads"
        + (f" in <#{cfg.thread_channel_id}>" if cfg.thread_channel_id else ""),
    )
    embed.add_field(
        name="Office hours",
        value=f"{cfg.office_hours} ({cfg.office_tz})" if cfg.office_hours else "not set",
    )
    embed.add_field(
        name="Limits",
        value=f"{cfg.max_open_per_peer} open per peer · "
        f"{cfg.max_requests_per_day} requests per member a day",
        inline=False,
    )
    embed.add_field(
        name="Escalation",
        value=f"re-ping {cfg.reping_minutes} min · all peers "
        f"{cfg.all_peers_minutes} min · moderators {cfg.moderator_minutes} min",
        inline=False,
    )
    embed.add_field(
        name="Idle", value=f"remind {cfg.idle_remind_hours} h · close {cfg.idle_close_hours} h"
    )
    embed.add_field(name="Retention", value=f"{cfg.retention_days} days")
    embed.add_field(name="Feedback", value="on" if cfg.feedback else "off")
    return embed


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Peers(bot))
