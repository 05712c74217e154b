"""``python -m bot detect``: classify JSON lines from stdin.

Input lines: ``{"id": ..., "text": ...}``.  Output lines: ``{"id": ..., "label": ...,
"tier": ..., "phrase_ids": [...]}``.  A malformed line yields ``{"id": null, "error":
"..."}`` and the run continues.  The message text is
never echoed.  Exit status is 0, or 1 if any line was malformed.
"""

from __future__ import annotations

import json
from typing import TextIO

from bot.safety.detector import Detector


def main(stdin: TextIO, stdout: TextIO, detector: Detector | None = None) -> int:
    detector = detector or Detector.default()
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


def _classify(detector: Detector, record: object, lineno: int) -> dict:
    if not isinstance(record, dict):
        return {"id": None, "error": f"line {lineno}: expected a JSON object"}
    ident = record.get("id")
    if not isinstance(ident, str | int | float | type(None)) or isinstance(ident, bool):
        return {"id": None, "error": f"line {lineno}: 'id' must be a string or number"}
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": None, "error": f"line {lineno}: 'text' must be a string"}
    detection = detector.detect(text)
    return {
        "id": ident,
        "label": detection.label.value,
        "tier": detection.tier,
        "phrase_ids": list(detection.phrase_ids),
    }
