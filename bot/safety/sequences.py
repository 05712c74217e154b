"""Context judged on sequences: a member's few messages in a row, replayed as the bot reads them.

The guild listener keeps each member's recent risk in a channel (scores only, in memory) and
assesses a message at the soft level again with it (``Assessor.context_can_raise``,
``Assessor.context_counts``); the safety service remembers the risk of every message it is
told about whose label is one of ``REMEMBERED``, the last ``KEEP`` of them. ``replay`` does
the same for one written sequence, so the context rule can be measured on sequences nobody
tuned it on. Two sets, by two writers who saw neither each other's nor any other set:

* ``data/detector/context_selection.jsonl`` (writer C1): to choose a context rule;
* ``data/detector/context_report.jsonl`` (writer C2): read only to report the shipped rule.

Each row: ``messages`` (2-5, one member, in order), ``expect_last`` (``alert`` when the last
message, read with the earlier ones, means the member is at risk now; else ``no_alert``),
``kind``, ``lang``, ``writer``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence

from bot.safety.assess import Assessor
from bot.safety.datasets import DATA_DIR
from bot.safety.detector import Label

__all__ = ["CONTEXT_SETS", "load_sequences", "replay", "sequence_figures"]

CONTEXT_SETS = {"selection": "context_selection.jsonl", "report": "context_report.jsonl"}
REMEMBERED = ("crisis_self", "concern_other", "distress")  # the service's REMEMBERED_LABELS
KEEP = 5  # the service's CONTEXT_KEEP


def load_sequences(name: str) -> list[dict]:
    path = DATA_DIR / CONTEXT_SETS[name]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def replay(assessor: Assessor, messages: Sequence[str]) -> list[tuple[bool, bool]]:
    """Per message: (an alert by itself, an alert as the bot decides it with context)."""
    recent: deque[float] = deque(maxlen=KEEP)
    out = []
    for text in messages:
        alone = result = assessor.assess(text)
        noticed = result.label is not Label.NONE or bool(result.needs)
        if noticed and assessor.context_can_raise(result):
            context = max(recent, default=0.0)
            if assessor.context_counts(context):
                result = assessor.assess(text, context_risk=context)
        if noticed and str(result.label) in REMEMBERED:
            recent.append(result.risk)
        out.append((alone.is_alert, result.is_alert))
    return out


def sequence_figures(assessor: Assessor, rows: Sequence[dict]) -> dict:
    """What context adds: how many at-risk sequences end in an alert (alone and with
    context), and how many ordinary ones get any alert, and one only through context."""
    at_risk = [r for r in rows if r["expect_last"] == "alert"]
    ordinary = [r for r in rows if r["expect_last"] == "no_alert"]
    risk_runs = [replay(assessor, r["messages"]) for r in at_risk]
    plain_runs = [replay(assessor, r["messages"]) for r in ordinary]

    def rate(hits: int, total: int) -> float:
        return hits / total if total else 0.0

    return {
        "sequences": len(rows),
        "at_risk": len(at_risk),
        "last_alert_alone": rate(sum(run[-1][0] for run in risk_runs), len(at_risk)),
        "last_alert": rate(sum(run[-1][1] for run in risk_runs), len(at_risk)),
        "any_alert": rate(sum(any(c for _, c in run) for run in risk_runs), len(at_risk)),
        "ordinary": len(ordinary),
        "ordinary_any_alert": rate(
            sum(any(c for _, c in run) for run in plain_runs), len(ordinary)
        ),
        "ordinary_context_alert": rate(
            sum(any(c and not a for a, c in run) for run in plain_runs), len(ordinary)
        ),
    }
