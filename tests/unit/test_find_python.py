"""``make`` and ``.ci/run`` pick the newest python3.X >= 3.11 on PATH (or python3 if new
enough), through one script, and say which."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / ".ci" / "find-python"


def fake(folder: Path, name: str, *, works: bool = True) -> None:
    """A stand-in interpreter: exits 0 for the version check if it is 'new enough'."""
    path = folder / name
    path.write_text(f"#!/bin/sh\nexit {0 if works else 1}\n", encoding="utf-8")
    path.chmod(0o755)


def find(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", str(SCRIPT)],
        env={"PATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ({"python3.11": True, "python3.13": True}, "python3.13"),
        ({"python3.12": True, "python3.14": False}, "python3.12"),  # a broken shim is skipped
        ({"python3": True}, "python3"),
        ({"python3.10": True, "python3": True, "python3.15": True}, "python3.15"),
    ],
)
def test_the_newest_new_enough_python_is_chosen(
    tmp_path: Path, present: dict[str, bool], expected: str
) -> None:
    for name, works in present.items():
        fake(tmp_path, name, works=works)
    result = find(tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, expected)


def test_nothing_new_enough_prints_nothing_and_fails(tmp_path: Path) -> None:
    fake(tmp_path, "python3", works=False)  # e.g. a 3.9 python3
    result = find(tmp_path)
    assert (result.returncode, result.stdout) == (1, "")


def test_make_and_ci_both_use_it_and_make_says_which(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    assert ".ci/find-python" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    fake(tmp_path, "python3.19")
    dry = subprocess.run(
        [make, "-n", "-B", ".venv/.installed"],
        cwd=PROJECT_ROOT,
        env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    assert 'echo "Kindred: creating .venv with python3.19' in dry.stdout
    assert "python3.19 -m venv .venv" in dry.stdout
