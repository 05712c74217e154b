"""The benchmarks are not run by the tests (they measure; `make bench` runs them), but they
must not rot: each module imports and offers ``run()``, the regression check flags a ratio
that got worse by more than the tolerance (and only then), and the gateway benchmark's
repeated runs report each figure and its median."""

from __future__ import annotations

import importlib
import inspect
import itertools
import sys
from collections import Counter
from pathlib import Path

import pytest

import benchmarks.__main__ as harness

MODULES = sorted(p.stem for p in (Path(harness.__file__).parent).glob("bench_*.py"))


def test_there_are_benchmarks() -> None:
    assert {"bench_gateway", "bench_classifier", "bench_detector"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_imports_and_offers_run(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    run = getattr(module, "run", None)
    assert callable(run), f"{name} has no run()"
    required = [
        p
        for p in inspect.signature(run).parameters.values()
        if p.default is inspect.Parameter.empty
    ]
    assert not required, f"{name}.run() needs arguments the harness does not give"


def test_a_ratio_worse_than_the_tolerance_is_flagged_and_only_then() -> None:
    baselines = {"benchmarks": {"b": {"ratios": {"cpu_ratio_x_vs_y": 1.0}}}}
    slightly = 1.0 + harness.TOLERANCE * 0.9
    much = 1.0 + harness.TOLERANCE * 1.1
    assert harness.compare("b", {"cpu_ratio_x_vs_y": slightly}, baselines) == []
    assert harness.compare("b", {"cpu_ratio_x_vs_y": 0.5}, baselines) == []  # better
    [problem] = harness.compare("b", {"cpu_ratio_x_vs_y": much}, baselines)
    assert problem.startswith("b.cpu_ratio_x_vs_y")


def test_the_gateway_repeats_report_each_run_and_the_medians(monkeypatch) -> None:
    from benchmarks import bench_gateway

    figures = iter([(1.2, 60.0, 1.3, -10.0), (1.4, 90.0, 1.5, -5.0), (1.3, 80.0, 1.2, 20.0)])

    def fake_run(against):
        ratio, extra, other, minus = next(figures)
        return {
            "cpu_ratio_kindred_vs_bare": ratio,
            "kindred_extra_us_per_msg": extra,
            "cpu_ratio_against_vs_bare": other,
            "kindred_minus_against_us_per_msg": minus,
        }

    monkeypatch.setattr(bench_gateway, "run", fake_run)
    summary = bench_gateway._repeat(3, Path("/elsewhere"))
    assert summary["runs"] == 3
    assert summary["cpu_ratio_kindred_vs_bare"] == {"median": 1.3, "each": [1.2, 1.4, 1.3]}
    assert summary["kindred_minus_against_us_per_msg"]["median"] == -5.0
    assert summary["cpu_ratio_against_vs_bare"]["median"] == 1.3
    assert summary["runs_at_or_under_1.25"] == 1


@pytest.mark.parametrize("sides", [2, 3, 4, 5])
def test_the_gateway_sides_take_every_place_and_follow_every_other_side_equally(
    sides: int,
) -> None:
    """A fixed order made the fourth side of an A/A run 8-11 µs a message dearer: over a
    cycle each side runs in each place, and right after each other side, equally often."""
    from benchmarks.bench_gateway import _order

    cycle = sides if sides % 2 == 0 else 2 * sides
    places: Counter[tuple[int, int]] = Counter()
    after: Counter[tuple[int, int]] = Counter()
    for k in range(cycle):
        order = _order(k, sides)
        assert sorted(order) == list(range(sides)), order
        places.update((side, place) for place, side in enumerate(order))
        after.update((side, before) for before, side in itertools.pairwise(order))
    assert len(places) == sides * sides and len(set(places.values())) == 1, places
    assert len(after) == sides * (sides - 1) and len(set(after.values())) == 1, after


def test_the_thread_benchmark_splits_cpu_into_loop_detector_and_the_rest() -> None:
    from benchmarks.bench_threads import split_cpu

    before = {1: 100, 2: 50, 3: 10}
    after = {1: 400, 2: 250, 3: 40, 4: 7}  # thread 4 was born in between
    assert split_cpu(before, after, loop=1, detector=2) == {
        "loop": 300,
        "detector": 200,
        "other": 37,
    }
    # no detector thread yet: everything but the loop is "other"
    assert split_cpu(before, after, loop=1, detector=None) == {
        "loop": 300,
        "detector": 0,
        "other": 237,
    }


def test_the_thread_benchmark_derives_its_figures_from_the_medians() -> None:
    from benchmarks.bench_threads import CHUNK, summarise

    def chunk(loop_us: float, detector_us: float, other_us: float) -> dict[str, int]:
        ns = CHUNK * 1_000  # µs a message → ns a chunk
        return {
            "loop": round(loop_us * ns),
            "detector": round(detector_us * ns),
            "other": round(other_us * ns),
        }

    per = {
        # one chunk of each kind a round; the medians must not count the outlying round
        "mix": [chunk(92, 22, 3), chunk(92, 22, 3), chunk(900, 22, 3)],
        "chat": [chunk(90, 20, 2), chunk(90, 20, 2), chunk(90, 900, 2)],
        "idle": [chunk(86, 1, 2), chunk(86, 1, 2), chunk(86, 1, 2)],
    }
    result = summarise(per, alone_us=10.0, avg_batch=150.0)
    assert result["detector_thread_us"] == 20.0
    assert result["loop_extra_us"] == 4.0
    assert result["crisis_lines_us"] == 5.0  # 117 - 112 in the same round
    assert result["detector_alone_us"] == 10.0
    assert result["detector_live_vs_alone_ratio"] == 2.0
    assert result["per_kind_us_per_msg"]["idle"] == {
        "loop": 86.0,
        "detector": 1.0,
        "other": 2.0,
        "total": 89.0,
    }
    assert "note" in summarise({"mix": [], "chat": [], "idle": []}, 10.0, 150.0)
    # no per-thread schedstat: every chunk reads as zero CPU, which is no measurement
    zero = {kind: [chunk(0, 0, 0)] * 3 for kind in ("mix", "chat", "idle")}
    assert "note" in summarise(zero, 10.0, 150.0)


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="Linux /proc only")
def test_the_thread_benchmark_reads_this_threads_cpu() -> None:
    import threading
    import time

    from benchmarks.bench_threads import thread_cpu_ns

    me = threading.get_native_id()
    before = thread_cpu_ns()
    end = time.thread_time() + 0.05
    while time.thread_time() < end:
        pass
    after = thread_cpu_ns()
    assert after[me] - before[me] >= 40_000_000  # at least 40 of the 50 ms burnt


def test_loop_stalls_are_told_apart_by_whether_a_detection_batch_overlapped_them() -> None:
    """A tick (before, after) of a 1 ms ticker is late by (after - before - 1 ms); it counts
    as during a batch when any batch span overlaps it, else as the machine's."""
    from benchmarks.bench_classifier import stalls_by_batch

    spans = [(10.0, 10.004), (20.0, 20.008)]
    ticks = [
        (9.990, 9.991),  # on time, before any batch
        (10.003, 10.010),  # 6 ms late, overlaps the first batch's end
        (15.0, 15.0075),  # 6.5 ms late, no batch: the machine
        (19.995, 20.0015),  # 5.5 ms late, overlaps the second batch's start
        (20.009, 20.0101),  # just after the second batch: outside
    ]
    got = stalls_by_batch(ticks, spans)
    assert got["ticks_in_batch"] == 2
    assert got["ticks_over_5ms_in_batch"] == 2
    assert got["ticks_over_5ms_outside_batches"] == 1
    assert got["loop_max_late_in_batch_ms"] == pytest.approx(6.0)
    assert got["loop_max_late_outside_batches_ms"] == pytest.approx(6.5)
    empty = stalls_by_batch([(1.0, 1.001)], [])
    assert empty["ticks_in_batch"] == 0
    assert empty["loop_max_late_in_batch_ms"] == 0.0


def test_the_burst_benchmark_counts_late_ticks_of_a_worker_under_a_burst() -> None:
    """One burst of 1,000 messages through a worker that detects nothing: every message is
    handed over, and the ticker's figures come back (the benchmark runs, it does not judge)."""
    import asyncio

    from benchmarks.bench_classifier import _burst_lateness, _NoWork

    got = asyncio.run(_burst_lateness(_NoWork(), ["hello there"] * 10, bursts=1))
    assert got["messages"] == 1000  # every message of the burst reached the worker
    assert got["ticks"] > 100  # ~400 ms of a 1 ms ticker
    assert 0 <= got["over_5ms"] <= got["ticks"]
    # on Linux each late tick is told apart by the loop thread's wait for a CPU; elsewhere None
    if sys.platform.startswith("linux"):
        assert 0 <= got["over_5ms_waiting_cpu"] <= got["over_5ms"]
    else:
        assert got["over_5ms_waiting_cpu"] is None


def test_a_threads_run_queue_wait_is_read_on_linux_and_none_elsewhere() -> None:
    import threading

    from benchmarks.bench_classifier import _run_queue_ms

    waited = _run_queue_ms(threading.get_native_id())
    if sys.platform.startswith("linux"):
        assert waited is not None and waited >= 0.0
    else:
        assert waited is None
    assert _run_queue_ms(-1) is None  # no such thread: said, not raised
