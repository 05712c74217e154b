"""Letters spaced out one by one are read by the model as words (bot/safety/segment.py).

The normaliser joins "i w a n t t o d i e" into one word for the phrase engine; the model
never met that word, so before :meth:`Classifier.readable` such a line got the scores of
ordinary chat and, often, no response at all.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.assess import Assessor
from bot.safety.classifier import Classifier
from bot.safety.detector import Label
from bot.safety.segment import MAX_RUN, MIN_RUN, segment

WORDS = {"i": 2.0, "want": 5.0, "to": 2.0, "die": 6.0, "wan": 9.0, "tt": 9.0, "o": 4.0}


def cost(piece: str) -> float | None:
    return WORDS.get(piece)


def test_the_cheapest_split_into_known_words_wins() -> None:
    assert segment("iwanttodie", cost) == ["i", "want", "to", "die"]


def test_runs_too_short_too_long_or_with_an_unknown_piece_stay_whole() -> None:
    assert segment("ito", cost) is None  # under MIN_RUN
    assert segment("iwanttodiex", cost) is None  # "x" is no known word
    assert segment("i" * (MAX_RUN + 1), cost) is None
    assert segment("wantwant"[: MIN_RUN - 1], cost) is None


def test_one_known_word_is_no_split() -> None:
    assert segment("iiiii", lambda p: 1.0 if p == "iiiii" else None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="iwantodex", max_size=MAX_RUN + 8))
def test_a_split_always_joins_back_to_the_run_in_known_words(run: str) -> None:
    pieces = segment(run, cost)
    if pieces is not None:
        assert "".join(pieces) == run
        assert len(pieces) >= 2
        assert all(p in WORDS for p in pieces)
        assert MIN_RUN <= len(run) <= MAX_RUN


@pytest.fixture(scope="module")
def model() -> Classifier:
    model = Classifier.default()
    assert model is not None
    return model


@pytest.mark.parametrize(
    ("joined", "words"),
    [
        ("iwanttodie", ["i", "want", "to", "die"]),
        ("quieromorir", ["quiero", "morir"]),
        ("jeveuxmourir", ["je", "veux", "mourir"]),
        ("ichwillsterben", ["ich", "will", "sterben"]),
        ("queromorrer", ["quero", "morrer"]),
        ("happybirthdaytoyou", ["happy", "birthday", "to", "you"]),
    ],
)
def test_the_shipped_model_reads_joined_runs_in_every_language(
    model: Classifier, joined: str, words: list[str]
) -> None:
    assert model.readable([joined]) == words


def test_known_words_short_runs_and_words_with_symbols_are_left_as_they_are(
    model: Classifier,
) -> None:
    tokens = ["hello", "everyone", "kys", "gg", "l0l", "i'm", "ok"]
    assert model.readable(tokens) == tokens


@pytest.mark.parametrize(
    "text",
    [
        "i w a n t t o d i e",
        "i w a n t t o k i l l m y s e l f",
        "q u i e r o m o r i r",
        "j e v e u x m o u r i r",
        "i c h w i l l s t e r b e n",
        "e u q u e r o m o r r e r",
    ],
)
def test_a_crisis_line_spaced_out_letter_by_letter_is_a_crisis_alert(text: str) -> None:
    result = Assessor.default().assess(text)
    assert result.label is Label.CRISIS_SELF and result.is_alert, result


@pytest.mark.parametrize(
    "text", ["g g w p e v e r y o n e", "h a p p y b i r t h d a y t o y o u", "l o l"]
)
def test_ordinary_chat_spaced_out_stays_ordinary(text: str) -> None:
    assert Assessor.default().assess(text).level == "none"
