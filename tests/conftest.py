"""Markers for steering the suite (see tests/README.md).

Every test gets one layer marker from its folder: ``unit`` (tests/unit: services, parsers,
storage, no Discord), ``e2e`` (tests/e2e and tests/emulator: the real bot against the emulator),
``safety`` (tests/safety: the detector, its data sets and targets). Tests that take seconds on
their own carry ``slow`` as well (listed here or marked in their module). ``make test-fast`` runs
``-m "not e2e and not slow"``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

LAYERS = {"unit": "unit", "e2e": "e2e", "emulator": "e2e", "safety": "safety"}

# Slow modules and tests (seconds each, measured with --durations): retraining the model, the
# data-set audits, property searches over the whole parser, processes killed and restarted.
SLOW = (
    "tests/e2e/test_crash_points.py",
    "tests/e2e/test_fuzz.py",
    "tests/e2e/test_process.py",
    "tests/safety/test_classifier.py::test_probabilities_equal_scikit_learn",
    "tests/safety/test_classifier.py::test_ngrams_equal_scikit_learn_on_every_data_line",
    "tests/safety/test_classifier.py::test_training_is_deterministic",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        rel = Path(str(item.fspath)).resolve().relative_to(HERE.parent).as_posix()
        parts = rel.split("/")
        layer = LAYERS.get(parts[1]) if len(parts) > 2 else None
        if layer:
            item.add_marker(getattr(pytest.mark, layer))
        node = rel + "::" + item.nodeid.split("::", 1)[-1]
        if any(
            node == slow or node.startswith(slow + ("" if "::" in slow else "::")) for slow in SLOW
        ):
            item.add_marker(pytest.mark.slow)
