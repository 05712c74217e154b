"""What groups look like on Discord: the guidelines card and its "I accept" button, the browse
panel with join and leave buttons, the notice of new guidelines, and an anonymous post.

The buttons are ``DynamicItem``s whose custom ids carry the group id (and, for "I accept", the
guidelines version the member read), so they keep working after a restart; a press is handed to
the ``Groups`` cog, which checks the group belongs to the server the button was pressed in."""

from __future__ import annotations

import re
from typing import Literal

import discord

from bot.errors import NotFoundError
from bot.i18n import N_, render
from bot.services.groups import AnonymousPlan, GroupRow, Guidelines, JoinPlan, adopted_as
from bot.ui.replies import COLOUR, WARM
from bot.ui.views import GuardedCallback

PANEL_GROUPS = 5  # one row per group: Join, Leave
PANEL_MESSAGES = 5

# The guidelines card a member reads privately (the guidelines themselves as written)
CARD_TITLE = N_("{group}: guidelines")
ABOUT = N_("About the group")
CHANNEL = N_("Channel")
ACCEPT = N_("I accept these guidelines")
# The card's footer, a whole text per case: whose guidelines, and what the reader may do: just
# read them, accept them to join, or (a member, after the guidelines changed) accept the new
# version while keeping their place
CARD_FOOTER = {
    ("group", "read"): N_("This group's own guidelines, version {version}."),
    ("server", "read"): N_("The server's guidelines, version {version}."),
    ("group", "join"): N_(
        "This group's own guidelines, version {version}. To join, please read them and press "
        "the button."
    ),
    ("server", "join"): N_(
        "The server's guidelines, version {version}. To join, please read them and press the "
        "button."
    ),
    ("group", "member"): N_(
        "This group's own guidelines, version {version}. You're a member and keep your place; "
        "to accept this version, please read it and press the button."
    ),
    ("server", "member"): N_(
        "The server's guidelines, version {version}. You're a member and keep your place; to "
        "accept this version, please read it and press the button."
    ),
}
CardCase = Literal["read", "join", "member"]


def _cog(interaction: discord.Interaction):
    cog = interaction.client.get_cog("Groups")
    if cog is None:
        raise NotFoundError(N_("Support groups are not available right now."))
    return cog


class GroupButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:grp:(?P<action>join|leave|read):(?P<id>\d+)",
):
    """Join or leave a group (the panel), or read its guidelines (a notice)."""

    STYLES = {
        "join": discord.ButtonStyle.success,
        "leave": discord.ButtonStyle.secondary,
        "read": discord.ButtonStyle.primary,
    }

    def __init__(self, action: str, group_id: int, label: str | None = None) -> None:
        default = {"join": "Join", "leave": "Leave", "read": "Read the guidelines"}[action]
        super().__init__(
            discord.ui.Button(
                label=(label or default)[:80],
                style=self.STYLES[action],
                custom_id=f"kindred:grp:{action}:{group_id}",
            )
        )
        self.action = action
        self.group_id = group_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> GroupButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_group_button(interaction, self.action, self.group_id)


class AcceptButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:grp:accept:(?P<id>\d+):(?P<tag>[gs]\d{1,9})",
):
    """ "I accept": carries the version the member was shown, so an old card can never accept
    guidelines the member has not read."""

    def __init__(self, group_id: int, tag: str, label: str = ACCEPT) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.success,
                custom_id=f"kindred:grp:accept:{group_id}:{tag}",
            )
        )
        self.group_id = group_id
        self.tag = tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> AcceptButton:
        return cls(int(match["id"]), match["tag"])

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_accept(interaction, self.group_id, self.tag)


DYNAMIC_ITEMS = (GroupButton, AcceptButton)


# -- cards ---------------------------------------------------------------------------------------
def _in(lang: str, text: str, /, **params: object) -> str:
    """A marked text in ``lang``, with a service error's fallbacks (English when untranslated
    or broken)."""
    return render(lang, text, **params)


def visibility(group: GroupRow, lang: str = "en") -> str:
    if group.private:
        text = N_("Private: only members, peer supporters (facilitators) and moderators see it")
    elif (kept := adopted_as(group)) is not None and kept.hidden:
        text = N_("Open: everyone the server lets into the channel can read it")
    else:
        text = N_("Open: everyone in the server can read it")
    return _in(lang, text)


def adopted_note(group: GroupRow) -> str:
    """For the moderator, when an open group's adopted channel isn't simply open to all."""
    if group.private or not group.active or not group.adopted:
        return ""
    kept = adopted_as(group)
    if kept is None:
        return (
            f"\n\nI don't know who could see <#{group.channel_id}> before it became a group (it "
            "was adopted before I kept that), so I didn't open it wider than it is now: if "
            "@everyone still can't see it, let them (or the role that should) view it in the "
            "channel's settings."
        )
    if kept.hidden:
        return (
            f"\n\n<#{group.channel_id}> was hidden from @everyone before it became a group, so "
            "it stays that way: only people your server already lets in see it, and joining "
            "the group doesn't let anyone else in. If joining should be the way in, make the "
            "group private (`/group edit private:True`)."
        )
    return ""


