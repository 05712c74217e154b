"""Words in quotation marks attributed to someone else (bot/safety/quotes.py): the span rule,
and how the phrase engine and the shipped model read a message that has them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.assess import Assessor
from bot.safety.detector import Detector, Label
from bot.safety.quotes import split_attributed

DETECTOR = Detector.default()

SOMEONE_ELSES = [
    ('when you said "i want to kill myself" it scared me', "i want to kill myself"),
    ('she told me "i want to kill myself"', "i want to kill myself"),
    ('she told me once, "i want to kill myself"', "i want to kill myself"),
    ("my friend wrote “i want to die” last night", "i want to die"),
    ('"i want to die," she said', "i want to die,"),
    ('<@123> said "i want to die"', "i want to die"),
    ('ella me dijo "quiero morir"', "quiero morir"),
    ('me dijiste "quiero morir" y no he dormido', "quiero morir"),
    ("il m'a dit « je veux mourir »", " je veux mourir "),
    ("« je veux mourir », m'a-t-elle dit", " je veux mourir "),
    ("als du gesagt hast „ich will sterben“, hatte ich angst", "ich will sterben"),
    ("er hat gesagt: „ich will sterben“", "ich will sterben"),
    ("meine schwester sagte »ich will sterben«", "ich will sterben"),
    ("ela disse “quero morrer”", "quero morrer"),
    ('meu amigo me falou "quero morrer"', "quero morrer"),
]

THE_WRITERS_OWN = [
    'I keep thinking "I want to die"',
    'my brain keeps saying "just end it"',
    '"i\'m fine" i say, but i want to die',
    'I told her "I want to die"',
    'you know i said "i want to die"',
    'she said "i want to die" and same tbh',
    'you said "i want to die". me too honestly',
    'you said "i want to die" and honestly i feel that way too',
    'she said "i want to die" and i get it, i do too',
    'he told me "i want to die" and so do i',
    'ella me dijo "quiero morir" y siento lo mismo',
    'il m\'a dit "je veux mourir", moi pareil',
    "er hat gesagt „ich will sterben“, mir auch",
    'ela disse "quero morrer" e sinto o mesmo',
    'eu disse "quero morrer"',
    'yo dije "quiero morir"',
    'j\'ai dit "je veux mourir"',
    "ich sagte „ich will sterben“",
    'you said "i want to die',  # unclosed: nothing attributed
    "she told me 'i want to die'",  # single quotes: too often apostrophes
]


@pytest.mark.parametrize(("text", "quoted"), SOMEONE_ELSES)
def test_words_attributed_to_someone_else_are_set_apart(text: str, quoted: str) -> None:
    own, spans = split_attributed(text)
    assert spans == [quoted]
    assert quoted not in own


@pytest.mark.parametrize("text", THE_WRITERS_OWN)
def test_the_writers_own_quoted_thoughts_stay_theirs(text: str) -> None:
    assert split_attributed(text) == (text, [])


@pytest.mark.parametrize(("text", "_"), SOMEONE_ELSES)
def test_the_phrase_engine_reads_someone_elses_crisis_words_as_worry(text: str, _: str) -> None:
    assert DETECTOR.detect(text).label is Label.CONCERN_OTHER


@pytest.mark.parametrize(
    "text",
    [
        'I keep thinking "I want to die"',
        '"i\'m fine" i say, but i want to die',
        'she said "it gets better" but i want to kill myself',
        'you said "i want to die". i want to die too',
        'ella me dijo "todo va a estar bien" pero quiero morir',
    ],
)
def test_the_writers_own_crisis_stays_crisis(text: str) -> None:
    assert DETECTOR.detect(text).is_crisis
    got = Assessor.default().assess(text)
    assert got.label is Label.CRISIS_SELF and got.is_alert


@pytest.mark.parametrize(
    "text",
    [
        'when you said "i want to kill myself" it scared me, please talk to someone',
        'she told me "i want to kill myself"',
        "il m'a dit « je veux mourir »",
        "er hat gesagt: „ich will sterben“",
        "ela disse “quero morrer”",
        'ella me dijo "quiero morir"',
    ],
)
def test_the_shipped_model_reads_someone_elses_crisis_words_as_worry(text: str) -> None:
    got = Assessor.default().assess(text)
    assert got.label is Label.CONCERN_OTHER and got.is_alert


CRISIS = ["i want to kill myself", "i want to die", "quiero morir", "je veux mourir"]
QUOTED = st.text(
    alphabet=st.characters(blacklist_characters='"“”„«»‹›\n', blacklist_categories=("Cs",)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CRISIS), QUOTED)
def test_a_quotation_never_hides_the_writers_own_crisis(crisis: str, quoted: str) -> None:
    """Whatever someone else is quoted as saying, the writer's own crisis words stand."""
    assert DETECTOR.detect(f'{crisis}. she said "{quoted}"').is_crisis


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["I said", "I keep thinking", "i told her", "my brain says", "ich sagte"]),
    QUOTED,
)
def test_first_person_attribution_is_never_someone_elses(lead: str, quoted: str) -> None:
    text = f'{lead} "{quoted}"'
    assert split_attributed(text) == (text, [])


