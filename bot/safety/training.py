"""``make train``: build the detector model from the repository, reproducibly.

* ``data/detector/train.jsonl`` trains the fastText model (fixed seed, one thread, so the same
  data gives the same file);
* ``data/detector/validation.jsonl`` chooses the thresholds that combine it with the phrase
  engine (:class:`bot.safety.assess.Thresholds`): nothing else is tuned on it;
* ``data/detector/test.jsonl`` is read only by ``evaluate --set test``, to report a release.

Writes ``data/models/detector.ftz`` (quantised) and ``detector.json`` (thresholds, training
parameters, data hashes and the validation figures).  Run as
``python -m bot.safety.training train`` or ``python -m bot.safety.training evaluate --set
validation``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from bot.safety.assess import Assessment, Assessor, Thresholds
from bot.safety.classifier import Classifier, Scores, default_model_path, prepare
from bot.safety.detector import Detection, Detector, Label, project_root

DATA_DIR = project_root() / "data" / "detector"
SETS = ("train", "validation", "test")
PARAMS = {
    "loss": "ova",
    "epoch": 30,
    "lr": 0.3,
    "dim": 40,
    "wordNgrams": 2,
    "minn": 2,
    "maxn": 5,
    "bucket": 200_000,
    "minCount": 1,
    "seed": 20261201,
    "thread": 1,
}
QUANTIZE = {"qnorm": True, "retrain": False, "cutoff": 0}

# What the bot must reach on validation (docs/detector.md, issue #9).
TARGETS = {
    "crisis_recall": 0.90,
    "tier3_recall": 0.97,
    "false_alarm": 0.02,
    "distress_to_alert": 0.10,
    "concern_recall": 0.85,
    "harassment_recall": 0.90,
    "lang_crisis_recall_min": 0.85,
    "soft_crisis_any": 0.98,
    "soft_none_any": 0.08,
    "needs_recall": 0.90,
    "needs_false": 0.02,
}


def load_set(name: str, folder: Path | None = None) -> list[dict]:
    path = (folder or DATA_DIR) / f"{name}.jsonl"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _fasttext_line(row: dict) -> str:
    label = row["label"]
    cls = f"crisis_{row['tier']}" if label == "crisis_self" else label
    labels = [f"__label__{cls}", f"__label__lang_{row.get('lang', 'en')}"]
    labels += [f"__label__need_{n}" for n in row.get("needs", [])]
    return " ".join(labels) + " " + prepare(row["text"])


def train_model(rows: Sequence[dict], out_path: Path) -> Classifier:
    import fasttext

    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "train.txt"
        train_file.write_text(
            "\n".join(_fasttext_line(r) for r in rows if prepare(r["text"])) + "\n",
            encoding="utf-8",
        )
        model = fasttext.train_supervised(input=str(train_file), verbose=0, **PARAMS)
        model.quantize(input=str(train_file), **QUANTIZE)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        model.save_model(str(out_path))
    return Classifier.load(out_path)


# ---------------------------------------------------------------------- evaluation


def score_rows(detector: Detector, classifier: Classifier | None, rows: Sequence[dict]):
    """Phrase detections and model scores for each row, computed once."""
    out = []
    for row in rows:
        text = row["text"]
        out.append((detector.detect(text), classifier.scores(text) if classifier else None))
    return out


def _assess_all(
    assessor: Assessor, scored: Sequence[tuple[Detection, Scores | None]], rows
) -> list[Assessment]:
    return [assessor.combine(d, s, text=r["text"]) for (d, s), r in zip(scored, rows, strict=True)]


def _rate(hits: int, total: int) -> float:
    return hits / total if total else float("nan")


def metrics(rows: Sequence[dict], results: Sequence[Assessment]) -> dict:
    """Every figure the targets speak of, from gold rows and the bot's assessments."""
    by: dict[str, list[tuple[dict, Assessment]]] = defaultdict(list)
    for row, res in zip(rows, results, strict=True):
        by[row["label"]].append((row, res))
    crisis = by["crisis_self"]
    none = by["none"]
    m: dict = {}
    m["n"] = len(rows)
    m["crisis_recall"] = _rate(sum(r.label is Label.CRISIS_SELF for _, r in crisis), len(crisis))
    for tier in (1, 2, 3):
        rows_t = [(g, r) for g, r in crisis if g["tier"] == tier]
        m[f"tier{tier}_recall"] = _rate(
            sum(r.label is Label.CRISIS_SELF for _, r in rows_t), len(rows_t)
        )
    t3 = [(g, r) for g, r in crisis if g["tier"] == 3]
    m["tier3_exact"] = _rate(
        sum(r.label is Label.CRISIS_SELF and r.tier == 3 for _, r in t3), len(t3)
    )
    m["false_alarm"] = _rate(
        sum(r.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER) for _, r in none), len(none)
    )
    distress = by["distress"]
    m["distress_to_alert"] = _rate(
        sum(r.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER) for _, r in distress),
        len(distress),
    )
    m["distress_any"] = _rate(sum(r.label is not Label.NONE for _, r in distress), len(distress))
    concern = by["concern_other"]
    m["concern_recall"] = _rate(
        sum(r.label is Label.CONCERN_OTHER for _, r in concern), len(concern)
    )
    m["concern_alert"] = _rate(
        sum(r.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER) for _, r in concern), len(concern)
    )
    harass = by["harassment"]
    m["harassment_recall"] = _rate(sum(r.label is Label.HARASSMENT for _, r in harass), len(harass))
    m["soft_crisis_any"] = _rate(
        sum(r.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER, Label.DISTRESS) for _, r in crisis),
        len(crisis),
    )
    m["soft_none_any"] = _rate(sum(r.label is not Label.NONE for _, r in none), len(none))
    langs = Counter(g.get("lang", "en") for g, _ in crisis)
    m["lang_crisis_recall"] = {
        lang: _rate(
            sum(r.label is Label.CRISIS_SELF for g, r in crisis if g.get("lang", "en") == lang),
            n,
        )
        for lang, n in sorted(langs.items())
    }
    m["lang_crisis_recall_min"] = min(m["lang_crisis_recall"].values(), default=float("nan"))
    with_need = [(g, r) for g, r in zip(rows, results, strict=True) if g.get("needs")]
    m["needs_recall"] = _rate(
        sum(set(g["needs"]) <= set(r.needs) for g, r in with_need), len(with_need)
    )
    m["needs_any"] = _rate(
        sum(bool(set(g["needs"]) & set(r.needs)) for g, r in with_need), len(with_need)
    )
    plain = [
        (g, r)
        for g, r in zip(rows, results, strict=True)
        if g["label"] == "none" and not g.get("needs")
    ]
    m["needs_false"] = _rate(sum(bool(r.needs) for _, r in plain), len(plain))
    if any(g.get("lang") for g in rows):
        m["lang_accuracy"] = _rate(
            sum(r.lang == g.get("lang", "en") for g, r in zip(rows, results, strict=True)),
            len(rows),
        )
    return m


