"""Markers for steering the suite (see tests/README.md).

Every test gets one layer marker from its folder: ``unit`` (tests/unit: services, parsers,
storage, no Discord), ``e2e`` (tests/e2e and tests/emulator: the real bot against the emulator),
``safety`` (tests/safety: the detector, its data sets and targets). Tests that take seconds on
their own carry ``slow`` as well (listed here or marked in their module). ``make test-fast`` runs
``-m "not e2e and not slow and not pg"`` (``pg``: the same tests on PostgreSQL).

Tests that run on PostgreSQL carry ``pg``: those parametrised with ``backend="postgres"`` and
those using ``pg_cluster``, a throwaway cluster started once per session
(tests/helpers/postgres.py). Without PostgreSQL binaries they skip, except in CI (``CI`` set),
where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The environment may ask Python not to write bytecode (PYTHONDONTWRITEBYTECODE, set on the
# project's machines). discord.py loads every extension afresh at each bot start
# (``module_from_spec`` + ``exec_module``), so without cached bytecode each start of Kindred
# in a test compiled every cog's source again: 0.36 s → 0.24 s a start, about a minute of a
# full run on two cores. The tests write it (``__pycache__/`` is ignored by git).
sys.dont_write_bytecode = False

from tests.helpers.postgres import Cluster, find_bindir  # noqa: E402 (after the flag above)

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
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("backend") == "postgres" or "pg_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.pg)
        node = rel + "::" + item.nodeid.split("::", 1)[-1]
        if any(
            node == slow or node.startswith(slow + ("" if "::" in slow else "::")) for slow in SLOW
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = find_bindir()
    if bindir is None:
        reason = (
            "PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql "
            "package or set KINDRED_PG_BIN"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL for the pg tests: {reason}", pytrace=False)
        pytest.skip(reason)
    cluster = Cluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
