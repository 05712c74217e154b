"""The shipped model against the issue's targets, on the validation set.

The figures are recomputed from the shipped model (no cached numbers) and must equal those
recorded in ``data/models/detector.json`` at training time.  Each target is its own test.
``KNOWN_MISSES`` lists the targets the current model does not reach; they are strict xfails,
so meeting one fails the suite until it is removed here, and missing a new one fails too.
The test set is never read here (only ``make evaluate SET=test``, once per release).
"""

from __future__ import annotations

import json
import math

import pytest

from bot.safety.classifier import META_FILE, default_model_dir
from bot.safety.training import TARGETS, evaluate, meets

META = json.loads((default_model_dir() / META_FILE).read_text(encoding="utf-8"))

# Figures that changed after training without a new model or thresholds, and why (the
# model file keeps what training measured).  2026-12-02: a crisis alert whose crisis words
# are quoted from someone else is a concern_other alert (bot/safety/quotes.py); two
# validation concern lines ("meine freundin sagt immer öfter "…"", "um cara no server
# escreveu "…"") were crisis alerts and are now concern alerts: 103 → 105 of 118.
# 2026-12-02 (later): a first-person tier-2/3 phrase hit whose own sentence is a crisis alert or
# the soft level is not silenced by the message's other sentences (the sentence floor,
# bot/safety/assess.py), and emoji between words are skipped (bot/safety/normalize.py): two
# ordinary lines get the gentle check-in, "ran my first 10k!! 5 kms in I wanted to die, by 8 I
# was flying" (the floor) and a French wedding thanks whose "💍" between words had kept it
# below the soft level (the model's own reading, 0.31): 35 → 37 of 533. Nothing else moved.
# 2026-12-02 (plan floor): a first-person tier-3 phrase hit still below a crisis alert is a
# tier-3 crisis alert (bot/safety/assess.py); no validation line changed, every figure the same.
SINCE_TRAINING = {"concern_recall": 105 / 118, "soft_none_any": 37 / 533}

# Targets the shipped model misses on validation (see docs/detector.md for the figures).
KNOWN_MISSES: set[str] = set()


@pytest.fixture(scope="module")
def figures() -> dict:
    return evaluate("validation")


def test_figures_match_those_recorded_at_training(figures: dict) -> None:
    recorded = {**META["validation"], **SINCE_TRAINING}
    for key, value in recorded.items():
        if isinstance(value, float) and not math.isnan(value):
            assert figures[key] == pytest.approx(value, abs=1e-9), key
    assert figures["lang_crisis_recall"] == pytest.approx(recorded["lang_crisis_recall"])


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(
            key,
            marks=pytest.mark.xfail(strict=True, reason="known miss, see docs/detector.md"),
        )
        if key in KNOWN_MISSES
        else key
        for key in TARGETS
    ],
)
def test_target(figures: dict, key: str) -> None:
    assert not [m for m in meets(figures) if m.startswith(key + " ")]
