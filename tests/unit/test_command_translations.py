"""Slash commands' descriptions and choice names in es, fr, de, pt (bot/ui/translator.py)."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.i18n import gettext_for
from bot.ui.command_texts import TEXTS
from bot.ui.translator import DESCRIPTION_LIMIT, KindredTranslator, translate_text
from tests.helpers.command_texts import collect
from tests.unit.test_i18n import LANGS, template_ids

Location = app_commands.TranslationContextLocation


async def test_every_command_text_is_in_the_generated_module_and_the_template() -> None:
    tree_texts = set(await collect())
    assert "Crisis lines for your region, shown only to you." in tree_texts
    missing = tree_texts - set(TEXTS)
    stale = set(TEXTS) - tree_texts
    assert not missing and not stale, (
        "run `.venv/bin/python -m tests.helpers.command_texts`, then the pybabel commands of "
        f"`make messages`, and translate: missing {sorted(missing)}, stale {sorted(stale)}"
    )
    assert tree_texts <= template_ids(), "run the pybabel commands of `make messages`"


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        (discord.Locale.spain_spanish, "es"),
        (discord.Locale.latin_american_spanish, "es"),
        (discord.Locale.french, "fr"),
        (discord.Locale.german, "de"),
        (discord.Locale.brazil_portuguese, "pt"),
    ],
)
def test_discord_locales_map_to_kindreds_catalogues(locale: discord.Locale, lang: str) -> None:
    text = "Crisis lines for your region, shown only to you."
    translated = translate_text(text, locale)
    assert translated == gettext_for(lang)(text) != text


@pytest.mark.parametrize(
    "locale", [discord.Locale.american_english, discord.Locale.japanese, discord.Locale.italian]
)
def test_a_language_without_a_catalogue_gets_none_so_discord_shows_english(
    locale: discord.Locale,
) -> None:
    assert translate_text("Crisis lines for your region, shown only to you.", locale) is None


def test_an_untranslated_text_is_none() -> None:
    assert translate_text("a description nobody translated", discord.Locale.french) is None


@pytest.mark.parametrize("lang", LANGS)
def test_every_command_text_is_translated_within_discords_limit(lang: str) -> None:
    _ = gettext_for(lang)
    too_long = [(text, _(text)) for text in TEXTS if len(_(text)) > DESCRIPTION_LIMIT]
    assert not too_long, f"{lang}: over {DESCRIPTION_LIMIT} characters: {too_long}"
    # language names and a few words read the same in every language; the rest is translated
    same = [text for text in TEXTS if _(text) == text]
    assert len(same) <= 12, f"{lang}: untranslated {same}"


async def test_names_stay_english_and_descriptions_are_translated() -> None:
    translator = KindredTranslator()
    french = discord.Locale.french
    for location in (Location.command_name, Location.group_name, Location.parameter_name):
        context = app_commands.TranslationContext(location=location, data=None)
        assert (
            await translator.translate(app_commands.locale_str("crisis"), french, context) is None
        )
    context = app_commands.TranslationContext(location=Location.command_description, data=None)
    text = app_commands.locale_str("Crisis lines for your region, shown only to you.")
    assert await translator.translate(text, french, context) == gettext_for("fr")(text.message)
    choice = app_commands.TranslationContext(location=Location.choice_name, data=None)
    assert await translator.translate(app_commands.locale_str("ask for support"), french, choice)
