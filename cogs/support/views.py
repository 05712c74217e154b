"""The support feature's own small views: choosing who takes a request over, the buttons
inside a conversation, and the feedback question after it."""

from __future__ import annotations

import re

import discord

from bot.errors import NotFoundError
from bot.i18n import N_
from bot.services.requests import notices as say
from bot.ui.requests import FeedbackButton, RequestButton
from bot.ui.views import GuardedCallback, KindredView


class TransferSelect(discord.ui.UserSelect):
    def __init__(self, request_id: int, lang: str = "en") -> None:
        super().__init__(
            placeholder=say.transfer_select_placeholder(lang), min_values=1, max_values=1
        )
        self.request_id = request_id

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Support")
        assert cog is not None
        await cog.transfer(interaction, self.request_id, self.values[0])


class RelayChoiceButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:relayto:(?P<id>\d+)",
):
    """In a member's DMs: the relayed conversation (labelled with its server's name) that the
    words they wrote without replying to a peer's message are for; works after a restart."""

    def __init__(self, request_id: int, label: str = "?") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.primary,
                custom_id=f"kindred:relayto:{request_id}",
            )
        )
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> RelayChoiceButton:
        return cls(int(match["id"]), item.label or "?")

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Support")
        if cog is None:
            raise NotFoundError(N_("Support requests are not available right now."))
        await cog.on_relay_choice(interaction, self.request_id)


def transfer_view(request_id: int, lang: str = "en") -> discord.ui.View:
    view = KindredView(timeout=120)
    view.add_item(TransferSelect(request_id, lang))
    return view


def conversation_view(
    request_id: int, *, transcript: bool, lang: str | None = None, shared: bool = False
) -> discord.ui.View:
    """Close (and, for the member, ask for a transcript); works after a restart. ``lang`` for
    a private message (the member's DM): its labels in the reader's language; ``shared``: the
    private thread the member and the peer share (the member's language, then the English)."""
    view = discord.ui.View(timeout=None)
    view.add_item(RequestButton("close", request_id, lang, shared=shared))
    if transcript:
        view.add_item(RequestButton("transcript", request_id, lang, shared=shared))
    return view


def feedback_view(request_id: int, lang: str = "en") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for rating in FeedbackButton.RATINGS:
        view.add_item(FeedbackButton(rating, request_id, lang))
    return view


def mentions(user_ids: list[int]) -> str:
    return " ".join(f"<@{p}>" for p in user_ids)
