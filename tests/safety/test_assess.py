"""How the phrase engine and the classifier are combined (synthetic scores, no model)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.assess import Assessor, Level, Thresholds
from bot.safety.classifier import CLASSES, MODEL_FILE, NEEDS, Classifier, Scores, default_model_dir
from bot.safety.detector import Detection, Detector, Label
from bot.safety.language import guess_language

TH = Thresholds(
    alert=0.5,
    concern=0.5,
    harassment=0.5,
    soft=0.3,
    distress=0.6,
    tier3=0.5,
    need=0.5,
    phrase_boost=0.3,
)


def scores(lang: str = "en", needs: dict[str, float] | None = None, **probs: float) -> Scores:
    classes = dict.fromkeys(CLASSES, 0.0)
    classes.update(probs)
    need_scores = dict.fromkeys(NEEDS, 0.0)
    need_scores.update(needs or {})
    return Scores(classes=classes, needs=need_scores, lang=lang, lang_score=0.9)


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor(Detector.default(), None, TH)


NONE = Detection(Label.NONE)


def test_confident_model_alone_alerts(assessor: Assessor) -> None:
    result = assessor.combine(NONE, scores(crisis_2=0.8, none=0.1))
    assert result.label is Label.CRISIS_SELF and result.level == Level.ALERT
    assert result.tier == 2 and result.sources == ("model",)
    assert result.confidence == pytest.approx(0.8)


def test_phrase_hit_boosts_a_hesitant_model(assessor: Assessor) -> None:
    phrase = Detection(Label.CRISIS_SELF, 2, ("en.self.want_to_die",))
    result = assessor.combine(phrase, scores(crisis_2=0.25))
    assert result.label is Label.CRISIS_SELF and result.is_alert
    assert result.phrase_ids == ("en.self.want_to_die",) and "phrase" in result.sources
    # without the phrase the same score is only a possible concern
    soft = assessor.combine(NONE, scores(crisis_2=0.35))
    assert soft.label is Label.DISTRESS and soft.is_soft and soft.possible_concern


def test_phrase_tier_is_kept_when_higher(assessor: Assessor) -> None:
    phrase = Detection(Label.CRISIS_SELF, 3, ("x",))
    assert assessor.combine(phrase, scores(crisis_1=0.9)).tier == 3


def test_tier3_threshold_forces_tier_3(assessor: Assessor) -> None:
    result = assessor.combine(NONE, scores(crisis_2=0.7, crisis_3=0.55))
    assert result.tier == 3


def test_concern_other_and_harassment(assessor: Assessor) -> None:
    assert assessor.combine(NONE, scores(concern_other=0.7)).label is Label.CONCERN_OTHER
    harassment = assessor.combine(NONE, scores(harassment=0.9))
    assert harassment.label is Label.HARASSMENT and harassment.level == Level.HARASSMENT


def test_plain_distress_is_soft_but_not_a_possible_concern(assessor: Assessor) -> None:
    result = assessor.combine(NONE, scores(distress=0.8))
    assert result.label is Label.DISTRESS and result.is_soft and not result.possible_concern


def test_ordinary_chat_is_none(assessor: Assessor) -> None:
    result = assessor.combine(NONE, scores(none=0.95, crisis_2=0.05))
    assert result.label is Label.NONE and result.level == Level.NONE and not result.needs


def test_context_raises_a_soft_signal_to_an_alert(assessor: Assessor) -> None:
    quiet_farewell = scores(crisis_3=0.35)
    alone = assessor.combine(NONE, quiet_farewell)
    assert alone.is_soft
    after_distress = assessor.combine(NONE, quiet_farewell, context_risk=0.4)
    assert after_distress.label is Label.CRISIS_SELF and after_distress.is_alert
    assert "context" in after_distress.sources
    # earlier distress does not turn ordinary chat into anything
    assert assessor.combine(NONE, scores(none=0.9), context_risk=0.9).label is Label.NONE


MILESTONE = Detection(Label.DISTRESS, 0, ("en.self.self_harm",), milestone=True)


def test_a_milestone_told_gets_no_gentle_check_in_from_the_crisis_score(
    assessor: Assessor,
) -> None:
    """The phrase engine read a milestone ("6 months clean from self harm"): the model's crisis
    score from the same words earns no check-in and is not the member's recent risk, and
    with earlier distress it is not raised; a crisis score at the alert bar still alerts, and
    the model's worry about someone else or very sure distress still answer."""
    hesitant = scores(crisis_2=0.35, none=0.6)
    assert assessor.combine(replace(MILESTONE, milestone=False), hesitant).is_soft
    told = assessor.combine(MILESTONE, hesitant)
    assert told.label is Label.NONE and told.level == Level.NONE and told.risk == 0.0
    assert assessor.combine(MILESTONE, hesitant, context_risk=0.9).level == Level.NONE
    sure = assessor.combine(MILESTONE, scores(crisis_2=0.8))
    assert sure.label is Label.CRISIS_SELF and sure.is_alert
    assert assessor.combine(MILESTONE, scores(crisis_2=0.2, concern_other=0.35)).is_soft
    assert assessor.combine(MILESTONE, scores(crisis_2=0.35, distress=0.7)).is_soft


