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
from bot.safety.normalize import normalize_ex, split_tokens
from bot.safety.segment import MAX_RUN, MAX_WORD, MIN_RUN, MIN_UNKNOWN, segment, unknown_cost

WORDS = {"i": 2.0, "want": 5.0, "to": 2.0, "die": 6.0, "wan": 9.0, "tt": 9.0, "o": 4.0}


def costs(run: str):
    return lambda start, end: WORDS.get(run[start:end])


def test_the_cheapest_split_into_known_words_wins() -> None:
    assert segment("iwanttodie", costs("iwanttodie")) == ["i", "want", "to", "die"]


def test_runs_too_short_too_long_or_with_an_unknown_piece_stay_whole() -> None:
    for run in ("ito", "iwanttodiex", "i" * (MAX_RUN + 1), "wantwant"[: MIN_RUN - 1]):
        assert segment(run, costs(run)) is None, run  # too short, "x" unknown, too long


def test_one_known_word_is_no_split() -> None:
    assert segment("iiiii", lambda start, end: 1.0 if (start, end) == (0, 5) else None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="iwantodex", max_size=MAX_RUN + 8))
def test_a_split_always_joins_back_to_the_run_in_known_words(run: str) -> None:
    pieces = segment(run, costs(run))
    if pieces is not None:
        assert "".join(pieces) == run
        assert len(pieces) >= 2
        assert all(p in WORDS for p in pieces)
        assert MIN_RUN <= len(run) <= MAX_RUN


def test_a_word_the_model_never_met_stands_whole_among_known_ones() -> None:
    run = "xyzwwanttodie"
    assert segment(run, costs(run)) is None  # no split into known words alone
    assert segment(run, costs(run), unknown_cost) == ["xyzw", "want", "to", "die"]
    assert segment("xyzwant", costs("xyzwant"), unknown_cost) is None  # too short, "xyz"
    # a known word is still cheaper than the same letters as an unknown one
    assert segment("iwanttodie", costs("iwanttodie"), unknown_cost) == ["i", "want", "to", "die"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="iwantodexq", max_size=MAX_RUN + 8))
def test_unknown_pieces_are_long_and_never_split_into_unknown_pieces(run: str) -> None:
    pieces = segment(run, costs(run), unknown_cost)
    if pieces is None:
        return
    assert "".join(pieces) == run and len(pieces) >= 2
    unknown = [p not in WORDS for p in pieces]
    assert all(len(p) >= MIN_UNKNOWN for p, u in zip(pieces, unknown, strict=True) if u)
    for i in range(len(pieces) - 1):
        # two unknown pieces side by side only where one would be longer than any word tried
        both = unknown[i] and unknown[i + 1]
        assert not both or len(pieces[i]) + len(pieces[i + 1]) > MAX_WORD, pieces


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
        ("trocosabado", ["troco", "sabado"]),  # "troco", unknown, whole: not "tr o co"
    ],
)
def test_the_shipped_model_reads_joined_runs_in_every_language(
    model: Classifier, joined: str, words: list[str]
) -> None:
    assert model.readable([joined], {joined}) == words


def test_known_words_short_runs_and_words_with_symbols_are_left_as_they_are(
    model: Classifier,
) -> None:
    tokens = ["hello", "everyone", "kys", "gg", "l0l", "i'm", "ok"]
    assert model.readable(tokens, set(tokens)) == tokens


def test_an_emoji_that_cuts_a_spaced_word_into_two_known_words_reads_as_the_whole(
    model: Classifier,
) -> None:
    """ "a 😭 d e u s" (an emoji in "a d e u s", adeus) is "a" and the run "deus", both
    words: read as they stand it said "a deus" and lost the farewell that the same line
    without the emoji has (found by the emoji property test when V15-V16 joined
    validation). Two known words that are no word together stay apart. Since the
    twenty-fourth session the normaliser reads such an emoji as the gap it stands in, so the
    letters are joined whole before the model sees them; the model still joins the pieces
    when they reach it cut."""
    assert model.readable(["a", "deus", "galera"], {"deus"}) == ["adeus", "galera"]
    tokens, runs = split_tokens("a 😭 d e u s galera")
    assert runs == {"adeus"}
    assert model.readable(tokens, runs)[-2:] == ["adeus", "galera"]
    tokens, runs = split_tokens("i 😭 l o v e you")
    assert model.readable(tokens, runs)[-3:] == ["i", "love", "you"]


