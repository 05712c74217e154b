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
    first = lines[0]
    assert set(first) == {"id", "label", "tier", "confidence", "needs", "lang", "phrase_ids"}
    assert first["id"] == 1 and first["label"] == "crisis_self" and first["tier"] >= 2
    assert first["phrase_ids"] == ["en.self.want_to_die"] and first["needs"] == []
    assert 0.0 <= first["confidence"] <= 1.0 and first["lang"] == "en"
    assert lines[1]["id"] is None and "error" in lines[1]
    assert lines[2]["id"] == "b" and lines[2]["label"] == "none" and lines[2]["tier"] == 0
    assert lines[3]["id"] is None and "error" in lines[3]
    assert lines[4]["id"] is None and "error" in lines[4]
    assert lines[5]["id"] == 4 and lines[5]["label"] == "harassment"
    assert "i want to die" not in stdout.getvalue()  # text never echoed


def test_cli_all_good_returns_zero() -> None:
    stdout = io.StringIO()
    assert main(io.StringIO('{"id": 1, "text": "hello"}\n'), stdout) == 0


def test_cli_reports_needs_and_the_soft_level_as_distress() -> None:
    from bot.safety.assess import Assessor, Thresholds
    from bot.safety.classifier import CLASSES, NEEDS, Scores
    from bot.safety.detector import Detector

    class Fake:
        version = "fake"
        meta: dict = {}

        def scores(self, text: str) -> Scores:
            classes = dict.fromkeys(CLASSES, 0.0)
            needs = dict.fromkeys(NEEDS, 0.0)
            if "respite" in text:
                needs["respite"] = 0.9
                classes["none"] = 0.9
            else:
                classes["crisis_1"] = 0.4
            return Scores(classes, needs, "en", 1.0)

        def scores_tokens(self, token_lists, quiet=None, pause=None) -> list[Scores]:
            return [self.scores(" ".join(tokens)) for tokens in token_lists]

    assessor = Assessor(Detector.default(), Fake(), Thresholds(soft=0.3, alert=0.6))  # type: ignore[arg-type]
    stdout = io.StringIO()
    main(
        io.StringIO('{"id": 1, "text": "is there a respite near me"}\n{"id": 2, "text": "meh"}\n'),
        stdout,
        assessor,
    )
    a, b = (json.loads(line) for line in stdout.getvalue().splitlines())
    assert a["label"] == "none" and a["needs"] == ["respite"]
    assert b["label"] == "distress" and b["confidence"] == 0.4