class _Disagreeing:
    """A model that calls every message ordinary chat, except, when asked, a high crisis
    score for messages holding one marker word: the rules of someone else's words must hold
    whatever the model's score (a stricter threshold once made them lose their force)."""

    version = "fake"
    meta: dict = {}

    def __init__(self, crisis_when: str = "", crisis: float = 0.0) -> None:
        self.crisis_when, self.crisis = crisis_when, crisis

    def scores_tokens(self, token_lists, quiet=None, pause=None):
        from bot.safety.classifier import CLASSES, NEEDS, Scores

        out = []
        for tokens in token_lists:
            classes = dict.fromkeys(CLASSES, 0.0)
            if self.crisis_when and self.crisis_when in tokens:
                classes["crisis_2"] = self.crisis
            classes["none"] = 1.0 - classes["crisis_2"]
            out.append(Scores(classes, dict.fromkeys(NEEDS, 0.0), "en", 1.0))
        return out


def _assessor(model: _Disagreeing) -> Assessor:
    from bot.safety.assess import Thresholds

    th = Thresholds(alert=0.6, concern=0.6, harassment=0.6, soft=0.5, distress=0.9, tier3=0.9)
    return Assessor(DETECTOR, model, th)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ('ella me dijo "todo va a estar bien" pero quiero morir', "estar"),
        ('she said "it gets better" but i want to kill myself', "gets"),
        ("il m'a dit « ça va aller » mais je veux mourir", "aller"),
    ],
)
def test_the_writers_own_crisis_phrase_keeps_the_alert_theirs_whatever_the_model(
    text: str, marker: str
) -> None:
    """The whole message is a crisis alert (the model scores it high), but the writer's own
    words read alone are not (the model scores them low): their own first-person crisis
    phrase keeps the alert theirs, never worry about the person quoted."""
    got = _assessor(_Disagreeing(marker, 0.9)).assess_batch([text])[0]
    assert got.label is Label.CRISIS_SELF and got.is_alert and got.tier >= 2


@pytest.mark.parametrize(
    "text",
    [
        "il m'a dit « je veux mourir »",
        "er hat gesagt: „ich will sterben“",
        'ella me dijo "quiero morir"',
        'she told me "i want to kill myself"',
        "ela disse “quero morrer”",
    ],
)
def test_someone_elses_crisis_words_are_worry_whatever_the_model(text: str) -> None:
    """A model that reads the report as ordinary chat: the phrase engine's reading of the
    quoted words (that person's crisis) makes it the worried-friend help."""
    got = _assessor(_Disagreeing()).assess_batch([text])[0]
    assert got.label is Label.CONCERN_OTHER and got.is_alert and got.tier == 0
    assert got.sources == ("phrase", "quote")


@pytest.mark.parametrize(
    "text",
    [
        'she said "see you tomorrow"',  # no crisis words quoted
        'he said "i could die laughing" lol',  # an idiom the phrase engine leaves alone
        'I keep thinking "I want to die"',  # the writer's own thought: not someone else's
    ],
)
def test_quotes_without_someone_elses_crisis_get_no_worry_alert(text: str) -> None:
    got = _assessor(_Disagreeing()).assess_batch([text])[0]
    assert got.label is not Label.CONCERN_OTHER, got
