"""The posted check-in embed and the mood buttons. The buttons are ``DynamicItem``s whose
custom id carries what they need, so they keep working after a restart; a press is handed to
the ``Checkins`` cog."""

from __future__ import annotations

import re
from datetime import timedelta

import discord

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.services.checkins import MOODS, PostPlan, mood_label
from bot.ui.replies import COLOUR
from bot.ui.views import GuardedCallback
from cogs.checkins.text import MOOD_EMOJI, summary_text


def post_embed(plan: PostPlan) -> discord.Embed:
    embed = discord.Embed(title=plan.checkin.title, description=plan.prompt, colour=COLOUR)
    if plan.summary is not None:
        # whole days back to the previous run (7 across a clock change is still a week)
        days = round(plan.summary_period / timedelta(days=1)) if plan.summary_period else 1
        name = {1: "Yesterday's moods", 7: "Last week's moods"}.get(
            days, f"Moods over the last {days} days"
        )
        embed.add_field(name=f"{name} (anonymous counts)", value=summary_text(plan.summary))
    embed.set_footer(text="Tap how you feel: answers are anonymous, only totals are kept.")
    return embed


class MoodButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:mood:(?P<post>\d+):(?P<level>[1-5])",
):
    """A mood on a posted channel check-in; recorded anonymously."""

    def __init__(self, post_id: int, level: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=MOODS[level],
                emoji=MOOD_EMOJI[level],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:mood:{post_id}:{level}",
            )
        )
        self.post_id = post_id
        self.level = level

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> MoodButton:
        return cls(int(match["post"]), int(match["level"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Checkins")
        if cog is None:
            raise InvalidInputError(N_("Check-ins are not available right now."))
        await cog.on_mood(interaction, self.post_id, self.level)


class PersonalMoodButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:pmood:(?P<level>[1-5])",
):
    """A mood on a personal DM check-in; stored for the member alone. Labelled in the
    member's language (the custom id is the same in every language)."""

    def __init__(self, level: int, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=mood_label(level, lang),
                emoji=MOOD_EMOJI[level],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:pmood:{level}",
            )
        )
        self.level = level

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PersonalMoodButton:
        return cls(int(match["level"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Checkins")
        if cog is None:
            raise InvalidInputError(N_("Check-ins are not available right now."))
        await cog.on_personal_mood(interaction, self.level)


def mood_view(post_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for level in sorted(MOODS):
        view.add_item(MoodButton(post_id, level))
    return view


def personal_view(lang: str = "en") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for level in sorted(MOODS):
        view.add_item(PersonalMoodButton(level, lang))
    return view