def test_an_alert_by_itself_is_the_same_with_context(assessor: Assessor) -> None:
    """Context names itself only where it made the alert, so a message that is an alert
    by itself is assessed once: the listener does not send it back with context."""
    with_model = Assessor(Detector.default(), _AnyModel(), TH)  # type: ignore[arg-type]
    alone = with_model.combine(NONE, scores(crisis_2=0.8, none=0.1))
    assert alone.is_alert and alone.sources == ("model",)
    assert with_model.combine(NONE, scores(crisis_2=0.8, none=0.1), context_risk=0.9) == alone
    assert not with_model.context_can_raise(alone)
    # a soft signal is still looked at again: context can make it an alert
    soft = with_model.combine(NONE, scores(crisis_3=0.35))
    assert soft.is_soft and with_model.context_can_raise(soft)


def test_an_imminent_alert_names_the_model() -> None:
    """The imminent class alone makes an alert: the model raised it (its version is what
    peers' "not a concern" marks are counted against), not a vague "combined"."""
    th = Thresholds(alert=0.5, concern=0.5, soft=0.3, tier3=0.5, imminent=0.4)
    result = Assessor(Detector.default(), None, th).combine(NONE, scores(crisis_3=0.45))
    assert result.is_alert and result.tier == 3 and result.sources == ("model",)


@settings(max_examples=300, deadline=None)
@given(
    st.floats(0, 0.6),
    st.floats(0, 0.6),
    st.floats(0, 0.6),
    st.floats(0, 1),
    st.sampled_from([Label.NONE, Label.CRISIS_SELF, Label.CONCERN_OTHER, Label.DISTRESS]),
)
def test_context_is_only_needed_where_it_can_raise(
    crisis: float, concern: float, distress: float, context: float, phrase: Label
) -> None:
    """The guild listener looks context up only when ``context_can_raise``: everywhere
    else an assessment with any context is the one without."""
    with_model = Assessor(Detector.default(), _AnyModel(), TH)  # type: ignore[arg-type]
    detection = Detection(phrase, 2 if phrase is Label.CRISIS_SELF else 0)
    model = scores(crisis_2=crisis, concern_other=concern, distress=distress)
    alone = with_model.combine(detection, model)
    if not with_model.context_can_raise(alone) or not with_model.context_counts(context):
        assert with_model.combine(detection, model, context_risk=context) == alone
    assert not Assessor(Detector.default(), None, TH).context_can_raise(alone)


class _AnyModel:
    """Stands for a loaded model (``combine`` is given the scores directly)."""

    version = "any"
    meta: dict = {}


def test_needs_are_reported_beside_any_label(assessor: Assessor) -> None:
    result = assessor.combine(NONE, scores(none=0.9, needs={"respite": 0.8, "peer": 0.2}))
    assert result.label is Label.NONE and result.needs == ("respite",)
    crisis = assessor.combine(NONE, scores(crisis_2=0.9, needs={"warmline": 0.9}))
    assert crisis.needs == ("warmline",)


def test_language_comes_from_the_model(assessor: Assessor) -> None:
    assert assessor.combine(NONE, scores(lang="de", crisis_2=0.9)).lang == "de"


def test_without_a_model_the_phrase_engine_decides() -> None:
    phrases_only = Assessor(Detector.default(), None)
    assert phrases_only.model_version == "phrases-only"
    result = phrases_only.assess("i want to die")
    assert result.label is Label.CRISIS_SELF and result.is_alert
    assert phrases_only.assess("gg wp").label is Label.NONE
    assert phrases_only.assess("quiero morir, no puedo mas").lang == "es"


