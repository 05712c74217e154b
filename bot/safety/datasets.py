"""The detector's three data sets: where they live, how a row is read, cleaned and assembled.

* ``data/detector/train.jsonl`` trains the model;
* ``data/detector/validation.jsonl`` chooses the thresholds (:mod:`bot.safety.evaluation`);
* ``data/detector/test.jsonl`` is read only by ``evaluate --set test``, to report a release.

``assemble`` merges writers' folders into the three sets so they never share a sentence.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.safety.classifier import prepare
from bot.safety.detector import Detector, Label, project_root

DATA_DIR = project_root() / "data" / "detector"
SETS = ("train", "validation", "test")
VALID_LABELS = {"none", "distress", "concern_other", "harassment", "crisis_self"}


def load_set(name: str, folder: Path | None = None) -> list[dict]:
    path = (folder or DATA_DIR) / f"{name}.jsonl"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def set_digest(rows: Iterable[dict]) -> str:
    """A short hash of a set's rows, recorded beside the model it trained or tuned."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def _key(text: str) -> str:
    return " ".join(prepare(text).replace(".", " ").split())


def clean_row(row: dict) -> dict | None:
    """A writer's line in the stored shape, or None when it breaks the labelling guide."""
    text = row.get("text")
    label = row.get("label")
    if not isinstance(text, str) or not text.strip() or label not in VALID_LABELS:
        return None
    tier = int(row.get("tier", 0) or 0)
    if (label == "crisis_self") != (tier in (1, 2, 3)):
        return None
    needs = sorted({n for n in row.get("needs", []) if n in ("respite", "warmline", "peer")})
    return {
        "text": text,
        "label": label,
        "tier": tier,
        "lang": row.get("lang", "en")
        if row.get("lang") in ("en", "es", "fr", "de", "pt")
        else "en",
        "needs": needs,
        "writer": str(row.get("writer", "")),
        "pass": str(row.get("pass", "")),
    }


def assemble(sources: dict[str, list[Path]], extra_train: Sequence[dict] = ()) -> dict:
    """Merge writers' files into the three sets: exact duplicates dropped within a set, any
    training line that also appears (after normalisation) in validation or test removed from
    training, and any test line also in validation removed from test, so the sets never
    share a sentence."""
    sets = _read_sources(sources)
    sets["train"].extend(r for r in (clean_row(x) for x in extra_train) if r is not None)
    report = _deduplicate(sets)
    _write_sets(sets)
    return report


def _read_sources(sources: dict[str, list[Path]]) -> dict[str, list[dict]]:
    sets: dict[str, list[dict]] = {name: [] for name in SETS}
    for name, files in sources.items():
        for file in sorted(files):
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = clean_row(json.loads(line))
                    if row is not None:
                        sets[name].append(row)
    return sets


def _deduplicate(sets: dict[str, list[dict]]) -> dict:
    """Drop repeats and shared sentences in place, number the kept rows; the counts."""
    held = {_key(r["text"]) for name in ("validation", "test") for r in sets[name]}
    validation_keys = {_key(r["text"]) for r in sets["validation"]}
    report = {}
    for name in SETS:
        seen: set[str] = set()
        kept = []
        for row in sets[name]:
            key = _key(row["text"])
            if (
                not key
                or key in seen
                or (name == "train" and key in held)
                or (name == "test" and key in validation_keys)
            ):
                continue
            seen.add(key)
            kept.append(row)
        report[name] = {"read": len(sets[name]), "kept": len(kept)}
        for i, row in enumerate(kept, start=1):
            row["id"] = f"{name[0]}{i:05d}"
        sets[name] = kept
    return report


def _write_sets(sets: dict[str, list[dict]]) -> None:
    for name in SETS:
        rows = [{"id": row.pop("id"), **row} for row in sets[name]]
        _write_rows(DATA_DIR / f"{name}.jsonl", rows)


def _write_rows(path: Path, rows: Iterable[dict], mode: str = "w") -> None:
    """``rows`` as JSON lines, written over ``path`` (``mode`` "w") or after it ("a")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode, encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _last_id(rows: Iterable[dict]) -> int:
    """The number of a set's last row id ("t00042" → 42), 0 for none."""
    return max((int(r["id"][1:]) for r in rows), default=0)


