"""Quality thresholds on the hand-written labelled corpus (tests/safety/corpus.jsonl)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.safety.detector import Detector, Label

CORPUS = Path(__file__).with_name("corpus.jsonl")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def results(detector: Detector, rows: list[dict]) -> list[tuple[dict, object]]:
    return [(row, detector.detect(row["text"])) for row in rows]


def test_corpus_shape(rows: list[dict]) -> None:
    counts = Counter(r["label"] for r in rows)
    assert len(rows) >= 400
    assert counts["crisis_self"] >= 120
    assert counts["concern_other"] >= 30
    assert counts["harassment"] >= 20
    assert counts["distress"] >= 30
    assert counts["none"] >= 200
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["label"] in {label.value for label in Label}
        assert (r["tier"] in (1, 2, 3)) == (r["label"] == "crisis_self")


def test_quality_thresholds(results: list[tuple[dict, object]]) -> None:
    crisis = [(r, d) for r, d in results if r["label"] == "crisis_self"]
    high = [(r, d) for r, d in crisis if r["tier"] >= 2]
    none = [(r, d) for r, d in results if r["label"] == "none"]

    recall = sum(d.label is Label.CRISIS_SELF for _, d in crisis) / len(crisis)
    high_recall = sum(d.label is Label.CRISIS_SELF and d.tier >= 2 for _, d in high) / len(high)
    false_alarms = [r["id"] for r, d in none if d.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER)]
    fa_rate = len(false_alarms) / len(none)

    report = {"crisis_recall": recall, "tier2plus_recall": high_recall, "false_alarm": fa_rate}
    for label in Label:
        tp = sum(r["label"] == label and d.label is label for r, d in results)
        predicted = sum(d.label is label for _, d in results)
        gold = sum(r["label"] == label for r, _ in results)
        report[f"{label.value}_precision"] = tp / predicted if predicted else 1.0
        report[f"{label.value}_recall"] = tp / gold if gold else 1.0
    print(json.dumps({k: round(v, 4) for k, v in report.items()}, indent=1))

    assert recall >= 0.97
    assert high_recall == 1.0
    assert fa_rate <= 0.02, false_alarms