def test_thresholds_from_metadata_ignore_unknown_keys() -> None:
    th = Thresholds.from_meta({"thresholds": {"alert": 0.7, "bogus": 3}})
    assert th.alert == 0.7 and th.soft == Thresholds().soft


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ich will nicht mehr, ich bin so müde", "de"),
        ("je suis pas bien, je veux tout arrêter", "fr"),
        ("hello there friends", "en"),
    ],
)
def test_language_fallback_guess(text: str, lang: str) -> None:
    assert guess_language(text) == lang


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=len(CLASSES), max_size=len(CLASSES)),
    st.lists(st.floats(0.0, 1.0), min_size=len(NEEDS), max_size=len(NEEDS)),
    st.sampled_from([0.0, 0.2, 0.35, 0.9]),
    st.sampled_from([TH, Thresholds(imminent=0.4, harassment=0.125, need=0.075, soft=0.3)]),
    st.sampled_from([1.0, 0.2, 0.02]),
)
def test_the_quiet_shortcut_gives_what_the_steps_give(
    probs: list[float], needs: list[float], context: float, thresholds: Thresholds, quiet: float
) -> None:
    """Ordinary chat skips the steps (``_quiet``); the answer must be the steps' answer."""
    probs = [probs[0] + 0.5, *(p * quiet for p in probs[1:])]  # often mostly "none"
    total = sum(probs)
    given_scores = Scores(
        classes={c: p / total for c, p in zip(CLASSES, probs, strict=True)},
        needs=dict(zip(NEEDS, needs, strict=True)),
        lang="en",
        lang_score=0.9,
    )
    fast = Assessor(Detector.default(), None, thresholds)
    steps = Assessor(Detector.default(), None, thresholds)
    steps._quiet = lambda detection, scores: None  # type: ignore[method-assign]
    for detection in (NONE, Detection(Label.NONE, phrase_ids=("idiom.x",))):
        want = steps.combine(detection, given_scores, context_risk=context)
        assert fast.combine(detection, given_scores, context_risk=context) == want


def test_quiet_batches_give_nothing_only_where_nothing_is_found() -> None:
    """``assess_batch(..., quiet=...)`` (the guild listener's path) answers the shared
    NOTHING exactly where the full assessment is ``none`` with no need, and the full
    assessment everywhere else (real model, corpus lines, chat, long messages)."""
    import json
    from pathlib import Path

    from bot.safety.assess import NOTHING

    full_assessor = Assessor.default()
    corpus = Path(__file__).with_name("corpus.jsonl").read_text(encoding="utf-8")
    texts = [json.loads(line)["text"] for line in corpus.splitlines() if line.strip()]
    chat = ["morning all", "gg", "lol same", "brb making tea", "", "...", "nice one 👍"]
    long = " ".join(texts[:60])  # judged in windows too
    texts = [*texts, *chat, long, long[:600]]
    want = full_assessor.assess_batch(texts)
    flags = [i % 5 != 0 for i in range(len(texts))]  # some messages not eligible
    got = full_assessor.assess_batch(texts, None, flags)
    nothing = 0
    for flag, w, g in zip(flags, want, got, strict=True):
        if g is NOTHING:
            nothing += 1
            assert flag and w.label is Label.NONE and not w.needs
        else:
            assert g == w
    assert nothing > len(texts) // 10  # the shortcut is taken for ordinary lines
    plain = ["gg", "lol same", "brb making tea", "my cat knocked my coffee over again"]
    assert all(g is NOTHING for g in full_assessor.assess_batch(plain, None, [True] * 4))


# ----------------------------------------------------------------- the sentence floor
RAID = "we played the new raid last night and the loot was fine honestly."


@pytest.fixture(scope="module")
def shipped() -> Assessor:
    return Assessor.default()


def test_a_tier3_phrase_is_not_silenced_by_an_ordinary_sentence_after_it(shipped) -> None:
    alone = shipped.assess("i am going to kill myself tonight.")
    assert alone.is_alert and alone.tier == 3
    got = shipped.assess("i am going to kill myself tonight. " + RAID)
    assert (got.label, got.level, got.tier) == (Label.CRISIS_SELF, Level.ALERT, 3)
    assert got.sources == ("phrase", "sentence")
    assert got.phrase_ids == ("en.self.tonight",)