def append_pass(name: str, files: Sequence[Path], folder: Path | None = None) -> dict:
    """Add writers' files to one set: each line cleaned (a line that breaks the labelling
    guide is dropped), then dropped too when it repeats, after normalisation, a line of any
    set, of a probe (``probes/``), of a file waiting in ``waiting/`` (not one of these) or an
    earlier line of these files; the rest are numbered
    on from the set's last id and appended. The counts come back; no text is printed or
    logged, so a test pass can be added without being read."""
    folder = folder or DATA_DIR
    existing = {other: load_set(other, folder) for other in SETS}
    keys = {_key(r["text"]) for rows in existing.values() for r in rows}
    # the probes share none either, nor do lines waiting for a later set (a validation line
    # must not repeat one that may join training), other than the files being added
    adding = {Path(f).resolve() for f in files}
    others = [*(folder / "probes").glob("*.jsonl"), *(folder / "waiting").glob("*.jsonl")]
    for other in sorted(p for p in others if p.resolve() not in adding):
        keys.update(
            _key(json.loads(x)["text"]) for x in other.read_text("utf-8").splitlines() if x.strip()
        )
    rows = existing[name]
    last = _last_id(rows)
    report: dict = {"read": 0, "broken": 0, "repeats": 0, "kept": 0, "labels": {}, "langs": {}}
    added = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            report["read"] += 1
            try:
                row = clean_row(json.loads(line))
            except (json.JSONDecodeError, TypeError, ValueError, AttributeError):
                row = None
            if row is None:
                report["broken"] += 1
                continue
            key = _key(row["text"])
            if not key or key in keys:
                report["repeats"] += 1
                continue
            keys.add(key)
            last += 1
            added.append({"id": f"{name[0]}{last:05d}", **row})
            for field, value in (("labels", row["label"]), ("langs", row["lang"])):
                report[field][value] = report[field].get(value, 0) + 1
    report["kept"] = len(added)
    _write_rows(folder / f"{name}.jsonl", added, "a")
    report["total"] = len(rows) + len(added)
    return report


def move_writers(
    source: str, target: str, writers: Sequence[str], folder: Path | None = None
) -> dict:
    """Retire a spent set's writers into another set (a test or validation pass whose figures
    have been read, into training): their rows leave ``source`` (the others keep their ids)
    and join ``target`` numbered on from its last id, unchanged otherwise. ``target``
    ``"waiting"`` sets them aside in ``waiting/retired-<source>.jsonl`` (out of every set,
    their ids kept) for a later ``append``. Counts come back; no text is printed. A writer
    absent from ``source`` is an error, so a typo moves nothing."""
    folder = folder or DATA_DIR
    if source == target:
        raise ValueError("source and target are the same set")
    rows = load_set(source, folder)
    present = {r["writer"] for r in rows}
    missing = sorted(set(writers) - present)
    if missing:
        raise ValueError(f"no rows of {', '.join(missing)} in {source}")
    wanted = set(writers)
    staying = [r for r in rows if r["writer"] not in wanted]
    leaving = [r for r in rows if r["writer"] in wanted]
    if target == "waiting":
        aside = folder / "waiting" / f"retired-{source}.jsonl"
        kept = load_set(aside.stem, aside.parent) if aside.exists() else []
        moved = leaving
        files = ((folder / f"{source}.jsonl", staying), (aside, kept + moved))
    else:
        kept = load_set(target, folder)
        first = _last_id(kept) + 1
        moved = [{**row, "id": f"{target[0]}{i:05d}"} for i, row in enumerate(leaving, first)]
        files = ((folder / f"{source}.jsonl", staying), (folder / f"{target}.jsonl", kept + moved))
    for path, body in files:
        _write_rows(path, body)
    return {
        "moved": len(moved),
        "writers": dict(sorted(Counter(r["writer"] for r in leaving).items())),
        source: len(staying),
        target: len(kept) + len(moved),
    }


def legacy_rows() -> list[dict]:
    """The phrase engine's own corpus and held-out batches: tuned on, so training only."""
    root = project_root() / "tests" / "safety"
    detector = Detector.default()
    rows = []
    for line in (root / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        lang = r.get("lang", "en")
        rows.append({**r, "lang": lang, "needs": [], "writer": "corpus", "pass": "phrase-corpus"})
    for line in (root / "heldout.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        label = r["want"]
        tier = 0
        if label == "crisis_self":
            found = detector.detect(r["text"])
            tier = found.tier if found.label is Label.CRISIS_SELF else 2
        rows.append(
            {
                "text": r["text"],
                "label": label,
                "tier": tier,
                "lang": r.get("lang", "en"),
                "needs": [],
                "writer": "heldout",
                "pass": "phrase-heldout",
            }
        )
    return rows
