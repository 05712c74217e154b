from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety.assess import Assessor
from bot.safety.datasets import load_set
from bot.safety.detector import Detection, Detector, Label
from tests.helpers.words import words_and_gaps

settings.register_profile(
    "safety", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DETECTOR = Detector.default()

CRISIS = [
    ("i want to kill myself", 2),
    ("i want to die", 2),
    ("im suicidal", 2),
    ("i wish i could disappear", 1),
    ("i dont want to wake up", 1),
    ("everyone would be better off without me", 1),
    ("this is my goodbye", 3),
    ("i took something", 3),
    ("quiero morir", 2),
    ("je veux mourir", 2),
    ("ich will sterben", 2),
    ("quero morrer", 2),
]
LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7"}
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_output_is_valid(text: str) -> None:
    got = DETECTOR.detect(text)
    assert isinstance(got, Detection)
    assert got.label in Label
    if got.label is Label.CRISIS_SELF:
        assert got.tier in (1, 2, 3)
    else:
        assert got.tier == 0
    assert all(isinstance(p, str) for p in got.phrase_ids)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("|>`*_~ \n<@:!$1 kill myself0"), max_size=300))
def test_markup_heavy_text_never_raises(text: str) -> None:
    assert isinstance(DETECTOR.detect(text), Detection)


def _random_case(draw, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c for c, f in zip(text, flips, strict=True))


def _zero_width(draw, text: str) -> str:
    out = []
    for c in text:
        out.append(c)
        if c != " " and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(ZERO_WIDTH)))
    return "".join(out)


def _space_out(draw, text: str) -> str:
    sep = draw(st.sampled_from([" ", ".", "-"]))
    word_sep = "  " if sep == " " else " "
    return word_sep.join(sep.join(word) for word in text.split())


def _repeat_letters(draw, text: str) -> str:
    return "".join(c * draw(st.integers(1, 4)) if c.isalpha() else c for c in text)


def _leet(draw, text: str) -> str:
    words = []
    for word in text.split():
        if len(word) < 2:
            words.append(word)
            continue
        chars = list(word)
        for i, c in enumerate(chars):
            if c in LEET and draw(st.booleans()):
                sub = draw(st.sampled_from(LEET[c]))
                if sub == "!" and i in (0, len(chars) - 1):
                    continue  # a bang at a word edge is punctuation, not a letter
                chars[i] = sub
        # a token with no letter left is read as a number ("70"), so keep one letter
        words.append("".join(chars) if any(c.isalpha() for c in chars) else word)
    return " ".join(words)


def _spoiler(draw, text: str) -> str:
    return f"||{text}||"


TRANSFORMS = [_random_case, _zero_width, _space_out, _repeat_letters, _leet, _spoiler]


@st.composite
def obfuscated(draw):
    text, tier = draw(st.sampled_from(CRISIS))
    chosen = draw(st.lists(st.sampled_from(TRANSFORMS), min_size=1, max_size=3, unique=True))
    # leet before letter repeats ("11" is read as "ll"), spacing after letter-level
    # transforms, spoilers last
    order = {
        f: i
        for i, f in enumerate(
            [_leet, _repeat_letters, _random_case, _space_out, _zero_width, _spoiler]
        )
    }
    for transform in sorted(chosen, key=order.__getitem__):
        text = transform(draw, text)
    return text, tier


@settings(max_examples=400, deadline=None)
@given(obfuscated())
def test_obfuscations_still_caught(case: tuple[str, int]) -> None:
    text, tier = case
    got = DETECTOR.detect(text)
    assert got.label is Label.CRISIS_SELF, (text, got)
    assert got.tier == tier, (text, got)


# Emoji and symbols people put between words; not the laughing ones ("💀", "😂"...), which
# mark banter on purpose (docs/detector.md: they lower "kms"-type entries only).
DECORATION = ["😭", "🙏", "✨", "❤️", "😔", "🥺", "💔", "🫠", "👍", "🖤", "😢", "🌧️", "⭐", "→", "♡"]


@functools.cache
def _validation_alerts() -> tuple[tuple[str, int], ...]:
    """A sample of validation crisis_self lines (every fourth) the shipped model makes crisis
    alerts today, with their tier."""
    assessor = Assessor.default()
    lines = [r["text"] for r in load_set("validation") if r["label"] == "crisis_self"][::4]
    found = [(t, assessor.assess(t)) for t in lines]
    return tuple((t, a.tier) for t, a in found if a.is_alert and a.label is Label.CRISIS_SELF)


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


@st.composite
def decorated(draw) -> tuple[str, int, str]:
    text, tier = draw(st.sampled_from(_validation_alerts()))
    text = text.strip()
    words, gaps = words_and_gaps(text)  # the gaps stay as written (spaced letters)
    out = [words[0]]
    for before, gap, word in zip(words[:-1], gaps, words[1:], strict=True):
        # Only between two words: a symbol standing alone ("... les gars 🖤") is no word, and
        # what follows a line's last word stays as written (the known case below).
        if _is_word(before) and _is_word(word) and draw(st.booleans()):
            emoji = draw(st.sampled_from(DECORATION))
            left, right = draw(st.sampled_from([gap, ""])), draw(st.sampled_from([gap, ""]))
            if not (left or right) and ("\n" in gap or (len(gap) > 1 and not gap.strip())):
                # Glued shut on both sides, a word break wider than the letter gaps
                # ("h o y   m e" → "h o y😢m e") reads as a letter gap to anyone, and two
                # lines become one (a "> " quote line would swallow the writer's own next
                # line): keep one side.
                left = gap
            out.append(left + emoji + right)
            out.append(word)
        else:
            out.append(gap + word)
    return text, tier, "".join(out)


@settings(max_examples=150, deadline=None)
@given(decorated())
def test_emoji_between_the_words_of_a_crisis_line_never_lower_it(
    case: tuple[str, int, str],
) -> None:
    text, tier, with_emoji = case
    got = Assessor.default().assess(with_emoji)
    assert got.is_alert and got.label is Label.CRISIS_SELF, (text, with_emoji, got)
    assert got.tier >= tier, (text, with_emoji, got)


FAREWELL = "Je quitte le serveur, et le reste aussi. C'était bien de vous connaître, les gars"


@pytest.mark.xfail(
    strict=True, reason="lr-fa29dc69b3 reads a crying emoji after a farewell's last word as banter"
)
def test_a_crying_emoji_after_a_farewells_last_word_keeps_it_an_alert() -> None:
    """Symbols after a line's last word stay as written (docs/detector.md, emoji between
    words), and the model learned "😭" from hyperbole ("i wanna die 😭"). A validation farewell
    (V40) that the shipped model alerts with its closing "🖤" (crisis 0.56) gets only the
    gentle check-in with "😭" before the heart (0.32); lr-777b0dcd77 did the same. Found by the
    emoji property above in round 28's clean CI, when its generator still counted "🖤" as a
    word; the property now keeps to gaps between words, as its name says, and the case stays
    visible here. Passes once a model keeps the alert."""
    got = Assessor.default().assess(FAREWELL + " 😭 🖤")
    assert got.is_alert and got.label is Label.CRISIS_SELF, got


def test_a_crying_emoji_after_a_farewells_last_word_still_gets_a_private_response() -> None:
    """The known case above is not an alert, but the member still gets the gentle private
    check-in, and the farewell as written is a crisis alert."""
    assert Assessor.default().assess(FAREWELL + " 🖤").is_alert
    got = Assessor.default().assess(FAREWELL + " 😭 🖤")
    assert got.label is not Label.NONE, got