@pytest.mark.parametrize(
    "text",
    [
        "i want to die. " + RAID,
        "quiero morir. anoche jugamos la nueva raid y el botín estuvo bien.",
        "ich will sterben. wir haben gestern den neuen raid gespielt, die beute war okay.",
        "je veux mourir. on a fait le nouveau raid hier soir et le butin était correct.",
        RAID + " i want to die.",  # the hit last
    ],
)
def test_a_tier2_phrase_followed_by_ordinary_words_is_at_least_the_soft_level(
    shipped, text: str
) -> None:
    got = shipped.assess(text)
    assert got.level in (Level.SOFT, Level.ALERT), got
    if got.level == Level.SOFT:
        assert got.possible_concern and got.risk >= shipped.thresholds.soft
        # with earlier soft-level messages from the member, a farewell-like alert
        assert shipped.assess(text, context_risk=0.9).is_alert


def test_a_tier3_sentence_by_the_model_makes_the_floor_an_alert(shipped) -> None:
    """The phrase is tier 2 (es.self.matarme); the model reads its sentence as tier 3."""
    text = "me voy a matar esta noche. anoche jugamos la nueva raid y el botín estuvo bien."
    assert shipped.assess(text.split(". ", maxsplit=1)[0] + ".").tier == 3
    got = shipped.assess(text)
    assert got.is_alert and got.tier == 3


@pytest.mark.parametrize(
    "text",
    [
        "i would never kill myself tonight. " + RAID,  # negated: tier 1
        "my friend said she wants to die tonight. " + RAID,  # someone else
        "i died laughing last night. " + RAID,  # an idiom
        'she told me "i am going to kill myself tonight." ' + RAID,  # her words
    ],
)
def test_the_floor_never_applies_to_negated_third_person_idioms_or_quoted_words(
    shipped, text: str
) -> None:
    got = shipped.assess(text)
    assert "sentence" not in got.sources
    assert not (got.is_alert and got.label is Label.CRISIS_SELF)


def test_a_one_sentence_message_is_read_whole_as_before(shipped) -> None:
    """The model's reading of the phrase in its own words stands: hyperbole stays none."""
    got = shipped.assess("i wanna die 😭 my crush liked my story")
    assert got.level == Level.NONE and "sentence" not in got.sources


# ----------------------------------------------------------------- the plan floor
@pytest.mark.parametrize(
    ("text", "lang", "phrase"),
    [
        ("je vais me tuer ce soir", "fr", "fr.self.tonight"),
        ("je me tue ce soir", "fr", "fr.self.tonight"),
        ("ich bringe mich gleich um", "de", "de.self.tonight"),
    ],
)
def test_a_first_person_plan_alone_is_a_tier3_alert_whatever_the_model_says(
    shipped, text: str, lang: str, phrase: str
) -> None:
    """With thresholds no model score reaches (no alert, no imminent call, no tier-3 call,
    no phrase boost), the plan floor alone makes these a tier-3 alert; the shipped model
    and its thresholds make them one too, by whichever path."""
    never = replace(
        shipped.thresholds, alert=1.01, imminent=1.01, tier3=1.01, concern=1.01, phrase_boost=0.0
    )
    got = Assessor(shipped.detector, shipped.classifier, never).assess(text)
    assert (got.label, got.level, got.tier) == (Label.CRISIS_SELF, Level.ALERT, 3), got
    assert got.sources == ("phrase", "plan") and phrase in got.phrase_ids
    assert got.lang == lang
    real = shipped.assess(text)
    assert (real.label, real.level, real.tier) == (Label.CRISIS_SELF, Level.ALERT, 3), real
    assert phrase in real.phrase_ids


@pytest.mark.parametrize(
    "text",
    [
        "je ne vais pas me tuer ce soir",  # negated
        "ich bringe mich nicht gleich um",  # negated
        "je me tue au travail ce soir",  # an idiom: working oneself to death
        "je me tue de rire ce soir",  # an idiom
        "kms tonight lol",  # lowered by banter to tier 1
        "on m'a dit d'aller me tuer ce soir",  # reported: harassment received
        "il va se tuer ce soir",  # someone else
    ],
)
def test_the_plan_floor_needs_an_unnegated_first_person_plan(shipped, text: str) -> None:
    """The model may still alert by its own reading (a negated plan often is one)."""
    assert "plan" not in shipped.assess(text).sources


def test_a_plan_quoted_from_someone_else_is_worry_about_them(shipped) -> None:
    got = shipped.assess("elle m'a dit « je vais me tuer ce soir »")
    assert not (got.label is Label.CRISIS_SELF and got.is_alert)
    assert got.label is Label.CONCERN_OTHER and got.is_alert


