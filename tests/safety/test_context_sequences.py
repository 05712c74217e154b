"""The context rule measured on message sequences (``bot.safety.sequences``).

Only the selection set is read here; the report set is read by
``python -m bot.safety.training context --set report``, to report a release.
"""

from __future__ import annotations

import functools
import json

from bot.safety.assess import Assessor
from bot.safety.datasets import _key, load_set
from bot.safety.sequences import KEEP, REMEMBERED, load_sequences, replay, sequence_figures
from bot.services.safety import CONTEXT_KEEP
from bot.services.safety.model import REMEMBERED_LABELS


@functools.cache
def _assessor() -> Assessor:
    return Assessor.default()


def test_the_replay_remembers_what_the_service_remembers() -> None:
    assert KEEP == CONTEXT_KEEP
    assert tuple(REMEMBERED) == tuple(REMEMBERED_LABELS)


def test_the_sequence_sets_are_well_formed_and_share_nothing_with_the_model_sets() -> None:
    model_keys = {_key(r["text"]) for name in ("train", "validation") for r in load_set(name)}
    ids = set()
    for name in ("selection", "report"):
        for row in load_sequences(name):
            assert row["id"] not in ids and 2 <= len(row["messages"]) <= 5
            assert row["expect_last"] in ("alert", "no_alert")
            ids.add(row["id"])
    # written apart from the model's sets: only a few short common lines recur ("hey",
    # "i want to die"; 14 of ~1,000 messages when written)
    messages = [_key(m) for r in load_sequences("selection") for m in r["messages"]]
    shared = [m for m in messages if m in model_keys]
    assert len(shared) <= 0.03 * len(messages), sorted(set(shared))


def test_context_catches_farewells_after_distress_without_alerting_ordinary_chat() -> None:
    """On the selection set: context turns more at-risk sequences' last message into an
    alert than the messages alone (a farewell after earlier distress), and turns few
    ordinary sequences into one (floors at the shipped figures, 2026-12-01: 78.7 % against
    74.1 % alone; 2.7 % of ordinary sequences alerted only through context)."""
    figures = sequence_figures(_assessor(), load_sequences("selection"))
    assert figures["last_alert"] >= figures["last_alert_alone"] + 0.03, json.dumps(figures)
    assert figures["last_alert"] >= 0.75
    assert figures["ordinary_context_alert"] <= 0.04


def test_context_never_takes_an_alert_away_and_plain_chat_stays_plain() -> None:
    for row in load_sequences("selection"):
        for alone, with_context in replay(_assessor(), row["messages"]):
            assert with_context or not alone, row["id"]
    assert replay(_assessor(), ["gg", "lol same", "brb making tea"]) == [(False, False)] * 3
