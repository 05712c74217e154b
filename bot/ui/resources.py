"""Resource replies as Discord text and embeds, built from the dated resource directory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.errors import InvalidInputError
from bot.safety.messages import SafeMessage
from bot.safety.peer_resources import nobody_on_duty
from bot.services.resources import CrisisContext, ResourceEntry, country_of, default_directory
from bot.ui.replies import WARM


def context(
    region: str | None,
    now: datetime,
    extra: Sequence[ResourceEntry] = (),
    language: str | None = None,
) -> CrisisContext:
    """Lines for the region; those in the member's language first."""
    return default_directory().crisis_context(region, now.date(), extra=extra, language=language)


def safe_embed(message: SafeMessage) -> discord.Embed:
    embed = discord.Embed(title=message.title, description="\n".join(message.body), colour=WARM)
    if message.footer:
        embed.set_footer(text=message.footer[:2048])
    return embed


def nobody_on_duty_message(
    region: str | None,
    now: datetime,
    extra: Sequence[ResourceEntry] = (),
    *,
    intro: bool = True,
    waiting: bool = True,
    lang: str = "en",
) -> SafeMessage:
    directory = default_directory()
    ctx = directory.crisis_context(region, now.date(), extra=extra, language=lang)
    warmlines: list[ResourceEntry] = []
    respites: list[ResourceEntry] = []
    if ctx.region is not None:
        warmlines = directory.warmlines(ctx.region, extra=extra)
        if country_of(ctx.region) == "US" and ctx.region != "US":
            try:
                respites = directory.respites(ctx.region, extra=extra)
            except InvalidInputError:
                respites = []
    return nobody_on_duty(
        crisis_lines=ctx.lines,
        directory=ctx.directory,
        warmlines=warmlines,
        respites=respites,
        emergency=ctx.emergency,
        last_checked=ctx.last_checked,
        stale=ctx.stale,
        unverified=ctx.unverified,
        intro=intro,
        waiting=waiting,
        lang=lang,
    )


def nobody_on_duty_text(
    region: str | None,
    now: datetime,
    extra: Sequence[ResourceEntry] = (),
    *,
    intro: bool = True,
    waiting: bool = True,
    lang: str = "en",
) -> str:
    return nobody_on_duty_message(
        region, now, extra, intro=intro, waiting=waiting, lang=lang
    ).as_text()
