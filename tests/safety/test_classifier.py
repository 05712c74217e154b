"""The learned model: same features as scikit-learn, deterministic training, never raises."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety.classifier import (
    CHAR_RANGE,
    CLASSES,
    EMPTY,
    WORD_RANGE,
    Classifier,
    char_wb_ngrams,
    prepare,
    word_ngrams,
)
from bot.safety.training import load_set, train_model

sklearn = pytest.importorskip("sklearn.feature_extraction.text")


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    rows = load_set("train")
    return random.Random(7).sample(rows, 600)


@pytest.fixture(scope="module")
def small_model(sample: list[dict], tmp_path_factory) -> tuple[Classifier, Path]:
    path = tmp_path_factory.mktemp("model") / "detector.npz"
    return train_model(sample, path), path


def test_ngrams_equal_scikit_learn_on_every_data_line() -> None:
    from collections import Counter

    char = sklearn.TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_RANGE).build_analyzer()
    word = sklearn.TfidfVectorizer(
        analyzer="word", ngram_range=WORD_RANGE, token_pattern=r"\S+"
    ).build_analyzer()
    for name in ("train", "validation", "test"):
        for row in load_set(name):
            text = prepare(row["text"])
            assert Counter(char_wb_ngrams(text)) == Counter(char(text)), row["id"]
            assert Counter(word_ngrams(text)) == Counter(word(text)), row["id"]


def test_probabilities_equal_scikit_learn(sample: list[dict], small_model) -> None:
    """The shipped inference (automata + numpy) reproduces scikit-learn's pipeline."""
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    from bot.safety.training import MODEL, _cls, sample_weights

    model, _ = small_model
    texts = [prepare(r["text"]) for r in sample]
    char = sklearn.TfidfVectorizer(
        analyzer="char_wb", ngram_range=CHAR_RANGE, sublinear_tf=True, min_df=MODEL["min_df"]
    )
    word = sklearn.TfidfVectorizer(
        analyzer="word",
        ngram_range=WORD_RANGE,
        sublinear_tf=True,
        token_pattern=r"\S+",
        min_df=MODEL["min_df"],
    )
    x = hstack([char.fit_transform(texts), word.fit_transform(texts)]).tocsr()
    lr = LogisticRegression(C=MODEL["C"], max_iter=MODEL["max_iter"]).fit(
        x, [_cls(r) for r in sample], sample_weight=sample_weights(sample)
    )
    probe = [r["text"] for r in load_set("validation")[:150]]
    expected = lr.predict_proba(
        hstack(
            [
                char.transform([prepare(t) for t in probe]),
                word.transform([prepare(t) for t in probe]),
            ]
        )
    )
    order = [list(lr.classes_).index(c) for c in CLASSES]
    for text, want in zip(probe, expected[:, order], strict=True):
        if len(prepare(text).split()) >= 40:
            continue  # long messages also take the max over sentence windows
        got = model.scores(text).classes
        assert np.allclose([got[c] for c in CLASSES], want, atol=1e-5), text


def test_training_is_deterministic(sample: list[dict], small_model, tmp_path: Path) -> None:
    _, first = small_model
    second = tmp_path / "again.npz"
    train_model(sample, second)
    a, b = np.load(first), np.load(second)
    assert a.files == b.files
    for key in a.files:
        assert np.array_equal(a[key], b[key]), key


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    model = Classifier.default()
    assert model is not None, "data/models/detector.npz must ship with the repository"
    return model


def test_shipped_model_loads_and_knows_the_basics(shipped: Classifier) -> None:
    assert shipped.version.startswith("lr-")
    assert "thresholds" in shipped.meta and "validation" in shipped.meta
    crisis = shipped.scores("i want to kill myself tonight, i have the pills ready")
    assert crisis.crisis > 0.5
    assert shipped.scores("gg wp that was a fun match").classes["none"] > 0.5
    assert shipped.scores("ich kann nicht mehr und will nicht mehr leben").lang == "de"
    assert shipped.scores("").classes == EMPTY.classes


def test_short_crisis_lines_are_read_in_their_own_language(shipped: Classifier) -> None:
    """The language chooses the reply's language and lines. The shortest, most common crisis
    lines were read as English (0.9 for "quiero morir") while the phrase engine's lines sat in
    training labelled English; each of the phrase engine's non-English lines is read in its
    own language now."""
    import json

    rows = [
        json.loads(line)
        for name in ("corpus.jsonl", "heldout.jsonl")
        for line in (Path(__file__).with_name(name)).read_text(encoding="utf-8").splitlines()
    ]
    foreign = [r for r in rows if r["lang"] != "en"]
    assert len(foreign) >= 100
    wrong = [(r["text"], shipped.scores(r["text"]).lang) for r in foreign]
    wrong = [
        (text, lang) for (text, lang), r in zip(wrong, foreign, strict=True) if lang != r["lang"]
    ]
    assert not wrong, wrong[:5]
    for text, lang in [("quiero morir", "es"), ("je veux mourir", "fr"), ("ich will sterben", "de"),
                       ("quero morrer", "pt"), ("i want to die", "en")]:  # fmt: skip
        assert shipped.scores(text).lang == lang, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises_and_returns_probabilities(shipped: Classifier, text: str) -> None:
    scores = shipped.scores(text)
    assert all(0.0 <= p <= 1.0 for p in scores.classes.values())
    assert abs(sum(scores.classes.values()) - 1.0) < 1e-6 or len(prepare(text).split()) >= 40
    assert scores.lang in ("en", "es", "fr", "de", "pt")


