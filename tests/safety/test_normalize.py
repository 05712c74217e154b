from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.detector import Detector
from bot.safety.normalize import (
    _WORDS,
    MAX_CHARS,
    _normalize_word,
    normalize,
    normalize_ex,
    normalize_word,
    normalize_words,
    split_tokens,
)
from bot.safety.prefilter import Prefilter


def n(text: str) -> str:
    return normalize(text).strip()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I WANT TO DIE", "i want to die"),  # casefold
        ("ｋｉｌｌ", "kil"),  # NFKC fullwidth (+ squeeze)
        ("k\u200bi\u200dl\u00adl", "kil"),  # Cf characters removed
        ("kіll", "kil"),  # Cyrillic і
        ("ΚΙΛΛ"[0:1].lower() + "ill", "kil"),  # Greek kappa
        ("suicídio", "suicidio"),  # accents stripped
        ("müde", "mude"),
        ("k!ll mys3lf", "kil myself"),  # leet
        ("su1c1de", "suicide"),
        ("ki11", "kil"),
        ("qu1ero", "quiero"),
        ("$uicid4l", "suicidal"),
        ("g00dby3", "godbye"),
        ("s u i c i d e", "suicide"),  # spaced letters
        ("k.i.l.l m.y.s.e.l.f", "kil myself"),
        ("q u i e r o  m o r i r", "quiero morir"),
        ("diiiie", "die"),  # squeeze
        ("sooo", "so"),
        ("don't", "dont"),  # apostrophes
        ("don’t", "dont"),
        ("hi, there!", "hi . there ."),  # clause markers
    ],
)
def test_transformations(raw: str, expected: str) -> None:
    assert n(raw) == expected


def test_numbers_without_letters_untouched() -> None:
    assert n("kill -9 1234") == "kil 9 1234"
    assert n("2 am and 100%") == "2 am and 100"


def test_padding_and_spaced_flag() -> None:
    text, spaced = normalize_ex("k i l l m y s e l f")
    assert text.startswith(" ") and text.endswith(" ")
    assert spaced is True
    assert normalize_ex("k.i.l.l")[1] is False
    assert normalize_ex("hello there")[1] is False


@pytest.mark.parametrize(
    ("decorated", "plain"),
    [
        ("g o 😭 o d b y e. rota's done", "g o o d b y e. rota's done"),  # one gap each side
        ("g o😭o d b y e", "g o o d b y e"),  # glued to both letters: one space
        ("k→i→l→l m e", "k i l l m e"),
        ("a d✨ e🙏u 👍s galera", "a d e u s galera"),
        ("h o y   💔   m e   v o y", "h o y   m e   v o y"),  # a word break stays one
        ("q u i e r o 🖤  m o r i r", "q u i e r o  m o r i r"),
    ],
)
def test_symbols_between_spaced_letters_read_as_the_gap(decorated: str, plain: str) -> None:
    """An emoji or symbol between single letters is a gap: the letters are joined as they
    would be without it (before, "g o 😭 o d b y e" read as "g", "o", "odbye")."""
    assert normalize_ex(decorated) == normalize_ex(plain)


def test_a_laughing_emoji_between_letters_is_still_set_aside() -> None:
    assert n("k 💀 y s") == "k y s 💀"
    assert n("i ❤️ u") == "i u"  # two letters are no spaced run, as without the heart
    assert n("so😭sad") == "so sad"  # between words, as before


def test_spoilers_are_read() -> None:
    assert n("||i want to die||") == "i want to die"


def test_quotes_and_code_are_skipped() -> None:
    assert n("> i want to die\nmy reply") == "my reply"
    assert n("before\n>>> quoted rest\nmore quoted") == "before"
    assert n("```\nkill -9 1\n```after") == "after"
    assert n("use `kill` now") == "use now"


def test_urls_emoji_mentions_removed() -> None:
    assert n("read https://example.com/kill-myself now") == "read now"
    assert n("<:kms:12345> <@123> <@!456> <#789> <@&1> ok") == "ok"


def test_length_is_bounded() -> None:
    text = normalize("a " * (MAX_CHARS * 5))
    assert len(text) <= MAX_CHARS + 2


# Words as split_tokens leaves them: no whitespace, any other character (leet, punctuation,
# repeats, non-ASCII), so the batch path sees every step's special cases.
_WORD = st.text(
    alphabet=st.one_of(
        st.sampled_from("abcdeilost01345@$!'.,;:?-_*#()[]\\/\"`~"),
        st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs")),
    ),
    min_size=1,
    max_size=12,
).filter(lambda w: w == "".join(w.split()))


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORD, min_size=17, max_size=80, unique=True))
def test_many_words_at_once_equal_word_by_word(words: list[str]) -> None:
    """A long message's new words are normalised together (one call per step): the same
    words as one by one, whatever the words hold."""
    expected = [_normalize_word(w) for w in words]
    _WORDS.clear()  # every word new, so the batch path runs
    assert normalize_words(words) == expected
    assert [normalize_word(w) for w in words] == expected  # and the memo holds them


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORD, min_size=65, max_size=120), st.booleans())
def test_prefilter_learns_a_long_message_as_word_by_word(words: list[str], risky: bool) -> None:
    """The prefilter's batch path for a long message gives every word the same key words,
    and the message the same answer, as word by word."""
    if risky:
        words = [*words, "i", "want", "to", "k1ll", "myself."]
    one_by_one, at_once = _fresh_prefilter(), _fresh_prefilter()
    for word in words:
        one_by_one[word]
    assert at_once.may_hit(words) is one_by_one.may_hit(words)
    assert {w: at_once[w] for w in words} == {w: one_by_one[w] for w in words}
    if risky:
        assert at_once.may_hit(words)


def _fresh_prefilter() -> Prefilter:
    """The detector's prefilter with nothing learnt yet."""
    shipped = Detector.default()._prefilter
    fresh = Prefilter.__new__(Prefilter)
    for name in Prefilter.__slots__:
        setattr(fresh, name, getattr(shipped, name))
    return fresh


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("i 😭 want 😭 to 😭 die", ["i", "want", "to", "die"]),
        ("i😭want😭to😭die", ["i", "want", "to", "die"]),
        ("i 🙏 want ✨ to ❤️ die", ["i", "want", "to", "die"]),  # ❤️: a variation selector
        ("quiero 😭😭 morir → ya", ["quiero", "morir", "ya"]),
        # before the first word or after the last: as before
        ("i want to die 😭", ["i", "want", "to", "die", "😭"]),
        ("kms 💀 💀", ["kms", "💀", "💀"]),
        ("😭i want to die😭", ["😭i", "want", "to", "die😭"]),
        (
            "hoping the flu takes me😭 out 😭tbh",
            ["hoping", "the", "flu", "takes", "me", "out", "tbh"],
        ),
        # laughing emoji mark banter: kept once, after the last word
        (
            "kms 💀 im so bad at this 💀 game",
            ["kms", "im", "so", "bad", "at", "this", "game", "💀"],
        ),
    ],
)
def test_emoji_and_symbols_between_words_are_skipped(text: str, words: list[str]) -> None:
    assert split_tokens(text)[0] == words


def test_a_message_without_symbols_between_words_is_split_as_before() -> None:
    for text in ("café time", "i want to die 😭😭", "😭", "épée ☕"):
        assert split_tokens(text)[0] == text.replace("é", "e").split()