# A plan with a time, joked about, and the same line without the laughter.
JOKED_PLANS = [
    ("si je rate l'exam je me tue ce soir mdr", "si je rate l'exam je me tue ce soir"),
    ("kill myself tonight if the wifi dies again 💀", "kill myself tonight if the wifi dies again"),
    ("me mato esta noche jajaja", "me mato esta noche"),
    ("se eu reprovar vou me matar hoje kkkk", "se eu reprovar vou me matar hoje"),
    ("ich bringe mich gleich um lol", "ich bringe mich gleich um"),
]


@pytest.mark.parametrize(("joke", "plain"), JOKED_PLANS)
def test_a_joked_plan_is_no_alert_but_still_the_gentle_check_in(
    shipped, joke: str, plain: str
) -> None:
    """The time phrases are banter-sensitive (the model decides), but a plan lowered by
    banter is never nothing: people in crisis sometimes mask a plan with "lol"."""
    got = shipped.assess(joke)
    assert not got.is_alert, got
    assert got.is_soft and got.possible_concern, got
    without = shipped.assess(plain)
    assert (without.label, without.level, without.tier) == (Label.CRISIS_SELF, Level.ALERT, 3)


@pytest.mark.parametrize(
    "text",
    [
        "i'm gonna kill myself tonight if this boss doesn't drop lol",
        "kill myself tonight jk",
        "gonna kill myself tomorrow xD",
        "je vais me tuer ce soir 😂",
        "me voy a matar esta noche jaja",
        "vou me matar hoje kkkk",
        "ich bringe mich heute nacht um haha",
        "ich bringe mich gleich um xD",
    ],
)
def test_a_joked_plan_is_at_least_the_soft_level(shipped, text: str) -> None:
    """Some the model reads as an alert by itself; none is left with nothing."""
    got = shipped.assess(text)
    assert got.is_soft or (got.is_alert and got.label is Label.CRISIS_SELF), got
    assert "plan" not in got.sources or got.is_soft  # the plan floor itself is not applied


def test_the_joked_plan_minimum_is_narrow(shipped) -> None:
    """Only a tier-3 plan lowered by banter: "kms" with laughter is the model's to decide."""
    assert shipped.detector.detect("je me tue ce soir mdr").banter_plan
    for text in ("kms lol", "kill me now lol this lag", "i want to die lol", "je me tue ce soir"):
        assert not shipped.detector.detect(text).banter_plan, text
    # a negated plan was already lowered by its negation, not by the laughter
    assert not shipped.detector.detect("je ne vais pas me tuer ce soir mdr").banter_plan


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("crève !", Label.HARASSMENT),
        ("crève, t'es une honte", Label.HARASSMENT),
        ("crève, personne veut de toi ici", Label.HARASSMENT),
        ("crevée après le boulot, je file au lit", Label.NONE),
        ("jsuis crevé, j'ai dormi 4h", Label.NONE),
        ("ça crève les yeux que c'est lui le traître", Label.NONE),
    ],
)
def test_the_shipped_model_tells_the_french_insult_from_tiredness(
    shipped, text: str, label: Label
) -> None:
    """The phrase engine leaves the bare "crève" alone (it is spelled like "crevé",
    exhausted, once accents go); the phrase engine and the shipped model together still
    report the insult to moderators and leave a tired member alone."""
    assert shipped.assess(text).label is label


def test_pause_is_called_between_the_stages_and_changes_no_result() -> None:
    """The worker's pacer is called during the phrase engine and the model's stages, in
    every pass over the batch (the second one for quoted words too), and the results are
    the same as without it."""
    assessor = Assessor.default()
    texts = [
        "morning all",
        'ella me dijo "todo va a estar bien" pero quiero morir',
        'he said "i want to die" in the game lol',
        "i want to kill myself",
    ]
    calls: list[int] = []
    got = assessor.assess_batch(texts, None, None, pause=lambda: calls.append(1))
    assert got == assessor.assess_batch(texts)
    # each pass: the phrase engine (one checkpoint for these few), after the model's
    # arithmetic and after its scores; two passes (one message quotes someone)
    assert len(calls) >= 6


