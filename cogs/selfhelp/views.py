"""Self-help's buttons and the plan's forms.

Every button is a ``DynamicItem`` whose custom id carries what it needs, so it keeps working
after a restart; a press is handed to the ``SelfHelp`` cog. None of them trusts its id: the
cog asks the service whether this presser, in this server, may do what the id says.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import InvalidInputError
from bot.i18n import N_, gettext_for
from bot.safety.messages import button_labels
from bot.services.selfhelp import (
    MAX_ANSWER,
    PARTS,
    PlanRow,
    Reading,
    goal_button_labels,
    questions,
)
from bot.ui.requests import TalkToPeerButton
from bot.ui.views import GuardedCallback, KindredModal, form_id


def _cog(interaction: discord.Interaction) -> Any:
    cog = interaction.client.get_cog("SelfHelp")
    if cog is None:
        raise InvalidInputError(N_("Self-help is not available right now."))
    return cog


class PageButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:sh:(?P<dir>[pn]):(?P<scope>\d+):(?P<page>\d+):(?P<slug>[a-z0-9-]{1,40})",
):
    """Previous / Next on a library page: the server it was opened in, the topic, the page."""

    def __init__(
        self,
        direction: str,
        scope: int,
        page: int,
        slug: str,
        *,
        disabled: bool = False,
        lang: str = "en",
    ):
        _ = gettext_for(lang)
        label = _("◀ Previous") if direction == "p" else _("Next ▶")
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:sh:{direction}:{scope}:{page}:{slug}",
                disabled=disabled,
            )
        )
        self.scope, self.page, self.slug = scope, page, slug

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PageButton:
        return cls(match["dir"], int(match["scope"]), int(match["page"]), match["slug"])

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_page_button(interaction, self.scope, self.page, self.slug)


class GoalButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:goal:(?P<action>done|going|pause):(?P<id>\d+)",
):
    """An answer to a goal nudge: done, still working on it, pause the nudges. Labelled in the
    member's language (the custom id is the same in every language)."""

    STYLES = {
        "done": discord.ButtonStyle.success,
        "going": discord.ButtonStyle.primary,
        "pause": discord.ButtonStyle.secondary,
    }

    def __init__(self, action: str, goal_id: int, lang: str = "en") -> None:
        label = goal_button_labels(lang)[action]
        custom_id = f"kindred:goal:{action}:{goal_id}"
        super().__init__(
            discord.ui.Button(label=label, style=self.STYLES[action], custom_id=custom_id)
        )
        self.action, self.goal_id = action, goal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> GoalButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_goal_button(interaction, self.action, self.goal_id)


class PlanPartButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:plan:part:(?P<part>[1-9])",
):
    """Opens one part of the presser's own plan (never anyone else's); labelled in the
    member's language (the custom id is the same in every language)."""

    def __init__(self, part: int, lang: str = "en") -> None:
        _ = gettext_for(lang)
        name = _(PARTS[part]) if part in PARTS else ""
        super().__init__(
            discord.ui.Button(
                label=_("Part {part}: {name}").format(part=part, name=name)[:80],
                style=discord.ButtonStyle.primary,
                custom_id=f"kindred:plan:part:{part}",
            )
        )
        self.part = part

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PlanPartButton:
        return cls(int(match["part"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).open_plan_part(interaction, self.part)


class PlanDeleteButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:plan:(?P<action>delete|keep):(?P<user>\d+)",
):
    """The confirmation of ``/plan delete``: only the member it was shown to can use it;
    labelled in their language."""

    def __init__(self, action: str, user_id: int, lang: str = "en") -> None:
        _ = gettext_for(lang)
        label, style = (
            (_("Delete my plan"), discord.ButtonStyle.danger)
            if action == "delete"
            else (_("Keep it"), discord.ButtonStyle.secondary)
        )
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"kindred:plan:{action}:{user_id}"
            )
        )
        self.action, self.user_id = action, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PlanDeleteButton:
        return cls(match["action"], int(match["user"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_plan_delete(interaction, self.action, self.user_id)


class PlanModal(KindredModal):
    """One part of the wellness plan: up to three optional questions, filled in with what the
    member wrote before."""

    def __init__(self, part: int, plan: PlanRow | None) -> None:
        super().__init__(
            title=f"Wellness plan {part}/{len(PARTS)}: {PARTS[part]}"[:45],
            custom_id=form_id("plan-modal", part),
        )
        self.part = part
        self.inputs: dict[str, discord.ui.TextInput] = {}
        self.labels: dict[str, discord.ui.Label] = {}  # each question around its input
        answers = plan.answers if plan else {}
        for question in questions(part):
            field: discord.ui.TextInput = discord.ui.TextInput(
                custom_id=question.key,
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=MAX_ANSWER,
                placeholder=question.placeholder[:100],
                default=answers.get(question.key, "")[:MAX_ANSWER] or None,
            )
            self.inputs[question.key] = field
            self.labels[question.key] = discord.ui.Label(text=question.label, component=field)
            self.add_item(self.labels[question.key])

    async def on_submit(self, interaction: discord.Interaction) -> None:
        values = {key: field.value for key, field in self.inputs.items()}
        await _cog(interaction).on_plan_submit(interaction, self.part, values)


def page_view(
    reading: Reading, guild_id: int | None, lang: str = "en", *, posted: bool = False
) -> discord.ui.View:
    """Previous / Next and Talk to a peer, labelled in ``lang`` (custom ids the same).
    ``posted``: a page shared in a channel, read by everyone: English, as Kindred's posts are,
    and its Talk to a peer button carries no language (each presser's own, as the panel's)."""
    if posted:
        lang = "en"
    view = discord.ui.View(timeout=None)
    slug, scope, index = reading.topic.slug, reading.scope, reading.index
    if reading.count > 1:
        prev_page, next_page = max(index - 1, 0), min(index + 1, reading.count - 1)
        view.add_item(PageButton("p", scope, prev_page, slug, disabled=reading.first, lang=lang))
        view.add_item(PageButton("n", scope, next_page, slug, disabled=reading.last, lang=lang))
    if guild_id is not None and posted:
        view.add_item(TalkToPeerButton(guild_id))
    elif guild_id is not None:
        view.add_item(TalkToPeerButton(guild_id, button_labels(lang)["talk"], lang))
    return view


def goal_view(goal_id: int, lang: str = "en") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in ("done", "going", "pause"):
        view.add_item(GoalButton(action, goal_id, lang))
    return view


def next_part_view(part: int, lang: str = "en") -> discord.ui.View | None:
    if part >= len(PARTS):
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PlanPartButton(part + 1, lang))
    return view


def delete_view(user_id: int, lang: str = "en") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PlanDeleteButton("delete", user_id, lang))
    view.add_item(PlanDeleteButton("keep", user_id, lang))
    return view
