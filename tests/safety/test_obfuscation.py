"""Obfuscated variants of validation positives the detector catches are still caught.

Hypothesis picks a crisis line from the validation set that the shipped detector alerts on,
and disguises it the way people do (zero-width characters, spaced or dotted letters,
leetspeak, look-alike letters, stretched letters, spoilers, shouting); the disguised line
must still get a private response (alert or the soft level), and the detector never raises.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety.assess import Assessor
from bot.safety.detector import Label
from bot.safety.training import load_set
from tests.helpers.words import words_and_gaps

LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
HOMOGLYPH = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х"}  # Cyrillic


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor.default()


@pytest.fixture(scope="module")
def caught(assessor: Assessor) -> list[str]:
    rows = [r for r in load_set("validation") if r["label"] == "crisis_self"]
    return [r["text"] for r in rows if assessor.assess(r["text"]).label is Label.CRISIS_SELF]


def _disguise(text: str, how: str, rng: st.DrawFn) -> str:
    text = text.strip()
    words, gaps = words_and_gaps(text)  # the gaps stay as written (spaced letters)
    if not text:
        return text
    i = rng(st.integers(0, len(words) - 1))
    word = words[i]
    if how == "zero_width":
        words[i] = "\u200b".join(word)
    elif how == "spaced" and len(word) >= 4 and word.isalpha():
        words[i] = " ".join(word)
    elif how == "dotted" and word.isalpha():
        words[i] = ".".join(word)
    elif how == "leet":
        words[i] = "".join(LEET.get(ch, ch) for ch in word)
    elif how == "homoglyph":
        words[i] = "".join(HOMOGLYPH.get(ch, ch) for ch in word)
    elif how == "stretch" and word.isalpha():
        words[i] = word + word[-1] * 4
    elif how == "spoiler":
        return f"||{text}||"
    elif how == "shout":
        return text.upper()
    return words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))


HOW = ["zero_width", "spaced", "dotted", "leet", "homoglyph", "stretch", "spoiler", "shout"]


# Derandomised: the same 250 disguises every run, so a model change that loses one fails
# for certain instead of by chance. (An exhaustive sweep of every single-word disguise of the
# caught validation positives lost 4 of ~42,000, e.g. "i w a n n a k1ll mys3lf": see
# docs/detector.md.)
@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_disguised_positives_still_get_a_private_response(
    assessor: Assessor, caught: list[str], data
) -> None:
    text = data.draw(st.sampled_from(caught))
    how = data.draw(st.sampled_from(HOW))
    disguised = _disguise(text, how, data.draw)
    result = assessor.assess(disguised)
    assert result.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER, Label.DISTRESS), (
        how,
        disguised,
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_the_combined_detector_never_raises(assessor: Assessor, text: str) -> None:
    result = assessor.assess(text)
    assert 0.0 <= result.confidence <= 3.0
    assert result.label in tuple(Label)


def _spaced_out(text: str) -> str:
    """Every letter and digit apart, word breaks lost: "i want to die" → "i w a n t t o d i e"."""
    return " ".join(ch for ch in text.lower() if ch.isalnum())


def test_short_positives_spaced_out_letter_by_letter_still_get_a_private_response(
    assessor: Assessor, caught: list[str]
) -> None:
    """The whole line spaced out, the way people dodge filters (letters and digits kept, so
    leetspeak stays leetspeak). Measured 2026-12-04 on the caught validation positives of up
    to 60 characters (V7-V11: 89 lines): 16 got any response before the model read such
    runs as words (bot/safety/segment.py), all 89 after (78 of them alerts)."""
    short = [t for t in caught if len(t) <= 60]
    assert len(short) >= 30
    results = assessor.assess_batch([_spaced_out(t) for t in short])
    answered = sum(r.label is not Label.NONE for r in results)
    assert answered >= 0.9 * len(short), (answered, len(short))


def _words_only(text: str) -> str:
    """The same letters with their word breaks: what the spaced-out line says, plainly."""
    return " ".join("".join(ch for ch in w if ch.isalnum()) for w in text.lower().split())


# Ordinary validation lines whose spaced-out form the shipped model alerts though their plain
# words do not get an alert (a known miss; the test below fails until it is gone). Found when
# V28 joined validation (twenty-fourth session): a Portuguese spoiler ("he dies at the end,
# sorry, couldn't resist" and laughter). lr-6953929d8e alerts the line as written too (one of
# round 16's 12 false alarms); spaced out, "nãoresisti" splits as "na or es ist i". The same
# for lr-439aeac250 (twenty-fifth session). Found when V32 joined validation (twenty-fifth
# session): an English hip-hop line ("the hook on this one is so hard i wanna die" and emoji),
# which lr-439aeac250 gives the gentle check-in as written (distress, 0.49); spaced out, "isso"
# (Portuguese) wins over "is so" and the line reads as an alert (0.72). lr-20af234238 (round
# 22), lr-1c9348d658 (round 26), lr-777b0dcd77 (round 27) and lr-fa29dc69b3 (round 28) invent
# the same two.
KNOWN_INVENTED = {
    "||ele morre no final|| desculpa, não resisti kkkk",
    "the hook on this one is so hard i wanna die 😩🔥🔥",
}


@pytest.fixture(scope="module")
def spacing(assessor: Assessor) -> tuple[list[str], int, int]:
    """The ordinary validation lines of up to 60 characters spaced out: the ones alerted
    where their plain words are not, how many spaced lines are alerted, how many lines."""
    rows = [r for r in load_set("validation") if r["label"] == "none" and len(r["text"]) <= 60]
    spaced = assessor.assess_batch([_spaced_out(r["text"]) for r in rows])
    plain = assessor.assess_batch([_words_only(r["text"]) for r in rows])
    invented = [
        r["text"]
        for r, s, p in zip(rows, spaced, plain, strict=True)
        if s.is_alert and not p.is_alert
    ]
    return invented, sum(s.is_alert for s in spaced), len(rows)


def test_spacing_out_an_ordinary_line_adds_no_alert_its_plain_words_do_not_get(
    spacing: tuple[list[str], int, int],
) -> None:
    """Splitting a joined run into words must not invent risk: an ordinary line spaced out
    is an alert only where the same words, written plainly (no emoji, no punctuation), are
    one too (hyperbole such as "me quiero matar, perdí la ranked" loses its cues with them).
    Only the known misses above are allowed; any other line fails, and so does a known one
    no longer being invented (then remove it from ``KNOWN_INVENTED``)."""
    invented, alerted, rows = spacing
    assert rows >= 50
    assert set(invented) == KNOWN_INVENTED, invented
    assert alerted <= 0.03 * rows


@pytest.mark.xfail(
    strict=True, reason="lr-fa29dc69b3 invents alerts for two spaced-out ordinary lines"
)
def test_spacing_out_invents_no_alert_at_all(spacing: tuple[list[str], int, int]) -> None:
    """The whole property, with no known miss: passes once no ordinary line is invented."""
    invented, _, _ = spacing
    assert not invented
