"""A second set, written after the detector, from messages the phrase lists had not seen.

Its first run found real misses (crisis recall 11/20 on the second batch, 11/15 on the first);
the phrase lists were extended and these messages now guard against regressions. ``want`` is
the label a person would give; concern for someone else counts as a correct non-crisis label.
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
