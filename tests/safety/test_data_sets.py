"""The detector's three data sets: separate, big enough, shaped as the data card says."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.safety.datasets import append_pass
from bot.safety.training import SETS, _key, clean_row, load_set


@pytest.fixture(scope="module")
def sets() -> dict[str, list[dict]]:
    return {name: load_set(name) for name in SETS}


def test_sets_never_share_a_sentence(sets) -> None:
    keys = {name: {_key(r["text"]) for r in rows} for name, rows in sets.items()}
    assert not keys["train"] & keys["validation"]
    assert not keys["train"] & keys["test"]
    assert not keys["validation"] & keys["test"]


def test_sizes_and_languages(sets) -> None:
    assert len(sets["train"]) >= 8000
    assert len(sets["validation"]) >= 1200
    assert len(sets["test"]) >= 600
    langs = Counter(r["lang"] for r in sets["train"])
    assert all(langs[lang] >= 600 for lang in ("es", "fr", "de", "pt")), langs
    for name in ("validation", "test"):
        crisis = Counter(r["lang"] for r in sets[name] if r["label"] == "crisis_self")
        assert all(crisis[lang] >= 20 for lang in ("en", "es", "fr", "de", "pt")), crisis


def test_hard_negatives_are_at_least_forty_percent_of_training(sets) -> None:
    rows = sets["train"]
    assert sum(r["label"] == "none" for r in rows) / len(rows) >= 0.40


def test_validation_and_test_writers_never_wrote_training_lines(sets) -> None:
    train_writers = {r["writer"] for r in sets["train"]}
    for name in ("validation", "test"):
        writers = {r["writer"] for r in sets[name]}
        assert writers and not writers & train_writers, (name, writers)


@pytest.mark.parametrize("name", SETS)
def test_every_row_follows_the_labelling_guide(sets, name: str) -> None:
    for row in sets[name]:
        assert clean_row(row) is not None, row["id"]
        assert {"id", "text", "label", "tier", "lang", "needs", "writer", "pass"} <= set(row)


def test_the_phrase_engines_own_lines_keep_their_language_in_training(sets) -> None:
    """The corpus and held-out batches hold lines in all five languages ("quiero morir", "ich
    will sterben"); they once all joined training labelled English, and the model learnt to
    call short non-English crisis lines English (the reply's language). Each carries its own
    language now, in the source files and in training."""
    from bot.safety.datasets import legacy_rows

    legacy = legacy_rows()
    assert all(r["lang"] in ("en", "es", "fr", "de", "pt") for r in legacy)
    by_lang = Counter(r["lang"] for r in legacy)
    assert all(by_lang[lang] >= 20 for lang in ("es", "fr", "de", "pt")), by_lang
    want = {_key(r["text"]): r["lang"] for r in legacy}
    stored = [r for r in sets["train"] if r["writer"] in ("corpus", "heldout")]
    assert stored
    wrong = [r["text"] for r in stored if want.get(_key(r["text"]), r["lang"]) != r["lang"]]
    assert not wrong, wrong[:5]


def _write(path, rows) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def test_a_pass_is_appended_without_its_repeats_and_without_being_printed(tmp_path, capsys) -> None:
    """``training append``: a writer's lines join one set numbered on from its last id;
    lines that repeat any set or a probe (after normalisation), repeat each other, break the
    guide or are not JSON are dropped and counted; the set's old lines are untouched and no
    text reaches the output."""
    row = {"label": "none", "tier": 0, "lang": "en", "needs": [], "writer": "W", "pass": "p"}
    _write(tmp_path / "train.jsonl", [{"id": "t00001", "text": "gg all", **row}])
    _write(tmp_path / "validation.jsonl", [{"id": "v00001", "text": "morning all", **row}])
    _write(tmp_path / "test.jsonl", [{"id": "t00007", "text": "the bus is late", **row}])
    (tmp_path / "probes").mkdir()
    _write(tmp_path / "probes" / "P_x.jsonl", [{"text": "a probe's own line", **row}])
    new = tmp_path / "X9.jsonl"
    lines = [
        {"text": "GG   all!!", **row},  # repeats training, after normalisation
        {"text": "Morning all", **row},  # repeats validation
        {"text": "a fresh secret line", **row},
        {"text": "A fresh secret line.", **row},  # repeats the line before
        {"text": "broken tier", **row, "label": "crisis_self", "tier": 0},
        {"text": "another secret line", **row, "lang": "de", "label": "distress"},
        {"text": "A probe's own line!", **row},  # repeats a probe
    ]
    new.write_text("".join(json.dumps(r) + "\n" for r in lines) + "not json\n\n", encoding="utf-8")
    before = (tmp_path / "test.jsonl").read_text("utf-8")
    report = append_pass("test", [new], tmp_path)
    assert report == {
        "read": 8,
        "broken": 2,
        "repeats": 4,
        "kept": 2,
        "labels": {"none": 1, "distress": 1},
        "langs": {"en": 1, "de": 1},
        "total": 3,
    }
    after = load_set("test", tmp_path)
    assert (tmp_path / "test.jsonl").read_text("utf-8").startswith(before)
    assert [r["id"] for r in after] == ["t00007", "t00008", "t00009"]
    assert [r["text"] for r in after[1:]] == ["a fresh secret line", "another secret line"]
    assert load_set("train", tmp_path)[0]["text"] == "gg all"  # other sets untouched
    printed = capsys.readouterr()
    assert "secret" not in printed.out + printed.err


def test_a_spent_pass_is_retired_into_training_without_being_printed(tmp_path, capsys) -> None:
    """``training retire``: a read test pass's rows leave test (the others keep their ids) and
    join training numbered on from its last id; a writer the set does not hold is an error
    that moves nothing; no text reaches the output."""
    from bot.safety.datasets import move_writers

    row = {"label": "none", "tier": 0, "lang": "en", "needs": [], "pass": "p"}
    _write(tmp_path / "train.jsonl", [{"id": "t00004", "text": "gg all", "writer": "T1", **row}])
    _write(
        tmp_path / "test.jsonl",
        [
            {"id": "t00001", "text": "secret one", "writer": "X1", **row},
            {"id": "t00002", "text": "secret two", "writer": "X2", **row},
            {"id": "t00003", "text": "secret three", "writer": "X1", **row},
        ],
    )
    before = {n: (tmp_path / f"{n}.jsonl").read_text("utf-8") for n in ("train", "test")}
    with pytest.raises(ValueError, match="X9"):
        move_writers("test", "train", ["X1", "X9"], tmp_path)
    assert {n: (tmp_path / f"{n}.jsonl").read_text("utf-8") for n in before} == before

    report = move_writers("test", "train", ["X1"], tmp_path)
    assert report == {"moved": 2, "writers": {"X1": 2}, "test": 1, "train": 3}
    train, test = load_set("train", tmp_path), load_set("test", tmp_path)
    assert [(r["id"], r["text"]) for r in test] == [("t00002", "secret two")]
    assert [(r["id"], r["text"], r["writer"]) for r in train] == [
        ("t00004", "gg all", "T1"),
        ("t00005", "secret one", "X1"),
        ("t00006", "secret three", "X1"),
    ]
    assert train[1] == {"id": "t00005", "text": "secret one", "writer": "X1", **row}
    printed = capsys.readouterr()
    assert "secret" not in printed.out + printed.err


def test_a_spent_pass_can_be_set_aside_in_waiting_and_appended_later(tmp_path, capsys) -> None:
    """``retire --to waiting``: the rows leave the set for ``waiting/retired-<set>.jsonl``
    (a second retirement adds to it); ``append`` can bring them into training later, in the
    same order, as if they had been retired there directly."""
    from bot.safety.datasets import move_writers

    row = {"label": "none", "tier": 0, "lang": "en", "needs": [], "pass": "p"}
    _write(tmp_path / "train.jsonl", [{"id": "t00001", "text": "gg all", "writer": "T1", **row}])
    _write(tmp_path / "validation.jsonl", [])
    _write(
        tmp_path / "test.jsonl",
        [
            {"id": "t00001", "text": "secret one", "writer": "X1", **row},
            {"id": "t00002", "text": "secret two", "writer": "X2", **row},
            {"id": "t00003", "text": "secret three", "writer": "X3", **row},
        ],
    )
    (tmp_path / "probes").mkdir()
    assert move_writers("test", "waiting", ["X1"], tmp_path)["waiting"] == 1
    assert move_writers("test", "waiting", ["X3"], tmp_path) == {
        "moved": 1,
        "writers": {"X3": 1},
        "test": 1,
        "waiting": 2,
    }
    aside = tmp_path / "waiting" / "retired-test.jsonl"
    assert [r["text"] for r in load_set("test", tmp_path)] == ["secret two"]
    # a new validation line that repeats a line set aside is dropped: it may join training
    _write(tmp_path / "V9.jsonl", [{"text": "Secret one!", "writer": "V9", **row}])
    assert append_pass("validation", [tmp_path / "V9.jsonl"], tmp_path)["repeats"] == 1
    report = append_pass("train", [aside], tmp_path)
    assert (report["kept"], report["total"]) == (2, 3)
    train = load_set("train", tmp_path)
    assert [(r["id"], r["text"]) for r in train] == [
        ("t00001", "gg all"),
        ("t00002", "secret one"),
        ("t00003", "secret three"),
    ]
    printed = capsys.readouterr()
    assert "secret" not in printed.out + printed.err
