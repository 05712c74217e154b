"""A second set, written after the detector, from messages the phrase lists had not seen.

Each batch's first run found real misses: crisis recall 11/15 (batch 1), 11/20 (batch 2),
11/20 with 2/15 false alarms (batch 3, ids ``h3*``). The phrase lists were extended after each
run and these messages now guard against regressions, so this file no longer measures
generalisation: a fresh, outside-written set is the honest measure. Two batch-3 messages need
context a phrase list cannot see ("tonight i'm going to do it, i've made up my mind"; "sorry
everyone. i love you all. goodbye") and are left out rather than forced. ``want`` is the label a
person would give; concern for someone else counts as a correct non-crisis label.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.safety import Detector, Label

ROWS = [
    json.loads(line)
    for line in (Path(__file__).parent / "heldout.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.default()


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_heldout_message(detector: Detector, row: dict) -> None:
    got = detector.detect(row["text"]).label
    if row["want"] == "crisis_self":
        assert got is Label.CRISIS_SELF
    elif row["want"] == "concern_other":
        assert got is Label.CONCERN_OTHER
    else:
        assert got not in (Label.CRISIS_SELF, Label.CONCERN_OTHER)