def guidelines_footer(guidelines: Guidelines, *, case: CardCase, lang: str = "en") -> str:
    return _in(lang, CARD_FOOTER[(guidelines.scope, case)], version=guidelines.version)


def guidelines_text(guidelines: Guidelines, lang: str = "en") -> str:
    """The guidelines as written; Kindred's built-in ones in the reader's language."""
    return _in(lang, guidelines.text) if guidelines.builtin else guidelines.text


def guidelines_embed(
    group: GroupRow, guidelines: Guidelines, *, case: CardCase, lang: str = "en"
) -> discord.Embed:
    """The card one member reads privately, in their language (the guidelines as written,
    Kindred's built-in ones in the reader's language); ``case`` words its footer: ``read``,
    ``join`` (accept to join) or ``member`` (a member asked to accept a new version)."""
    embed = discord.Embed(
        title=_in(lang, CARD_TITLE, group=group.name)[:256],
        description=guidelines_text(guidelines, lang)[:4000],
        colour=COLOUR,
    )
    embed.add_field(name=_in(lang, ABOUT), value=group.description[:1024], inline=False)
    embed.add_field(name=_in(lang, CHANNEL), value=visibility(group, lang)[:1024], inline=False)
    embed.set_footer(text=guidelines_footer(guidelines, case=case, lang=lang))
    return embed


def accept_view(plan: JoinPlan, lang: str = "en") -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AcceptButton(plan.group.id, plan.guidelines.tag, _in(lang, ACCEPT)))
    return view


def panel_pages(
    groups: list[GroupRow], counts: dict[int, int]
) -> list[tuple[discord.Embed, discord.ui.View]]:
    """The browse panel: up to five groups per message, each with Join and Leave."""
    pages = []
    for start in range(0, min(len(groups), PANEL_GROUPS * PANEL_MESSAGES), PANEL_GROUPS):
        chunk = groups[start : start + PANEL_GROUPS]
        embed = discord.Embed(
            title="Support groups" if start == 0 else "Support groups (more)",
            description=(
                "Groups run by this community and its peer supporters. Joining asks you to "
                "accept the group's guidelines first; you can leave any time."
                if start == 0
                else None
            ),
            colour=WARM,
        )
        view = discord.ui.View(timeout=None)
        for group in chunk:
            tags = f"\nTopics: {', '.join(group.tags)}" if group.tags else ""
            members = counts.get(group.id, 0)
            embed.add_field(
                name=f"{group.name}{' (private)' if group.private else ''}"[:256],
                value=f"{group.description}{tags}\n{members} member{'s' if members != 1 else ''}"[
                    :1024
                ],
                inline=False,
            )
            view.add_item(GroupButton("join", group.id, f"Join {group.name}"))
            view.add_item(GroupButton("leave", group.id, "Leave"))
        pages.append((embed, view))
    return pages


def guidelines_notice(group: GroupRow, guidelines: Guidelines) -> tuple[str, discord.ui.View]:
    view = discord.ui.View(timeout=None)
    view.add_item(GroupButton("read", group.id))
    text = (
        f"The guidelines of **{group.name}** were updated ({guidelines.label}). Everyone keeps "
        "their place; please have a read. New members accept them when they join."
    )
    return text, view


def anonymous_embed(plan: AnonymousPlan) -> discord.Embed:
    embed = discord.Embed(description=plan.text, colour=COLOUR)
    embed.set_author(name=f"{plan.pseudonym} · anonymous")
    embed.set_footer(text="Posted anonymously through Kindred with /group post.")
    return embed


# /group list's entries: a whole text per case (the group's flags, what is missing)
_FLAGS = {
    (True, False): N_("private"),
    (False, True): N_("archived"),
    (True, True): N_("private, archived"),
}
_MISSING = {
    ("channel",): N_("⚠ missing channel: `/group repair`"),
    ("role",): N_("⚠ missing role: `/group repair`"),
    ("channel", "role"): N_("⚠ missing channel and role: `/group repair`"),
}
# a member's /group list: a group Discord lost its channel or role of can't be joined for now
_UNAVAILABLE = N_("being repaired: not open to join just now")
_ONE_MEMBER = N_("{count} member")
_MEMBERS = N_("{count} members")


def group_line(group: GroupRow, members: int, *, for_moderator: bool, lang: str = "en") -> str:
    where = f"<#{group.channel_id}>" if group.channel_id and "channel" not in group.problems else ""
    flags = []
    if group.private or not group.active:
        flags.append(_in(lang, _FLAGS[(group.private, not group.active)]))
    if for_moderator and group.problems:
        missing = tuple(sorted(group.problems))
        if missing in _MISSING:
            flags.append(_in(lang, _MISSING[missing]))
        else:  # a problem without its text: still shown, in English
            flags.append(f"⚠ missing {' and '.join(missing)}: `/group repair`")
    elif group.problems and group.active:
        flags.append(_in(lang, _UNAVAILABLE))
    flag = f" ({', '.join(flags)})" if flags else ""
    tags = f" · {', '.join(group.tags)}" if group.tags else ""
    count = _in(lang, _ONE_MEMBER if members == 1 else _MEMBERS, count=members)
    return f"**{group.name}**{flag} {where} · {count}{tags}\n{group.description}"
