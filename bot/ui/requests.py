"""Shared Discord pieces of a support request: the peers' card, its buttons, the
"Talk to a peer" button and the request modal.

Other features (check-ins, safety replies, peers' hand-off) show these; the support feature
(``cogs/support``) registers the dynamic items and handles what they ask for.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

import discord

from bot.errors import NotFoundError
from bot.i18n import N_
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.requests import RequestRow
from bot.services.requests.messages import support_form
from bot.services.requests.notices import (
    conversation_button_labels,
    feedback_button_labels,
    feedback_counted_text,
    shared_button_labels,
)
from bot.text import EMBED_FIELD, fit_lines
from bot.ui.lookup import find_channel
from bot.ui.replies import COLOUR, WARM, carried_language
from bot.ui.views import GuardedCallback, KindredModal, form_id, text_input

log = logging.getLogger(__name__)

PING_USERS = discord.AllowedMentions(users=True, roles=False, everyone=False)


def ago(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "R")


def member_label(request: RequestRow) -> str:
    """How peers see the member: never the identity when they chose anonymity."""
    return (
        f"Anonymous member (request #{request.id})"
        if request.anonymous
        else (f"<@{request.requester_id}>")
    )


def relay_welcome_cleared_text(number: int | None) -> str:
    """The relay thread's welcome once its member used /forgetme: naming nobody (a post in
    the peer's thread: English, as the welcome was)."""
    return f"This relay thread was for request #{number}, which has ended."


def card_embed(request: RequestRow, on_duty: list[int], cfg: PeerSettings) -> discord.Embed:
    state = {
        "open": "Waiting for a peer",
        "claimed": f"Claimed by <@{request.claimed_by}>",
        "closed": (
            "Closed: this server removed Kindred"
            if request.close_reason == "server_left"
            else "Closed"
        ),
        "cancelled": "Withdrawn by the member",
    }[request.status]
    embed = discord.Embed(
        title=f"Support request #{request.id}",
        colour=WARM if request.status == "open" else COLOUR,
        description=request.topic or "No topic given.",
    )
    embed.add_field(name="Member", value=member_label(request), inline=True)
    embed.add_field(name="Status", value=state, inline=True)
    embed.add_field(name="Waiting since", value=ago(request.created_at), inline=True)
    if request.tags:
        embed.add_field(name="Asked for", value=", ".join(request.tags), inline=False)
    if request.summary:
        embed.add_field(name="What they chose to share", value=request.summary[:1024], inline=False)
    if request.status == "open":
        # whole mentions only (a cut one shows as text), and how many more are on duty
        available = fit_lines([f"<@{p}>" for p in on_duty], EMBED_FIELD, "and {n} more", ", ")
        embed.add_field(name="On duty", value=available or "nobody on duty right now", inline=False)
    mode = "anonymous relay" if request.relay else "private thread"
    embed.set_footer(text=f"Conversation: {mode} · limit {cfg.max_open_per_peer} per peer")
    return embed


class RequestButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:req:(?P<action>[a-z]+):(?P<id>\d+)",
):
    """Buttons that carry their request id, so they work after a restart."""

    LABELS = {
        "claim": ("Claim", discord.ButtonStyle.success),
        "unclaim": ("Unclaim", discord.ButtonStyle.secondary),
        "transfer": ("Transfer", discord.ButtonStyle.secondary),
        "backup": ("I need backup", discord.ButtonStyle.primary),
        "close": ("Close", discord.ButtonStyle.danger),
        "transcript": ("Send me a transcript", discord.ButtonStyle.secondary),
    }

    def __init__(
        self, action: str, request_id: int, lang: str | None = None, *, shared: bool = False
    ) -> None:
        """``lang``: a private message's Close and transcript buttons speak the reader's
        language (chosen when it is sent); in the private thread the member and the peer
        share (``shared``), the member's words then the English; the card's stay English."""
        label, style = self.LABELS[action]
        if lang is not None and action in ("close", "transcript"):
            labels = shared_button_labels if shared else conversation_button_labels
            label = labels(lang)[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"kindred:req:{action}:{request_id}"
            )
        )
        self.action = action
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> RequestButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Support")
        if cog is None:
            raise NotFoundError(N_("Support requests are not available right now."))
        await cog.on_request_button(interaction, self.action, self.request_id)


class FeedbackButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:fb:(?P<rating>[a-z_]+):(?P<id>\d+)",
):
    RATINGS = ("helped", "somewhat", "not_really")

    def __init__(self, rating: str, request_id: int, lang: str = "en") -> None:
        # the label in the member's language when the DM is sent; the custom id never changes
        super().__init__(
            discord.ui.Button(
                label=feedback_button_labels(lang)[rating],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:fb:{rating}:{request_id}",
            )
        )
        self.rating = rating
        self.request_id = request_id
        self.lang: str | None = None  # the question's: the request's, once read for its member

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["rating"], int(match["id"]))

    def carried(self) -> str | None:
        return self.lang

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        requests = services.peers.requests
        # the question (and so its answer, or a refusal under it) is in the request's
        # language for its member; anyone else is answered in their own
        request = await requests.get(self.request_id)
        if request.requester_id == interaction.user.id:
            self.lang = await requests.language_for(request)
        await requests.feedback(self.request_id, interaction.user.id, self.rating)
        lang = self.lang or await requests.language_for(request)
        await interaction.response.edit_message(content=feedback_counted_text(lang), view=None)


class TalkToPeerButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:talk:(?P<guild>\d+)(?::(?P<lang>[a-z]{2}))?",
):
    """The panel's and the crisis reply's "Talk to a peer" button; works in DMs too.

    ``lang``: the language of the private reply the button is under, carried in its custom id
    (``kindred:talk:<guild>:<lang>``), so the form and its answer are in the language the
    reply was written in, whatever the presser's Discord app says (a language chosen with
    ``/language set`` still comes first). The panel's button (a channel post) has none, and
    neither have buttons sent before it did (``kindred:talk:<guild>``): the reader's
    language then, as before."""

    def __init__(
        self, guild_id: int, label: str = "Talk to a peer", lang: str | None = None
    ) -> None:
        where = f"{guild_id}:{lang}" if lang else f"{guild_id}"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"kindred:talk:{where}",
            )
        )
        self.guild_id = guild_id
        self.lang = lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> TalkToPeerButton:
        return cls(int(match["guild"]), lang=match["lang"])

    def carried(self) -> str | None:
        return self.lang

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Support")
        if cog is None:
            raise NotFoundError(N_("Support requests are not available right now."))
        lang = await carried_language(interaction, self.lang)
        # the form, unless the one who pressed has left that server since (refused kindly)
        await cog.offer_form(interaction, self.guild_id, source="button", lang=lang)


async def refresh_card(bot: discord.Client, services: Services, request: RequestRow) -> None:
    """Edit a request's card in the peer channel to what is true now (its state, the on-duty
    peers, its buttons); a card Discord won't edit is logged, never raised."""
    if request.card_channel_id is None or request.card_message_id is None:
        return
    requests = services.peers.requests
    cfg = await requests.config(request.guild_id, require=False)
    on_duty = await requests.on_duty_ids(request.guild_id)
    channel = await find_channel(bot, request.card_channel_id)
    if channel is None:
        return
    try:
        message = channel.get_partial_message(request.card_message_id)  # type: ignore[attr-defined]
        await message.edit(embed=card_embed(request, on_duty, cfg), view=card_view(request))
    except discord.HTTPException as exc:
        log.info("could not refresh card for request %s: %s", request.id, exc.status)


def card_view(request: RequestRow) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if request.status == "open":
        view.add_item(RequestButton("claim", request.id))
    elif request.status == "claimed":
        for action in ("unclaim", "transfer", "backup", "close"):
            view.add_item(RequestButton(action, request.id))
    return view


def picked_yes(select: discord.ui.Item) -> bool:
    values = getattr(select, "values", None) or []
    return bool(values) and values[0] == "yes"


def _relabel(select: discord.ui.Item, *, no: str, yes: str) -> None:
    for option in getattr(select, "options", []):
        option.label = yes if option.value == "yes" else no


class SupportModal(KindredModal, title="Talk to a peer"):
    topic = discord.ui.Label(
        text="Topic (optional)",
        component=discord.ui.TextInput(
            custom_id="topic",
            required=False,
            max_length=100,
            placeholder="A word or two is enough, e.g. 'rough week'",
        ),
    )
    summary = discord.ui.Label(
        text="What's going on? (optional, peers see it)",
        component=discord.ui.TextInput(
            custom_id="summary",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
        ),
    )
    tags = discord.ui.Label(
        text="Someone who shares… (optional tags)",
        component=discord.ui.TextInput(
            custom_id="tags",
            required=False,
            max_length=200,
            placeholder="e.g. grief, veterans (comma separated)",
        ),
    )
    anonymous = discord.ui.Label(
        text="Stay anonymous to peers?",
        component=discord.ui.Select(
            custom_id="anonymous",
            required=False,
            options=[
                discord.SelectOption(label="No: peers may see who I am", value="no", default=True),
                discord.SelectOption(label="Yes: stay anonymous (replies come by DM)", value="yes"),
            ],
        ),
    )
    same_peer = discord.ui.Label(
        text="Same peer as last time, if they're on duty?",
        component=discord.ui.Select(
            custom_id="same_peer",
            required=False,
            options=[
                discord.SelectOption(label="No preference", value="no", default=True),
                discord.SelectOption(label="Yes, the same peer if possible", value="yes"),
            ],
        ),
    )

    def __init__(self, guild_id: int, *, source: str, lang: str = "en") -> None:
        # the class's items are copied per form, so each form is in its reader's language
        words = support_form(lang)
        super().__init__(title=words.title, custom_id=form_id("support-modal", guild_id, source))
        self.guild_id = guild_id
        self.source = source
        self.lang = lang
        # each question is a Label around its input (a text input's own label is deprecated);
        # the inputs' custom ids are the same, so forms already open still submit
        self.topic.text = words.topic_label
        self.summary.text = words.summary_label
        self.tags.text = words.tags_label
        text_input(self.topic).placeholder = words.topic_placeholder
        text_input(self.tags).placeholder = words.tags_placeholder
        self.anonymous.text = words.anonymous_label
        _relabel(self.anonymous.component, no=words.anonymous_no, yes=words.anonymous_yes)
        self.same_peer.text = words.same_peer_label
        _relabel(self.same_peer.component, no=words.same_peer_no, yes=words.same_peer_yes)

    def carried(self) -> str | None:
        return self.lang  # the form's language: the reply's, or the reader's at /support

    async def on_submit(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Support")
        if cog is None:  # unloaded while the form was open: nothing stored, said kindly
            raise NotFoundError(N_("Support requests are not available right now."))
        await cog.intake(
            interaction,
            self.guild_id,
            topic=text_input(self.topic).value,
            summary=text_input(self.summary).value,
            tags=[t for t in re.split(r"[,;]", text_input(self.tags).value) if t.strip()],
            anonymous=picked_yes(self.anonymous.component),
            same_peer=picked_yes(self.same_peer.component),
            source=self.source,
            lang=self.lang,
        )