def meets(m: dict, targets: dict = TARGETS) -> list[str]:
    """The targets a figure set misses, as readable strings (empty = all met)."""
    misses = []
    for key, goal in targets.items():
        value = m.get(key)
        if value is None or math.isnan(value):  # no rows of that kind
            continue
        upper = key in ("false_alarm", "distress_to_alert", "soft_none_any", "needs_false")
        if (value > goal) if upper else (value < goal):
            sign = "≤" if upper else "≥"
            misses.append(f"{key} {value:.3f} (target {sign} {goal})")
    return misses


# ---------------------------------------------------------------------- threshold choice

GRID = [round(x * 0.025, 3) for x in range(2, 40)]


def choose_thresholds(
    detector: Detector, classifier: Classifier, rows: Sequence[dict]
) -> tuple[Thresholds, dict]:
    """Pick thresholds on validation rows: alert first (false alarms within budget, then the
    most crisis recall), then the rest one at a time.  Deterministic coordinate search."""
    scored = score_rows(detector, classifier, rows)

    def run(th: Thresholds) -> dict:
        assessor = Assessor(detector, classifier, th)
        return metrics(rows, _assess_all(assessor, scored, rows))

    th = Thresholds(
        alert=0.5, concern=0.5, harassment=0.5, soft=0.9, distress=0.99, tier3=0.5, need=0.5
    )
    # 1. alert + phrase boost: maximise crisis recall with false alarms and distress pushed
    #    to alert within a margin under the targets.
    best = None
    for boost in (0.0, 0.1, 0.2, 0.3, 0.4):
        for alert in GRID:
            cand = replace(th, alert=alert, phrase_boost=boost)
            m = run(cand)
            ok = m["false_alarm"] <= 0.015 and m["distress_to_alert"] <= 0.09
            key = (ok, m["crisis_recall"] + m["tier3_recall"], -m["false_alarm"])
            if best is None or key > best[0]:
                best = (key, cand)
    th = best[1]
    # 2. concern_other: recall with false alarms still in budget.
    th = _best_single(
        run,
        th,
        "concern",
        lambda m: (m["false_alarm"] <= 0.018, m["concern_recall"], -m["false_alarm"]),
    )
    # 3. harassment: recall with few ordinary lines given a moderator alert.
    th = _best_single(
        run,
        th,
        "harassment",
        lambda m: (m["soft_none_any"] <= 0.05, m["harassment_recall"], -m["soft_none_any"]),
    )
    # 4. soft level and distress: any response for crisis, few responses for `none`.
    th = _best_single(
        run,
        th,
        "soft",
        lambda m: (m["soft_none_any"] <= 0.065, m["soft_crisis_any"], -m["soft_none_any"]),
    )
    th = _best_single(
        run,
        th,
        "distress",
        lambda m: (m["soft_none_any"] <= 0.07, m["distress_any"], -m["soft_none_any"]),
    )
    # 5. tier 3: the most exact tier-3 calls without losing crisis recall.
    th = _best_single(run, th, "tier3", lambda m: (m["tier3_exact"], -abs(m["tier1_recall"])))
    # 6. needs: recall with ordinary chat rarely given a need.
    th = _best_single(
        run, th, "need", lambda m: (m["needs_false"] <= 0.015, m["needs_recall"], -m["needs_false"])
    )
    return th, run(th)


