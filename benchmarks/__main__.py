"""Run the benchmarks: ``python -m benchmarks [--only NAME ...]`` (``make bench``).

Discovers ``benchmarks/bench_*.py``; each module's ``run() -> dict`` is called (modules
without one are skipped), a compact table is printed, everything is written to
``benchmarks/results/latest.json``, and every ratio (a key containing ``ratio`` or ``_vs_``)
is compared with ``benchmarks/baselines.json``: a change of more than 25 % in the bad
direction is flagged as a regression and the exit status is 1.  Ratios are measured against
a baseline in the same run; absolute figures are printed for information only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results" / "latest.json"
BASELINES = HERE / "baselines.json"
TOLERANCE = 0.25
# Ratios where bigger is better (speed-ups); every other ratio is a cost (smaller is better).
HIGHER_IS_BETTER = ("detector_vs_naive",)


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def _ratios(result: dict, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_ratios(value, name + "."))
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and ("ratio" in key or "_vs_" in key)
        ):
            out[name] = float(value)
    return out


def compare(name: str, result: dict, baselines: dict) -> list[str]:
    recorded = baselines.get("benchmarks", {}).get(name, {}).get("ratios", {})
    problems = []
    for key, now in _ratios(result).items():
        base = recorded.get(key)
        if not base:
            continue
        higher_better = any(h in key for h in HIGHER_IS_BETTER)
        change = (base - now) / base if higher_better else (now - base) / base
        if change > TOLERANCE:
            problems.append(f"{name}.{key}: {now:g} vs baseline {base:g} ({change:+.0%} worse)")
    return problems


def _flat(result: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in result.items():
        if isinstance(value, dict):
            rows.extend(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, int | float | str | bool) and key not in ("python", "note"):
            rows.append((f"{prefix}{key}", value))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", action="append", metavar="NAME", help="e.g. detector, gateway")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"no benchmark named {', '.join(unknown)} (have: {', '.join(names)})")
        names = [n for n in names if n in args.only]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    baselines = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}",
        "python": platform.python_version(),
        "benchmarks": {},
    }
    regressions: list[str] = []
    failed = False
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
        except ImportError as exc:
            print(f"{name}: skipped (import failed: {exc})")
            continue
        run = getattr(module, "run", None)
        if not callable(run):
            print(f"{name}: skipped (no run())")
            continue
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            result = run()
        except Exception:
            traceback.print_exc()
            failed = True
            report["benchmarks"][name] = {"error": traceback.format_exc(limit=3)}
            continue
        elapsed = time.perf_counter() - start
        report["benchmarks"][name] = {"seconds": round(elapsed, 1), "result": result}
        width = max((len(k) for k, _ in _flat(result)), default=0)
        for key, value in _flat(result):
            print(f"  {key:<{width}}  {value}")
        problems = compare(name, result, baselines)
        regressions.extend(problems)
        print(f"  ({elapsed:.1f} s{', REGRESSION' if problems else ''})", flush=True)
    report["regressions"] = regressions
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    for line in regressions:
        print(f"REGRESSION > {TOLERANCE:.0%}: {line}")
    return 1 if regressions or failed else 0


if __name__ == "__main__":
    sys.exit(main())
