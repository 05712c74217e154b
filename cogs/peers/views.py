"""Direct messages to peers, and the shift-end hand-off buttons."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.peers import messages as say
from bot.services.peers.shifts import DutyEnded, ShiftReminder, ShiftStarted
from bot.services.requests import RequestRow
from bot.services.requests.notices import requeued_member_text
from bot.ui.letting_go import let_go
from bot.ui.lookup import find_user
from bot.ui.replies import reader_language
from bot.ui.requests import PING_USERS, card_embed, card_view
from bot.ui.views import GuardedCallback

log = logging.getLogger(__name__)

#: what a duty DM says: the shift started, its reminder, or duty ended
DutyDM = ShiftStarted | ShiftReminder | DutyEnded


async def dm_peer(
    bot: commands.Bot, user_id: int, text: str, view: discord.ui.View | None = None
) -> None:
    """DM a peer; when they can't be reached (DMs closed, gone) it is logged and given up,
    never retried. Discord failing for a moment (5xx, 429) is raised, for ``tell_peer`` to
    try again."""
    try:
        user = await find_user(bot, user_id)
        if view is None:
            await user.send(text)
        else:
            await user.send(text, view=view)
    except (discord.Forbidden, discord.NotFound) as exc:
        log.info("could not DM peer %s: %s", user_id, exc.status)


async def server_name(bot: commands.Bot, guild_id: int) -> str | None:
    """The server's name for a peer's DM (a peer may volunteer in several); None when Discord
    can't say just now (the DM then names no server, as it can't)."""
    guild = bot.get_guild(guild_id)
    if guild is not None:
        return guild.name
    try:
        return (await bot.fetch_guild(guild_id, with_counts=False)).name
    except discord.HTTPException:
        return None


async def tell_peer(bot: commands.Bot, told: DutyDM, *, shift: bool = True, retry: bool = False):
    """A duty DM in the peer's language: the shift started, its reminder, or duty ended
    (``shift``: a shift's end, not a duty end time; with requests held, the hand-off
    buttons). Discord failing for a moment (5xx, 429) stores a retry of this DM (``dm_later``,
    a stored timer: it survives a restart) and the DM arrives once; a retry (``retry``)
    failing again raises, so the scheduler backs off and gives up after its attempts. A
    refusal (403: DMs closed) is given up."""
    services: Services = bot.services  # type: ignore[attr-defined]
    try:
        await _send(bot, services, told, shift)
    except (discord.HTTPException, discord.RateLimited) as exc:
        if retry:
            raise
        status = getattr(exc, "status", 429)  # RateLimited: a 429 beyond discord.py's waits
        log.warning("a duty DM to peer %s failed (%s); tried again later", told.user_id, status)
        await services.peers.shifts.dm_later(told, shift=shift)


async def _send(bot: commands.Bot, services: Services, told: DutyDM, shift: bool) -> None:
    lang = await services.safety.language_for(told.user_id)
    server = await server_name(bot, told.guild_id)
    if isinstance(told, ShiftStarted):
        until = discord.utils.format_dt(told.until, "t") if told.until else None
        text = say.shift_started_text(until, lang, server, told.waiting)
        await dm_peer(bot, told.user_id, text)
        return
    if isinstance(told, ShiftReminder):
        await dm_peer(bot, told.user_id, say.shift_reminder_text(lang, server))
        return
    text = say.duty_ended_text(shift, told.held, lang, server)
    if not told.held:
        await dm_peer(bot, told.user_id, text)
        return
    at = None if told.at is None else math.ceil(told.at.timestamp())
    view = discord.ui.View(timeout=None)
    view.add_item(HandoffButton("keep", told.guild_id, lang))
    view.add_item(HandoffButton("give", told.guild_id, lang, at))
    await dm_peer(bot, told.user_id, text, view=view)


class HandoffButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:handoff:(?P<choice>keep|give):(?P<guild>\d+)(?::(?P<at>\d{1,12}))?",
):
    """At shift end: keep the requests you hold, or hand them to the next on-duty peer.
    A DynamicItem, so the choice still works after a restart. **Hand them off** carries when
    the question was asked (``:<unix seconds>``): pressed later, it hands on the requests held
    then, never one claimed since; one sent before it did hands on all."""

    def __init__(self, choice: str, guild_id: int, lang: str = "en", at: int | None = None) -> None:
        # the label in the peer's language when the DM is sent; the custom id never changes
        label = say.handoff_button_labels(lang)[choice]
        style = discord.ButtonStyle.secondary if choice == "keep" else discord.ButtonStyle.primary
        when = f":{at}" if at is not None and choice == "give" else ""
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"kindred:handoff:{choice}:{guild_id}{when}"
            )
        )
        self.choice = choice
        self.guild_id = guild_id
        self.at = at

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        at = match["at"]
        return cls(match["choice"], int(match["guild"]), at=int(at) if at else None)

    async def run(self, interaction: discord.Interaction) -> None:
        if self.choice == "keep":
            lang = await reader_language(interaction)
            await interaction.response.edit_message(content=say.kept_requests_text(lang), view=None)
            return
        await interaction.response.defer()  # several Discord calls follow: answer in time
        held_at = None if self.at is None else datetime.fromtimestamp(self.at, UTC)
        handed = await _hand_off(interaction, self.guild_id, held_at)
        lang = await reader_language(interaction)
        await interaction.edit_original_response(
            content=say.handed_off_text(handed, lang), view=None
        )


async def _hand_off(
    interaction: discord.Interaction, guild_id: int, held_at: datetime | None
) -> int:
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    cfg = await services.settings.get(guild_id, PeerSettings)
    result = await services.peers.shifts.hand_off(guild_id, interaction.user.id, held_at)
    requests = services.peers.requests
    for fresh, held in zip(result.handed, result.held, strict=True):
        await _announce(interaction, services, fresh, result.on_duty, cfg, guild_id)
        # as Unclaim: the old conversation closed off and the member told by DM
        await let_go(
            interaction.client,
            requests,
            held,
            interaction.user.id,
            requeued_member_text,
            relay_note=True,
        )
    return len(result.handed)


async def _announce(
    interaction: discord.Interaction,
    services: Services,
    fresh: RequestRow,
    on_duty: list[int],
    cfg: PeerSettings,
    guild_id: int,
) -> None:
    """Show the handed-on request as open again on its card, and ping the peers for it."""
    # Pressed in a DM, this runs in the process owning shard 0, which in a cluster may not
    # have this server in its cache: the card's channel is then a partial one (REST only).
    if fresh.card_channel_id is None:
        return
    client = interaction.client
    channel = client.get_channel(fresh.card_channel_id)
    if channel is None and client.get_guild(guild_id) is None:
        channel = client.get_partial_messageable(fresh.card_channel_id, guild_id=guild_id)
    if not isinstance(channel, discord.TextChannel | discord.PartialMessageable):
        return
    requests = services.peers.requests
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