def test_a_long_batch_has_a_checkpoint_every_few_messages() -> None:
    """A batch of 64 messages reaches the pacer at least once per 16 messages of the
    phrase engine and four times in the model's stage (after every 32 messages turned into
    memo rows, before the keys are sorted, after the arithmetic, after the scores), and once
    more after the model's memo learnt the batch's new words: no stage of a long batch runs
    without a checkpoint."""
    assessor = Assessor.default()
    texts = [f"message number {i} about the zorblax{i} patch notes" for i in range(64)]
    calls: list[str] = []
    stage = ["phrases"]

    def pause() -> None:
        calls.append(stage[0])

    original = assessor.classifier.scores_tokens  # type: ignore[union-attr]

    def scores_tokens(*args, **kwargs):
        stage[0] = "model"
        return original(*args, **kwargs)

    assessor.classifier.scores_tokens = scores_tokens  # type: ignore[union-attr,method-assign]
    try:
        got = assessor.assess_batch(texts, None, None, pause=pause)
    finally:
        del assessor.classifier.scores_tokens  # type: ignore[union-attr]
    assert got == assessor.assess_batch(texts)
    assert calls.count("phrases") == 4
    # 32 messages turned into memo rows, new words learnt, the keys, the arithmetic, the scores
    assert calls.count("model") == 5


def test_many_new_words_are_learnt_in_slices_with_a_checkpoint_between() -> None:
    """A batch bringing thousands of words the memo never saw (a cold memo after a restart,
    pasted walls of new words) fills their tables SETTLE_SLICE at a time, with the pacer
    between two slices: the same scores as without checkpoints."""
    import random
    import string

    from bot.safety.features import SETTLE_SLICE

    assessor = Assessor.default()
    # letters only (the normaliser reads digits as letters): words no earlier test taught
    # the shared memo
    tag = "".join(random.choices(string.ascii_lowercase, k=8))
    count = 2 * SETTLE_SLICE + 10
    letters = string.ascii_lowercase
    words = [f"q{tag}x{letters[i // 26]}y{letters[i % 26]}" for i in range(count)]
    texts = [" ".join(words[i : i + 10]) for i in range(0, count, 10)]
    memo = assessor.classifier._words  # type: ignore[union-attr]
    calls: list[int] = []
    with memo.lock:
        memo.begin()
        units = [memo.rows_of_raw(t.split()) for t in texts]
        assert len(memo._pending) == count
        paused, _ = memo.batch(units, pause=lambda: calls.append(1))
    # two checkpoints between the three slices of new words, one after them, one before
    # the keys are sorted
    assert len(calls) == 4
    again, _ = memo.batch(units)  # the tables are filled: the same sums, no learning
    assert (paused == again).all()
    # a memo of its own that learns the words a message at a time scores them the same
    own = Classifier.load(default_model_dir() / MODEL_FILE)
    one_by_one = [own.scores(t) for t in texts]
    assert one_by_one == assessor.classifier.scores_batch(texts)  # type: ignore[union-attr]


_THREATS = [
    "keep posting about me and I'll show up at your school tomorrow, I know which one it is",
    "sigue hablando de mí y mañana te espero a la salida del trabajo, sé dónde queda",
    "continue de parler de moi et je passe chez toi ce soir, j'ai ton adresse",
    "red weiter so über mich und ich steh morgen vor deiner Haustür, die Adresse hab ich",
    "continua falando de mim e amanhã eu te pego na saída da escola, já sei qual é",
]


@pytest.mark.xfail(
    strict=True,
    reason="lr-a7975595ad to lr-069d9493c7 report all 5 threats and the friendly line too",
)
def test_threats_with_no_words_of_death_go_to_moderators_and_a_friendly_visit_does_not() -> None:
    """A spot check written after lr-ed4a1f3539 was chosen (thirteenth session), in wording
    of my own: threats with no word of death, one a language, and a friend's joke with the
    same words. The model reports only the Spanish threat as harassment (the others get the
    gentle check-in as distress) and reports the friendly line to moderators; lr-1ebf657878
    (fourteenth session) the same. lr-a7975595ad (fifteenth session) reports all five
    threats, but still the friendly line; lr-010c701774 (seventeenth session) and
    lr-069d9493c7 (nineteenth) the same. Passes once a model gets all six right."""
    assessor = Assessor.default()
    assert all(assessor.assess(t).label is Label.HARASSMENT for t in _THREATS)
    friendly = "I know where you live lol, bringing you soup since you're sick 🍲"
    assert assessor.assess(friendly).label is not Label.HARASSMENT
