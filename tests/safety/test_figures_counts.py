"""Every share the detector's report gives keeps the counts it rests on, with a Wilson 95 %
interval (``bot/safety/evaluation.py``), and ``evaluate --writer`` reports one pass alone."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.safety.assess import Assessment, Level
from bot.safety.detector import Label
from bot.safety.evaluation import Rate, intervals, metrics, wilson
from bot.safety.training import load_set, main


def test_a_rate_is_its_float_and_keeps_its_counts() -> None:
    rate = Rate(39, 475)
    assert rate == pytest.approx(39 / 475)
    assert (rate.hits, rate.total) == (39, 475)
    assert json.loads(json.dumps({"r": rate})) == {"r": pytest.approx(39 / 475)}
    assert math.isnan(Rate(0, 0))
    assert min(Rate(1, 2), Rate(1, 3)).total == 3  # the lowest language keeps its counts


def test_wilson_known_values() -> None:
    # the ninth session's test figure: 39 of 475 ordinary lines given a response
    low, high = wilson(39, 475)
    assert low == pytest.approx(0.0606, abs=5e-4)
    assert high == pytest.approx(0.1103, abs=5e-4)
    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=5e-4))
    assert wilson(10, 10) == (pytest.approx(0.7225, abs=5e-4), 1.0)
    assert all(math.isnan(x) for x in wilson(0, 0))


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_holds_the_share_and_stays_in_bounds(pair: tuple[int, int]) -> None:
    hits, total = pair
    low, high = wilson(hits, total)
    assert 0.0 <= low <= hits / total <= high <= 1.0
    assert high - low < 1.0
    # four times the lines, the same share: a narrower interval
    low4, high4 = wilson(4 * hits, 4 * total)
    assert high4 - low4 < high - low


def _result(label: Label, needs: tuple[str, ...] = ()) -> Assessment:
    level = Level.NONE if label is Label.NONE else Level.SOFT
    return Assessment(label, 0, level, 0.5, needs=needs)


def test_intervals_give_the_counts_each_figure_rests_on() -> None:
    rows = [
        {"text": "a", "label": "none", "tier": 0, "lang": "en", "needs": []},
        {"text": "b", "label": "none", "tier": 0, "lang": "en", "needs": []},
        {"text": "c", "label": "none", "tier": 0, "lang": "en", "needs": []},
        {"text": "d", "label": "crisis_self", "tier": 3, "lang": "de", "needs": []},
    ]
    results = [
        _result(Label.DISTRESS),
        _result(Label.NONE, ("peer",)),
        _result(Label.NONE),
        _result(Label.CRISIS_SELF),
    ]
    got = intervals(metrics(rows, results))
    assert (got["soft_none_any"]["hits"], got["soft_none_any"]["total"]) == (1, 3)
    assert (got["needs_false"]["hits"], got["needs_false"]["total"]) == (1, 3)
    assert (got["crisis_recall"]["hits"], got["crisis_recall"]["total"]) == (1, 1)
    assert got["lang_crisis_recall.de"]["total"] == 1
    assert got["soft_none_any"]["low"] < 1 / 3 < got["soft_none_any"]["high"]
    assert "n" not in got and "tier1_recall" not in got  # no rows of that kind: no interval


def test_evaluate_one_writer_with_intervals(capsys) -> None:
    """The figures of one validation writer's lines alone, with their counts."""
    expected = sum(r["writer"] == "V7b" for r in load_set("validation"))
    assert expected
    assert main(["evaluate", "--set", "validation", "--writer", "V7b", "--intervals"]) == 0
    out = capsys.readouterr().out
    figures = json.loads(out[: out.rindex("}") + 1])
    assert figures["n"] == expected
    none_lines = sum(r["writer"] == "V7b" and r["label"] == "none" for r in load_set("validation"))
    assert figures["intervals"]["soft_none_any"]["total"] == none_lines


def test_evaluate_a_writer_with_no_lines_says_so(capsys) -> None:
    assert main(["evaluate", "--set", "validation", "--writer", "nobody"]) == 2
    assert "no lines by nobody in validation" in capsys.readouterr().err


def test_refigure_records_todays_validation_figures_and_keeps_the_thresholds(tmp_path) -> None:
    """After validation grows, ``refigure`` records the shipped thresholds' figures on it
    and chooses nothing: thresholds, model and training data stay as they were."""
    import shutil

    from bot.safety.classifier import META_FILE, MODEL_FILE, default_model_dir
    from bot.safety.datasets import set_digest
    from bot.safety.training import evaluate

    for name in (MODEL_FILE, META_FILE):
        shutil.copy(default_model_dir() / name, tmp_path / name)
    before = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    stale = {**before, "validation": {"n": 1}, "data": {**before["data"], "validation": {}}}
    (tmp_path / META_FILE).write_text(json.dumps(stale), encoding="utf-8")
    assert main(["refigure", "--dir", str(tmp_path)]) == 0
    after = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    assert after["thresholds"] == before["thresholds"]
    assert after["model"] == before["model"]
    assert after["data"]["train"] == before["data"]["train"]
    validation = load_set("validation")
    assert after["data"]["validation"] == {"rows": len(validation), "sha": set_digest(validation)}
    assert after["validation"]["n"] == len(validation)
    assert after["validation"]["crisis_recall"] == pytest.approx(
        evaluate("validation")["crisis_recall"]
    )