def _best_single(run, th: Thresholds, name: str, key) -> Thresholds:
    best = None
    for value in GRID:
        cand = replace(th, **{name: value})
        k = key(run(cand))
        if best is None or k > best[0]:
            best = (k, cand)
    return best[1]


# ---------------------------------------------------------------------- commands


def _sha(rows: Iterable[dict]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def cmd_train(out: Path) -> int:
    started = time.perf_counter()
    train = load_set("train")
    validation = load_set("validation")
    classifier = train_model(train, out)
    detector = Detector.default()
    thresholds, figures = choose_thresholds(detector, classifier, validation)
    meta = {
        "version": classifier.version,
        "params": PARAMS,
        "quantize": QUANTIZE,
        "thresholds": asdict(thresholds),
        "data": {
            "train": {"rows": len(train), "sha": _sha(train)},
            "validation": {"rows": len(validation), "sha": _sha(validation)},
        },
        "validation": figures,
        "missed_targets": meets(figures),
    }
    out.with_suffix(".json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps({"thresholds": meta["thresholds"], "validation": figures}, indent=2))
    print(f"trained in {time.perf_counter() - started:.1f} s: {out} ({out.stat().st_size} bytes)")
    if meta["missed_targets"]:
        print("targets missed on validation: " + "; ".join(meta["missed_targets"]))
    return 0


def evaluate(set_name: str, *, phrases_only: bool = False) -> dict:
    rows = load_set(set_name)
    detector = Detector.default()
    classifier = None if phrases_only else Classifier.default()
    assessor = Assessor(detector, classifier)
    return metrics(rows, [assessor.assess(r["text"]) for r in rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.training")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the model and choose thresholds on validation")
    train.add_argument("--out", type=Path, default=default_model_path())
    ev = sub.add_parser("evaluate", help="figures for one data set")
    ev.add_argument("--set", choices=SETS, default="validation")
    ev.add_argument("--phrases-only", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "train":
        return cmd_train(args.out)
    figures = evaluate(args.set, phrases_only=args.phrases_only)
    print(json.dumps(figures, indent=2))
    misses = meets(figures)
    if misses:
        print("targets missed: " + "; ".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
