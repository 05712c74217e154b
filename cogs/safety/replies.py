"""Kindred's private replies: built from the service's resource choices and sent by DM; if
DMs are closed, perhaps a brief channel note that mentions only the member and deletes itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord

from bot.safety.messages import (
    channel_fallback_text,
    concern_other_reply,
    crisis_reply,
    distress_pointer,
    possible_concern_reply,
)
from bot.safety.peer_resources import needs_reply
from bot.services import Services
from bot.services.safety import Decision, ReplyOutcome, shows_region_lines
from bot.ui.offers import PeerOffer
from bot.ui.replies import COLOUR
from bot.ui.resources import safe_embed
from cogs.safety.views import reply_view

log = logging.getLogger("cogs.safety")


class RepliesMixin:
    """Private replies (part of the Safety cog)."""

    services: Services

    async def _reply(
        self,
        message: discord.Message,
        decision: Decision,
        detected_lang: str,
        posted: Sequence[discord.Message] = (),
        alert_ids: Sequence[int] = (),
        *,
        alerts_out: asyncio.Future | None = None,
    ) -> tuple[ReplyOutcome, bool]:
        """DM the member; if that fails, maybe a brief channel note. Returns what became of
        the DM ("sent", "pending": a retry is stored, "dms_closed") and whether a note was
        posted. A retry stored for a moment's failure keeps where the alerts ``posted`` and
        those of ``alert_ids`` are, to say on them if the reply is never sent: when the
        alerts are being sent alongside (``alerts_out``), it is stored once they are out (the
        DM itself never waits for them)."""
        assert message.guild is not None
        author = message.author
        guild_id = message.guild.id
        safety = self.services.safety
        lang = await safety.language_for(author.id, detected_lang)
        try:
            await self._send_reply(author, guild_id, str(decision.reply), decision.needs, lang)
            return "sent", False
        except discord.Forbidden:
            log.info("safety guild=%s: member DMs closed", guild_id)
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: DM failed (%s); will retry", guild_id, exc.status)
            if alerts_out is not None:
                await asyncio.wait({alerts_out})  # never raises: the alerts fail on their own
            await safety.retry_reply_later(
                guild_id,
                author.id,
                str(decision.reply),
                decision.needs,
                lang,
                decision.event_id,
                cards=[(sent.channel.id, sent.id) for sent in posted],
                alert_ids=alert_ids,
            )
            return "pending", False
        if not await safety.wants_channel_note(guild_id, decision):
            return "dms_closed", False
        try:
            note = await message.channel.send(
                channel_fallback_text(author.mention, lang=lang),
                allowed_mentions=discord.AllowedMentions(
                    users=[author], everyone=False, roles=False
                ),
            )
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: channel note failed (%s)", guild_id, exc.status)
            return "dms_closed", False
        await safety.note_posted(guild_id, note.channel.id, note.id)
        return "dms_closed", True

    async def _send_reply(
        self,
        user,
        guild_id: int | None,
        kind: str,
        needs: tuple[str, ...],
        lang: str,
        *,
        needs_guild_id: int | None = None,
        offer: PeerOffer | None = None,
        content: str | None = None,
    ) -> None:
        """Build and DM the private reply of this kind (raises what Discord raises).
        ``guild_id`` is None for a DM to Kindred: no server, so no peer button; there the
        needs' answer and its peer button may still come from the one server the member
        shares with Kindred (``needs_guild_id``). To a DM that pleads for a peer, ``offer``'s
        buttons (one per server they may ask in) take the peer button's place, under the
        offer's words (``content``)."""
        embeds, view = await self._reply_parts(
            user, guild_id, kind, needs, lang, needs_guild_id=needs_guild_id, offer=offer
        )
        if view is None:
            await user.send(content, embeds=embeds)
        else:
            await user.send(content, embeds=embeds, view=view)

    async def _reply_parts(
        self,
        user,
        guild_id: int | None,
        kind: str,
        needs: tuple[str, ...],
        lang: str,
        *,
        needs_guild_id: int | None = None,
        offer: PeerOffer | None = None,
    ) -> tuple[list[discord.Embed], discord.ui.View | None]:
        """The private reply of this kind: its embeds and the view under them. The needs'
        entries and the peer button are ``needs_guild_id``'s when it is given (a DM to
        Kindred), else ``guild_id``'s; ``offer``'s buttons replace that peer button."""
        embeds: list[discord.Embed] = []
        ask_state = False
        view: discord.ui.View | None = None
        # the texts ask to press **Talk to a peer** only when the view below carries it
        with_view = kind != "distress" or bool(needs) or offer is not None
        server = guild_id if needs_guild_id is None else needs_guild_id
        if offer is not None:
            peers_ready = bool(offer.buttons)
        else:
            peers_ready = (
                with_view
                and server is not None
                and await self.services.safety.peers_ready(server, user.id)
            )
        if kind == "distress":
            embeds.append(discord.Embed(description=distress_pointer(lang=lang), colour=COLOUR))
        elif kind != "needs":
            lines = shows_region_lines(kind, needs)
            embeds.append(
                await self._reply_embed(
                    guild_id, user.id, kind, lang, lines=lines, peer_button=peers_ready
                )
            )
        if needs:
            needs_embed, ask_state = await self._needs_embed(
                server, user.id, needs, lang, peer_button=peers_ready
            )
            embeds.append(needs_embed)
        if with_view:
            talk = offer.buttons if offer is not None else None
            view = reply_view(server, peers_ready, lang, ask_state=ask_state, talk=talk)
        return embeds, view

    async def _reply_embed(
        self,
        guild_id: int | None,
        user_id: int,
        kind: str,
        lang: str = "en",
        *,
        lines: bool = True,
        peer_button: bool = True,
    ) -> discord.Embed:
        ctx = await self.services.safety.crisis_context(guild_id, user_id, language=lang)
        if kind == "possible_concern":
            return safe_embed(
                possible_concern_reply(
                    ctx.lines if ctx.region_known and lines else [],
                    ctx.directory,
                    lang=lang,
                    last_checked=ctx.last_checked,
                    stale=ctx.stale,
                    unverified=ctx.unverified,
                    peer_button=peer_button,
                )
            )
        builder = concern_other_reply if kind == "concern_other" else crisis_reply
        message = builder(
            ctx.lines,
            ctx.directory,
            ctx.region_known,
            ctx.stale,
            ctx.unverified,
            emergency=ctx.emergency,
            last_checked=ctx.last_checked,
            peer_button=peer_button,
            lang=lang,
        )
        return safe_embed(message)

    async def _needs_embed(
        self,
        guild_id: int | None,
        user_id: int,
        needs: tuple[str, ...],
        lang: str,
        *,
        peer_button: bool = True,
    ) -> tuple[discord.Embed, bool]:
        """The respite / warmline / peer answer; True when the member's state must be asked."""
        plan = await self.services.safety.needs_plan(guild_id, user_id, needs, lang)
        message = needs_reply(
            needs,
            respites=plan.respites,
            warmlines=plan.warmlines,
            region_label=plan.region_label,
            ask_state=plan.ask_state,
            lang=lang,
            last_checked=plan.last_checked,
            stale=plan.stale,
            unverified=plan.unverified,
            peer_button=peer_button,
        )
        return safe_embed(message), plan.ask_state
