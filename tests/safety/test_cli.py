from __future__ import annotations

import io
import json

from bot.safety.cli import main


def test_cli_round_trip() -> None:
    stdin = io.StringIO(
        '{"id": 1, "text": "i want to die"}\n'
        "this is not json\n"
        "\n"
        '{"id": "b", "text": "gg wp"}\n'
        '{"id": "c", "text": 5}\n'
        '["not", "an", "object"]\n'
        '{"id": 4, "text": "kys"}\n'
    )
    stdout = io.StringIO()
    status = main(stdin, stdout)
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert status == 1  # malformed lines reported, run completed
    assert lines[0] == {
        "id": 1,
        "label": "crisis_self",
        "tier": 2,
        "phrase_ids": ["en.self.want_to_die"],
    }
    assert lines[1]["id"] is None and "error" in lines[1]
    assert lines[2]["id"] == "b" and lines[2]["label"] == "none" and lines[2]["tier"] == 0
    assert lines[3]["id"] is None and "error" in lines[3]
    assert lines[4]["id"] is None and "error" in lines[4]
    assert lines[5]["id"] == 4 and lines[5]["label"] == "harassment"
    assert "i want to die" not in stdout.getvalue()  # text never echoed


def test_cli_all_good_returns_zero() -> None:
    stdout = io.StringIO()
    assert main(io.StringIO('{"id": 1, "text": "hello"}\n'), stdout) == 0