def test_only_words_joined_from_spaced_letters_are_split() -> None:
    """A spaced-out "k y s" in a moderator's note must not make the model read the note's
    other words it does not know as pieces: split too, "filtert" became "filter t" and
    "sternchenvarianten" "s te rn ch en va ri an ten". Only joined runs are split."""
    model = Classifier.default()
    assert model is not None
    text = "der automod filtert jetzt k y s und sternchenvarianten und i w a n t t o d i e"
    tokens, runs = split_tokens(text)
    assert runs == {"kys", "iwanttodie"}
    assert model.readable(tokens, runs) == [
        *tokens[:-1],
        *("i", "want", "to", "die"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "i w a n t t o d i e",
        "i w a n t t o k i l l m y s e l f",
        "q u i e r o m o r i r",
        "j e v e u x m o u r i r",
        "i c h w i l l s t e r b e n",
        "e u q u e r o m o r r e r",
        "k 1 l l m y s e l f",  # leet inside the run
        "I W A N T T O D I E",
        "i w a n t t o d i e 😭",
        "i w a n n a d i e",
        "ich  w i l l  s t e r b e n",  # two spaces where the words break
        "g o o d b y e  e v e r y o n e  t o n i g h t  i s  t h e  n i g h t",
        "n o  o n e  w o u l d  m i s s  m e",
        "e u  v o u  m e  m a t a r  h o j e",
    ],
)
def test_a_crisis_line_spaced_out_letter_by_letter_is_a_crisis_alert(text: str) -> None:
    result = Assessor.default().assess(text)
    assert result.label is Label.CRISIS_SELF and result.is_alert, result


@pytest.mark.parametrize(
    "text",
    [
        "l m a o  i m  d e a d",
        "k i l l  t h e  b o s s",
        "t h i s  g a m e  i s  k i l l i n g  m e  l o l",
        "m u e r o  d e  r i s a",
        "j e  s u i s  m o r t  d e  r i r e",
        "w e l c o m e  t o  t h e  s e r v e r",
    ],
)
def test_spaced_out_gaming_talk_and_idioms_get_nothing(text: str) -> None:
    assert Assessor.default().assess(text).level == "none"


@pytest.mark.parametrize(
    "text", ["g g w p e v e r y o n e", "h a p p y b i r t h d a y t o y o u", "l o l"]
)
def test_ordinary_chat_spaced_out_stays_ordinary(text: str) -> None:
    assert Assessor.default().assess(text).level == "none"


@pytest.mark.parametrize("gap", [" ", "  "])
@pytest.mark.parametrize("run", [6, 20, 48, 96])
def test_pasted_spaced_letters_are_split_only_up_to_the_budget(
    model: Classifier, monkeypatch: pytest.MonkeyPatch, run: int, gap: str
) -> None:
    """An outside probe: 4,000 characters of spaced letters, in runs of every size, random
    or the same phrase again and again. Without a budget such a message took 44 ms
    (2026-12-04); now at most BUDGET characters of runs are split, whatever the message
    (its time is in benchmarks/bench_classifier.py, "4000_spaced_*")."""
    import random
    import string

    import bot.safety.classifier as classifier_module
    from bot.safety.segment import BUDGET, MAX_WORD

    tried: list[int] = []
    calls: list[int] = []

    def counting(text: str, cost, unknown=None):
        tried.append(len(text))
        return segment(text, lambda start, end: calls.append(1) or cost(start, end), unknown)

    monkeypatch.setattr(classifier_module, "segment", counting)
    rng = random.Random(run)

    def letters() -> str:
        return " ".join(rng.choice(string.ascii_lowercase) for _ in range(run))

    pasted = ["  ".join(letters() for _ in range(400)), "  ".join([letters()] * 400)]
    pasted.append(gap.join(" ".join("iwanttodie") for _ in range(400)))
    for whole in pasted:
        tried.clear()
        calls.clear()
        tokens, runs = split_tokens(whole[:4000])
        assert runs
        model.readable(tokens, runs)
        assert sum(tried) <= BUDGET, (run, gap, tried)
        assert len(calls) <= BUDGET * MAX_WORD
        Assessor.default().assess(whole[:4000])  # and the whole path never raises


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abio 1.-*\u00e9", max_size=80))
def test_spaced_runs_are_found_only_when_the_split_says_spaced_and_only_they_change(
    text: str,
) -> None:
    """Each run lies inside a word of the split (a run can run into a dotted number, as in
    "1 1 1.11": then that word is not a run and is left whole), and the model's reading
    changes no word that is not a run."""
    tokens, runs = split_tokens(text)
    assert normalize_ex(text)[1] == bool(runs)
    assert all(any(run in token for token in tokens) for run in runs)
    model = Classifier.default()
    assert model is not None
    kept = [t for t in tokens if t not in runs]
    read = model.readable(tokens, runs)
    assert all(t in read for t in kept)


