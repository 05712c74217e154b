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
from bot.safety.training import TARGETS, evaluate, load_set, meets, prepared_digest, set_digest

META = json.loads((default_model_dir() / META_FILE).read_text(encoding="utf-8"))

# Figures that changed after training without a new model or thresholds, and why (the
# model file keeps what training measured).  Empty since lr-37301a4402 (2026-12-02, sixth
# session): training now records the figures of the whole assessment the bot runs.
SINCE_TRAINING: dict[str, float] = {}

# Targets the shipped model misses on validation (see docs/detector.md for the figures). Since the
# twenty-ninth session validation is V7a, V7b, V8a-c, V9a-b, V10a-e, V11a-b, V12a-d, V13a-d, V14a-d,
# V15a-b, V16a-b, V17a-b, V18a-d, V19a-b, V20a-f, V21a-b, V22a-f, V23a-c, V24a-e, V25a-d, V26a-e to
# V29a-e, V30a-f, V31a-e to V40a-e (41,789 lines by one hundred and forty writers no training pass
# was briefed from). The shipped model (lr-fa29dc69b3, round 28's winner, thresholds chosen on
# V7-V39 with the 1.6 % false-alarm margin and kept as V40 joined) meets every target there: crisis
# 97.0 %, tier 3 98.4 %, worry about someone else 93.2 %, false alarms 1.6 %, ordinary lines
# answered 7.2 %. Fresh to it, round 28's judge (V40a-e): ordinary lines given a need 2.3 %, every
# other target met. lr-777b0dcd77, fresh: round 27's judge (V39a-e): every target met; round 28's:
# ordinary lines given a need 2.1 %. lr-1c9348d658, fresh: round 26's judge (V38a-e) and round 27's:
# every target met. lr-20af234238, fresh: round 22's judge (V34a-e) tier 3 96.99 % (161 of 166);
# round 23's (V35a-e): every target met; round 24's (V36a-e): tier 3 96.97 % (160 of 165), ordinary
# lines answered 8.5 %; round 25's (V37a-e) and round 26's: every target met. lr-439aeac250, fresh:
# round 18's judge (V30a-f) tier 3 94.8 %, false alarms 2.04 %; round 20's (V32a-e) harassment
# 86.7 %; round 21's (V33a-e) tier 3 96.9 %, worry 82.9 %; round 22's tier 3 96.4 %, worry 84.0 %.
# lr-6953929d8e, fresh: round 14's judge (V26a-e) harassment 89.9 %; round 15's (V27a-e) tier 3
# 94.3 %, false alarms 2.3 %, harassment 89.0 %, crisis lines given any response 97.7 %; round 16's
# (V28a-e) crisis lines given any response 97.9 %; round 17's (V29a-e) harassment 89.0 %.
# lr-069d9493c7, fresh: round 9 (V19-V20) worry 84.6 %, tier 3 96.5 %; round 10 (V21a-b, V22b,
# V22d-f) worry 83.9 %, false alarms 2.3 %; round 12 (V22a, V22c, V23a-c) false alarms 2.1 %,
# ordinary lines answered 9.2 %; round 13 (V24a-e, V25a-d) worry 80.7 % (docs/detector.md).
KNOWN_MISSES: set[str] = set()


def test_the_shipped_model_was_trained_on_these_lines_as_the_bot_reads_them_today() -> None:
    """The training set is the one recorded, and normalisation has not changed since (it
    had once: the model kept n-grams the bot no longer extracts); else run ``make train``."""
    train = load_set("train")
    recorded = META["data"]["train"]
    assert (len(train), set_digest(train)) == (recorded["rows"], recorded["sha"])
    assert prepared_digest(train) == recorded.get("prepared_sha"), "normalisation changed"
    validation = load_set("validation")
    assert set_digest(validation) == META["data"]["validation"]["sha"]


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
