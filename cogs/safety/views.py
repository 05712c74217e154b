"""What members see under Kindred's private replies: talk to a peer, pick your state for
respites, "not now" and "stop these messages". Persistent (dynamic items)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.safety.messages import button_labels, opt_out_text
from bot.safety.peer_resources import respites_for_state_text
from bot.services import Services
from bot.services.resources import region_name
from bot.services.safety import respite_states
from bot.ui.lookup import member_within
from bot.ui.replies import carried_language, send_private
from bot.ui.requests import TalkToPeerButton
from bot.ui.views import GuardedCallback


class OptOutButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:safety:(?P<what>optout|notnow)(?::(?P<lang>[a-z]{2}))?",
):
    """The "Not now" and "Stop these messages" buttons: the custom id carries the reply's
    language (``kindred:safety:<what>:<lang>``), so the answer is in the language the reply
    was written in (a language chosen with ``/language set`` since comes first); a button
    sent before it did (``kindred:safety:<what>``) answers in the reader's language."""

    def __init__(self, what: str, lang: str | None = "en") -> None:
        labels = button_labels(lang or "en")
        suffix = f":{lang}" if lang else ""
        super().__init__(
            discord.ui.Button(
                label=labels["optout"] if what == "optout" else labels["notnow"],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:safety:{what}{suffix}",
            )
        )
        self.what = what
        self.lang = lang

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["what"], match["lang"])

    def carried(self) -> str | None:
        return self.lang

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        if self.what == "optout":
            await services.safety.set_opt_out(interaction.user.id, True)
        lang = await carried_language(interaction, self.lang)
        await interaction.response.send_message(opt_out_text(self.what, lang), ephemeral=True)


class RespiteStateSelect(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"kindred:respite:(?P<lang>[a-z]{2})(?::(?P<guild>[0-9]{1,20}))?",
):
    """Under a respite answer when the member's state is unknown: pick one, see respites.
    The custom id carries the server the reply was for (``kindred:respite:<lang>:<guild>``),
    so the answer lists that server's own respites first, as ``/respite`` does; a menu sent
    before it did (``kindred:respite:<lang>``) answers with the shipped ones."""

    def __init__(self, lang: str = "en", guild_id: int | None = None) -> None:
        options = [discord.SelectOption(label=s[3:], value=s) for s in respite_states()]
        where = f":{guild_id}" if guild_id is not None else ""
        super().__init__(
            discord.ui.Select(
                placeholder=button_labels(lang)["state"],
                options=options or [discord.SelectOption(label="-", value="none")],
                custom_id=f"kindred:respite:{lang}{where}",
            )
        )
        self.lang = lang
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        guild = match["guild"]
        return cls(match["lang"], int(guild) if guild else interaction.guild_id)

    def carried(self) -> str | None:
        return self.lang

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        values = (interaction.data or {}).get("values") or []
        state = str(values[0]) if values else ""
        guild_id = await self._trusted_guild(interaction)
        region, entries = await services.safety.picked_state_respites(guild_id, state)
        # named as /respite names it ("Vermont, Estados Unidos (US-VT)"); a forged value as is
        where = region_name(region, self.lang)
        await send_private(interaction, respites_for_state_text(where, entries, self.lang))

    async def _trusted_guild(self, interaction: discord.Interaction) -> int | None:
        """The custom id's server, when the presser may read its own respites: pressed in that
        server, or in a DM by a member of it (a custom id can be forged); else None, the
        shipped entries only, as when Discord can't tell in time (bounded: a rate-limited
        look-up never holds the answer past the 3 s Discord gives it)."""
        if self.guild_id is None:
            return None
        if interaction.guild_id is not None:
            return self.guild_id if self.guild_id == interaction.guild_id else None
        found = await member_within(interaction.client, self.guild_id, interaction.user.id)
        return self.guild_id if found else None


DYNAMIC_ITEMS = (OptOutButton, RespiteStateSelect)


def reply_view(
    guild_id: int | None,
    peers_ready: bool,
    lang: str = "en",
    *,
    ask_state: bool = False,
    talk: Sequence[discord.ui.Item] | None = None,
) -> discord.ui.View:
    """The items under a private reply: the Talk to a peer button of ``guild_id`` (or, to a
    DM that pleads for a peer, ``talk``: the offer's button per server), the respite menu,
    Not now and Stop these messages."""
    labels = button_labels(lang)
    view = discord.ui.View(timeout=None)
    if talk is not None:
        for item in talk:
            view.add_item(item)
    elif guild_id is not None and peers_ready:
        view.add_item(TalkToPeerButton(guild_id, labels["talk"], lang))
    if ask_state:
        view.add_item(RespiteStateSelect(lang, guild_id))
    view.add_item(OptOutButton("notnow", lang))
    view.add_item(OptOutButton("optout", lang))
    return view


def talk_view(guild_id: int, lang: str) -> discord.ui.View:
    """Under /crisis in a server where peer support is set up."""
    view = discord.ui.View(timeout=None)
    view.add_item(TalkToPeerButton(guild_id, button_labels(lang)["talk"], lang))
    return view
