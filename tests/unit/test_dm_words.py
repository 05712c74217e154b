"""The answers a member types to Kindred's check-in ("not now", "stop these"), in every
language Kindred speaks, and the translated replies that teach them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.safety.messages import crisis_reply, possible_concern_reply
from bot.services.resources import default_directory
from bot.services.safety import NOT_NOW_PHRASES, STOP_PHRASES, dm_words

LANGS = ("en", "es", "fr", "de", "pt")
ACCENTED = {"arreter ces messages": "arrêter ces messages", "agora nao": "agora não"}
PHRASES = [(p, "stopped", lang) for lang, ps in STOP_PHRASES.items() for p in ps] + [
    (p, "not_now", lang) for lang, ps in NOT_NOW_PHRASES.items() for p in ps
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not now", ("not_now", "en")),
        ("Ahora no.", ("not_now", "es")),
        ("pas maintenant !", ("not_now", "fr")),
        ("Jetzt nicht", ("not_now", "de")),
        ("agora não", ("not_now", "pt")),
        ("agora nao", ("not_now", "pt")),
        ("stop these messages!", ("stopped", "en")),
        ("detener estos", ("stopped", "es")),
        ("Arrêter ces messages", ("stopped", "fr")),
        ("diese stoppen", ("stopped", "de")),
        ("parar estas", ("stopped", "pt")),
        ("ahora no puedo más", None),
        ("pas maintenant, j'ai peur", None),
        ("I can't stop these thoughts", None),
        ("no", None),
        ("", None),
    ],
)
def test_whole_short_answers_in_each_language(text: str, expected) -> None:
    assert dm_words(text) == expected


def _accented(phrase: str) -> str:
    return ACCENTED.get(phrase, phrase)


@given(
    st.sampled_from(PHRASES),
    st.lists(st.booleans(), min_size=40, max_size=40),
    st.sampled_from(["", ".", "!", " !", "...", "  "]),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_any_case_spacing_accents_and_final_mark_still_match(
    entry, upper, mark, lead, accents
) -> None:
    phrase, action, lang = entry
    written = _accented(phrase) if accents else phrase
    cased = "".join(c.upper() if u else c for c, u in zip(written, upper, strict=False))
    cased += written[len(upper) :]
    assert dm_words(lead + cased.replace(" ", "  ") + mark) == (action, lang)


@given(st.sampled_from(PHRASES), st.text(min_size=1, max_size=20))
def test_a_phrase_followed_by_more_is_a_message_to_read(entry, extra) -> None:
    phrase, _, _ = entry
    if not re.sub(r"[\W_]", "", unicodedata.normalize("NFKD", extra)):
        return  # only spaces or marks: still the phrase
    assert dm_words(f"{phrase}, {extra}") is None
    assert dm_words(f"{extra}: {phrase}") is None


@pytest.mark.parametrize("lang", LANGS)
def test_each_reply_teaches_the_words_of_its_own_language(lang: str) -> None:
    """The bold words in "Reply **...** ... **...**" are the member's language's, and
    Kindred understands them."""
    directory = default_directory()
    region = {"en": "US", "es": "ES", "fr": "FR", "de": "DE", "pt": "BR"}[lang]
    ctx = directory.crisis_context(region, date(2026, 12, 1), language=lang)
    for message in (
        crisis_reply(ctx.lines, ctx.directory, True, False, False, lang=lang),
        possible_concern_reply(ctx.lines, ctx.directory, lang=lang),
    ):
        line = [b for b in message.body if b.count("**") >= 4][-1]
        taught = [dm_words(w) for w in re.findall(r"\*\*(.+?)\*\*", line)]
        assert ("not_now", lang) in taught and ("stopped", lang) in taught, (lang, line)
