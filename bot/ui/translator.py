"""Slash commands' descriptions and choice names in the member's Discord language.

discord.py asks a ``Translator`` for each text of the command tree and each Discord locale
when the commands are synced; Discord then shows members the text for their client's
language. Kindred answers from its own catalogues (``bot/i18n.py``): descriptions, parameter
descriptions and choice names only. Command and parameter names stay English (the guides name
them), and an untranslated text is ``None``, so Discord shows the English one. The texts are
marked in ``bot/ui/command_texts.py`` (generated from the tree, see that module).
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import gettext_for

__all__ = ["DESCRIPTION_LIMIT", "LOCALES", "KindredTranslator", "translate_text"]

# Discord's bound on a description (command, group or parameter) and on a choice's name.
DESCRIPTION_LIMIT = 100

LOCALES: dict[discord.Locale, str] = {
    discord.Locale.spain_spanish: "es",
    discord.Locale.latin_american_spanish: "es",
    discord.Locale.french: "fr",
    discord.Locale.german: "de",
    discord.Locale.brazil_portuguese: "pt",
}

_TRANSLATED = frozenset(
    {
        app_commands.TranslationContextLocation.command_description,
        app_commands.TranslationContextLocation.group_description,
        app_commands.TranslationContextLocation.parameter_description,
        app_commands.TranslationContextLocation.choice_name,
    }
)


def translate_text(text: str, locale: discord.Locale) -> str | None:
    """``text`` in ``locale``'s language, or ``None`` (Discord shows English): a language
    Kindred has no catalogue for, a text nobody translated, or one over Discord's limit."""
    lang = LOCALES.get(locale)
    if lang is None:
        return None
    translated = gettext_for(lang)(text)
    if translated == text or not 0 < len(translated) <= DESCRIPTION_LIMIT:
        return None
    return translated


class KindredTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location not in _TRANSLATED:
            return None  # names stay English
        return translate_text(string.message, locale)
