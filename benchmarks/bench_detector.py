"""Crisis detector throughput and quality vs a naive substring matcher.

Run: ``.venv/bin/python benchmarks/bench_detector.py`` (prints JSON).

* ``corpus_mix``: the labelled corpus (tests/safety/corpus.jsonl, ~45 % crisis-like
  messages, so heavier than real chat) repeated and shuffled to 50k messages.
* ``chat_mix``: 50k "typical" 20-300 character messages built by joining 1-8 ordinary
  corpus messages, with ~2 % of crisis/distress messages mixed in.
* baseline: lower-case the text and ``any(p in text for p in phrases)`` over the same
  flat phrase list (every normalised non-idiom key); quality computed as "hit => crisis".
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.safety.detector import Detector, Label  # noqa: E402

CORPUS = ROOT / "tests" / "safety" / "corpus.jsonl"
N = 50_000


def _load() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _chat_mix(rows: list[dict], rng: random.Random) -> list[str]:
    ordinary = [r["text"] for r in rows if r["label"] == "none"]
    signals = [r["text"] for r in rows if r["label"] != "none"]
    out = []
    while len(out) < N:
        if rng.random() < 0.02:
            out.append(rng.choice(signals))
            continue
        msg = " ".join(rng.choice(ordinary) for _ in range(rng.randint(1, 8)))
        if len(msg) >= 20:
            out.append(msg[:300])
    return out


def _rate(fn, messages: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(messages)
        best = min(best, time.perf_counter() - start)
    return len(messages) / best


def _quality(predict, rows: list[dict]) -> dict:
    """Precision/recall for "crisis_self" (any tier) and the false-alarm rate."""
    tp = fp = fn = fa = none_total = 0
    for row in rows:
        got = predict(row["text"])
        gold = row["label"] == "crisis_self"
        if got and gold:
            tp += 1
        elif got:
            fp += 1
        elif gold:
            fn += 1
        if row["label"] == "none":
            none_total += 1
            fa += bool(got)
    return {
        "crisis_precision": round(tp / max(1, tp + fp), 4),
        "crisis_recall": round(tp / max(1, tp + fn), 4),
        "false_alarm_rate_on_none": round(fa / max(1, none_total), 4),
    }


def run() -> dict:
    rng = random.Random(20240611)
    rows = _load()
    detector = Detector.default()
    phrases = detector.flat_patterns

    def naive_many(messages: list[str]) -> list[bool]:
        return [any(p in m.lower() for p in phrases) for m in messages]

    corpus_mix = [r["text"] for r in rows] * (N // len(rows) + 1)
    rng.shuffle(corpus_mix)
    corpus_mix = corpus_mix[:N]
    chat_mix = _chat_mix(rows, rng)

    results: dict = {"phrases": len(phrases), "messages_per_run": N, "python": sys.version}
    for name, messages in (("corpus_mix", corpus_mix), ("chat_mix", chat_mix)):
        detector.detect_many(messages[:2000])  # warm caches
        fast = _rate(detector.detect_many, messages)
        naive = _rate(naive_many, messages, repeat=1)
        results[name] = {
            "avg_chars": round(sum(map(len, messages)) / len(messages), 1),
            "detector_msgs_per_s": round(fast),
            "naive_msgs_per_s": round(naive),
            "detector_vs_naive": round(fast / naive, 2),
        }
    results["quality_detector"] = _quality(
        lambda t: detector.detect(t).label is Label.CRISIS_SELF, rows
    )
    results["quality_naive"] = _quality(lambda t: any(p in t.lower() for p in phrases), rows)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