@pytest.mark.parametrize(
    "text",
    [
        "a" * 4000,
        "\u200b" * 4000,
        ("word " * 900)[:4000],
        "💀" * 2000,
        "||" * 2000,
        "i want to die. " * 300,
        json.dumps({"x": ["y"] * 600}),
    ],
)
def test_hostile_inputs(shipped: Classifier, text: str) -> None:
    scores = shipped.scores(text)
    assert 0.0 <= scores.crisis <= 3.0


def test_hashed_features_equal_the_vocabulary_n_grams(shipped: Classifier) -> None:
    """The vectorised hashing finds exactly the n-grams scikit-learn's analyzers would."""
    from collections import Counter

    vocab_char = {str(g): i for i, g in enumerate(np.load(_model_path())["char_vocab"])}
    vocab_word = {
        str(g): i + len(vocab_char) for i, g in enumerate(np.load(_model_path())["word_vocab"])
    }
    texts = [prepare(r["text"]) for name in ("validation", "test") for r in load_set(name)]
    texts += ["", "a", "ab cd", "💀 💀💀", "x  y   z", "é" * 9]
    rows, ids = shipped.batch_ids(texts)
    got = [Counter() for _ in texts]
    for row, ident in zip(rows.tolist(), ids.tolist(), strict=True):
        got[row][ident] += 1
    for text, counter in zip(texts, got, strict=True):
        want = Counter(vocab_char[g] for g in char_wb_ngrams(text) if g in vocab_char)
        want.update(vocab_word[g] for g in word_ngrams(text) if g in vocab_word)
        assert counter == want, text


def _model_path() -> Path:
    from bot.safety.classifier import MODEL_FILE, default_model_dir

    return default_model_dir() / MODEL_FILE


def test_the_word_memo_starting_again_changes_nothing(shipped: Classifier) -> None:
    """The memo of words is a cache: full, it starts again; the scores stay the same."""
    small = Classifier.load(_model_path())
    small._words.limit = 40  # starts again every few messages
    texts = [r["text"] for r in load_set("validation")[:120]]
    for start in range(0, len(texts), 7):
        batch = texts[start : start + 7]
        for got, want in zip(small.scores_batch(batch), shipped.scores_batch(batch), strict=True):
            assert np.allclose(list(got.classes.values()), list(want.classes.values()), atol=1e-9)
            assert np.allclose(list(got.needs.values()), list(want.needs.values()), atol=1e-9)
            assert got.lang == want.lang
    assert len(small._words) <= 40 + 7 * 200  # bounded by the limit plus one batch


def test_a_batch_of_many_texts_scores_as_small_batches_do(shipped: Classifier) -> None:
    """Up to 256 texts a batch sorts its n-gram keys as 32-bit numbers, more as 64-bit: both
    count repeated n-grams alike, so a text scores the same in a batch of 300 (with its
    sentence windows, more than 256 rows) as in batches of 9."""
    rows = load_set("validation")
    texts = [r["text"] for r in rows[:300]]
    texts[5] = "gg gg gg gg ez ez " * 3  # n-grams repeated within one text
    big = shipped.scores_batch(texts)
    small = [s for i in range(0, len(texts), 9) for s in shipped.scores_batch(texts[i : i + 9])]
    assert len(big) == len(small) == 300
    for got, want in zip(big, small, strict=True):
        assert np.allclose(list(got.classes.values()), list(want.classes.values()), atol=1e-9)
        assert np.allclose(list(got.needs.values()), list(want.needs.values()), atol=1e-9)
        assert got.lang == want.lang


def test_sample_weights_weigh_imminent_lines_and_worry_as_the_recipe_says(monkeypatch) -> None:
    """Tier-3 lines weigh ``tier3_weight``, worry about someone else ``concern_weight`` (1.5
    in the shipped recipe since round 14; 1 before), every other class 1."""
    from bot.safety import training

    rows = [
        {"label": "crisis_self", "tier": 3},
        {"label": "crisis_self", "tier": 2},
        {"label": "concern_other", "tier": 0},
        {"label": "none", "tier": 0},
        {"label": "harassment", "tier": 0},
    ]
    assert training.sample_weights(rows) == [2.0, 1.0, 1.5, 1.0, 1.0]
    monkeypatch.setitem(training.MODEL, "concern_weight", 1.0)
    assert training.sample_weights(rows) == [2.0, 1.0, 1.0, 1.0, 1.0]
    monkeypatch.setitem(training.MODEL, "tier3_weight", 3.0)
    assert training.sample_weights(rows) == [3.0, 1.0, 1.0, 1.0, 1.0]
