"""Asking: ``/support`` (ask, status, cancel, close) and the answer to the request form."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.services.requests import (
    BlockedError,
    Intake,
    NotInServerError,
    RequestRow,
    ServerAwayError,
    require_member,
)
from bot.services.requests.messages import (
    blocked_text,
    busy_peers_text,
    claimed_status_text,
    intake_answer_text,
    next_peer_text,
    no_request_text,
    no_shift_text,
    opening_status_text,
    queued_status_text,
    unknown_tags_text,
    withdrawn_text,
)
from bot.services.requests.notices import closed_text
from bot.ui.checks import GuildOnlyError
from bot.ui.lookup import is_member
from bot.ui.replies import reader_language, send_private
from bot.ui.requests import SupportModal, ago
from cogs.support.claims import ClaimsRoom


def unknown_tags_line(result: Intake, lang: str = "en") -> str:
    """A gentle note that tags the server doesn't have were left out (the request stands)."""
    names = ", ".join(f"**{discord.utils.escape_markdown(t)}**" for t in result.unknown_tags)
    known = ", ".join(result.server_tags)
    return unknown_tags_text(names, len(result.unknown_tags), known, lang)


def _others_on_duty(result: Intake) -> list[int]:
    """The peers on duty but the member (a peer asking for support can't take their own)."""
    return [p for p in result.on_duty if p != result.request.requester_id]


class CommandsRoom(ClaimsRoom):
    @app_commands.command(name="support", extras={"server_only": True})
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
            request = await self.requests.closable_here(
                interaction.channel_id, interaction.guild_id, interaction.user.id
            )
            await self._close(interaction, request)
            return
        if interaction.guild_id is None:
            raise GuildOnlyError()
        guild_id = interaction.guild_id
        lang = await reader_language(interaction)
        if action == "cancel":
            request = await self.requests.cancel_own(guild_id, interaction.user.id)
            lang = await self.requests.language_for(request)
            if request.claimed_by is None:
                await send_private(interaction, withdrawn_text(lang))
                await self._refresh_card(request)
                return
            # a peer held it: the member's choice is honoured as a close, with all of a
            # close's follow-up (the thread's closing line, the peer thanked, feedback)
            await send_private(interaction, closed_text(True, lang))
            await self._after_close(request)
            return
        await self.requests.config(guild_id)
        existing = await self.requests.live_for(guild_id, interaction.user.id)
        if existing is not None:
            # about their request: in its language, as its other private messages
            lang = await self.requests.language_for(existing)
            await send_private(interaction, await self._status_text(existing, lang))
            return
        if action == "status":
            await send_private(interaction, no_request_text(lang))
            return
        # the form, or (a member blocked from peer requests here) the kind refusal with the
        # lines at once, before they write what is going on
        await self.offer_form(interaction, guild_id, source="command", lang=lang)

    async def _status_text(self, request: RequestRow, lang: str = "en") -> str:
        if request.status == "claimed" and request.thread_id is None:
            return opening_status_text(request.id, lang)
        if request.status == "claimed":
            thread = request.thread_id if not request.relay else None
            return claimed_status_text(request.id, thread, lang)
        position = await self.requests.position(request)
        return queued_status_text(request.id, ago(request.created_at), position, lang)

    # -- the "Talk to a peer" button and the request form's answer ----------------------------
    async def _in_server(self, interaction: discord.Interaction, guild_id: int) -> bool | None:
        """Whether the one who pressed or sent is in the server now: pressed in it, they are;
        in a DM or another server Discord is asked (None when it can't say)."""
        if interaction.guild_id == guild_id:
            return True
        return await is_member(self.bot, guild_id, interaction.user.id)

    async def _refuse_with_lines(
        self, interaction: discord.Interaction, guild_id: int, head: str, lang: str
    ) -> None:
        """No request was opened: the reason, then the resources without "your request is
        saved", under a title for someone who is not waiting for a peer."""
        resources = await self._resources_text(
            guild_id, interaction.user.id, intro=False, waiting=False, lang=lang
        )
        await send_private(interaction, head + "\n\n" + resources)

    async def offer_form(
        self, interaction: discord.Interaction, guild_id: int, *, source: str, lang: str
    ) -> None:
        """The "Talk to a peer" button (``bot.ui.requests.TalkToPeerButton``): the request
        form, unless the one who pressed is no longer in that server (a DM's button outlives
        membership): then a kind refusal with the lines; so for a member blocked from peer
        requests there (an older reply's button, a panel), at once rather than after they
        wrote what is going on in a form that could only be refused."""
        try:
            await self.requests.refuse_away(guild_id)
            require_member(await self._in_server(interaction, guild_id))
            await self.requests.refuse_blocked(guild_id, interaction.user.id)
        except BlockedError:
            await self._refuse_with_lines(interaction, guild_id, blocked_text(lang), lang)
            return
        except (NotInServerError, ServerAwayError) as error:
            await self._refuse_with_lines(interaction, guild_id, error.message_in(lang), lang)
            return
        await interaction.response.send_modal(SupportModal(guild_id, source=source, lang=lang))

    # -- the request form's answer (bot.ui.requests.SupportModal calls this) -----------------
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
        lang: str | None = None,
    ) -> None:
        """``lang``: the language the form was shown in (its answer is in the same one, and
        the request keeps it for its private messages to the member)."""
        lang = lang or await reader_language(interaction)
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
                in_server=await self._in_server(interaction, guild_id),
                lang=lang,
            )
        except (BlockedError, NotInServerError, ServerAwayError) as error:
            blocked = isinstance(error, BlockedError)
            head = blocked_text(lang) if blocked else error.message_in(lang)
            await self._refuse_with_lines(interaction, guild_id, head, lang)
            return
        await send_private(interaction, await self._intake_answer(result, lang))
        await self._post_card(result.request, result.on_duty, ping=result.ping)

    async def _intake_answer(self, result: Intake, lang: str = "en") -> str:
        request = result.request
        minutes = None
        if result.estimate:
            minutes = max(1, round(result.estimate.total_seconds() / 60))
        return intake_answer_text(
            request.id,
            result.position,
            anonymous=request.anonymous,
            relay=request.relay,
            on_duty=len(_others_on_duty(result)),
            estimate_minutes=minutes,
            tags_note=unknown_tags_line(result, lang) if result.unknown_tags else None,
            nobody_lines=None if result.free else await self._nobody_on_duty_lines(result, lang),
            lang=lang,
            free=len(result.free),
        )

    async def _nobody_on_duty_lines(self, result: Intake, lang: str = "en") -> list[str]:
        """Nobody can take the request now: nobody on duty (when the next peer is expected),
        or every peer on duty already holds as many requests as allowed; then the lines."""
        if others := _others_on_duty(result):
            when = busy_peers_text(len(others), lang, moderators=result.moderators_told_later)
        elif result.next_peer_at:
            when = next_peer_text(
                discord.utils.format_dt(result.next_peer_at, "F"), ago(result.next_peer_at), lang
            )
        else:
            when = no_shift_text(lang, moderators=result.moderators_told_later)
        request = result.request
        resources = await self._resources_text(
            request.guild_id, request.requester_id, intro=False, lang=lang
        )
        return [when, "", resources]