def test_a_doubled_last_letter_is_read_as_the_next_words_first_in_a_near_tie(
    model: Classifier,
) -> None:
    """ "u g h h a t e m y l i f e" is "ugh hate my life": squeezed, "ughh" is "ugh" too, and
    "ughh ate" cost a little less (found by a retrained model that alerted on the spaced-out
    line and not on its plain words, tests/safety/test_obfuscation.py). A doubled letter
    ending a piece before the run's end costs one more, so the typed letters are read once."""
    assert model.readable(["ughhatemylife"], {"ughhatemylife"}) == ["ugh", "hate", "my", "life"]
    assert model.readable(["iwanttokillmyself"], {"iwanttokillmyself"})[:3] == ["i", "want", "to"]
    assert model.readable(["itstoomuch"], {"itstoomuch"}) == ["its", "too", "much"]


def test_only_known_pieces_ending_in_a_doubled_letter_before_the_end_cost_more() -> None:
    from bot.safety.classifier import SQUEEZED_END, _letter_as_typed

    known = {"ugg", "ugghh", "ghh", "gg"}
    cost = _letter_as_typed("ugghh", lambda s, e: 1.0 if "ugghh"[s:e] in known else None)
    assert cost(0, 3) == 1.0 + SQUEEZED_END  # "ugg", then more letters
    assert cost(0, 5) == 1.0  # the run's last piece
    assert cost(2, 5) == 1.0  # "ghh" ends the run
    assert cost(1, 3) == 1.0  # "gg": a piece of two letters pays nothing more
    assert cost(0, 2) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aabceelmnoosst0134@$!\u00e9", min_size=1, max_size=30))
def test_a_piece_looked_up_as_it_is_is_the_word_it_normalises_to(run: str) -> None:
    """The split's shortcut (a piece with no doubled letter and no leet character is looked
    up without normalising) gives what normalising would: every piece of every run."""
    from bot.safety.classifier import _piece_cost
    from bot.safety.normalize import normalize_word_once

    cost = _piece_cost(run, lambda word: word)  # "idf": the word itself
    for start in range(len(run)):
        for end in range(start + 1, len(run) + 1):
            word = normalize_word_once(run[start:end])
            assert cost(start, end) == (word if word and " " not in word else None)


_AFTER_ORDINARY = [
    ("das Essen war gut.", "ich will sterben"),
    ("wir haben gewonnen.", "ich bringe mich um"),
    ("Mathe war heute okay.", "ich will nicht mehr leben"),
    ("lunch was good.", "i want to die"),
    ("thanks for the stream.", "i want to end my life"),
    ("la comida estuvo bien.", "quiero morir"),
    ("hoy fui al cine.", "me quiero matar"),
    ("bonne journée à tous.", "je veux mourir"),
    ("o almoço foi bom.", "eu quero morrer"),
    ("fui ao mercado hoje.", "vou me matar"),
]


@pytest.mark.parametrize(("first", "crisis"), _AFTER_ORDINARY)
def test_a_spaced_out_crisis_sentence_after_an_ordinary_one_gets_what_plain_words_get(
    first: str, crisis: str
) -> None:
    """The sentence floor reads a sentence's spaced-out words split, as the whole message's
    are: before, "das Essen war gut. i c h w i l l s t e r b e n" got nothing where the
    same words typed plainly get the gentle check-in (four of these ten lines)."""
    spaced = " ".join(" ".join(word) for word in crisis.split())
    plain, spaced_out = Assessor.default().assess_batch([f"{first} {crisis}", f"{first} {spaced}"])
    assert plain.level != "none", plain
    assert (spaced_out.label, spaced_out.level) == (plain.label, plain.level), spaced_out
