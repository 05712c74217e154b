"""``python -m bot detect``: classify JSON lines from stdin.

Input lines: ``{"id": ..., "text": ...}``.  Output lines: ``{"id": ..., "label": ...,
"tier": ..., "confidence": ..., "needs": [...], "lang": ..., "phrase_ids": [...]}``:
what the
bot would do.  ``crisis_self`` / ``concern_other`` are the alert level (private reply with
lines, peer alert; moderators for tier 3), ``distress`` is the soft level (a gentle private
check-in), ``harassment`` goes to moderators, ``none`` is left alone.  ``needs`` lists the
resources asked for (``respite``, ``warmline``, ``peer``).  A malformed line yields
``{"id": null, "error": "..."}`` and the run continues.  The message text is
never echoed.  Exit status is 0, or 1 if any line was malformed.
"""

from __future__ import annotations

import json
from typing import TextIO

from bot.safety.assess import Assessor


def main(stdin: TextIO, stdout: TextIO, assessor: Assessor | None = None) -> int:
    detector = assessor or Assessor.default()
    status = 0
    for lineno, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            out: dict = {"id": None, "error": f"line {lineno}: invalid JSON ({exc.msg})"}
        else:
            out = _classify(detector, record, lineno)
        if "error" in out:
            status = 1
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    stdout.flush()
    return status


def _classify(detector: Assessor, record: object, lineno: int) -> dict:
    if not isinstance(record, dict):
        return {"id": None, "error": f"line {lineno}: expected a JSON object"}
    ident = record.get("id")
    if not isinstance(ident, str | int | float | type(None)) or isinstance(ident, bool):
        return {"id": None, "error": f"line {lineno}: 'id' must be a string or number"}
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": None, "error": f"line {lineno}: 'text' must be a string"}
    result = detector.assess(text)
    return {
        "id": ident,
        "label": result.label.value,
        "tier": result.tier,
        "confidence": round(result.confidence, 3),
        "needs": list(result.needs),
        "lang": result.lang,
        "phrase_ids": list(result.phrase_ids),
    }
