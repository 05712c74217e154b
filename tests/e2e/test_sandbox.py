"""``make sandbox``: the demo script tells the main story, typos get one-line hints and the
script goes on, completion offers what exists, and every way out removes the database."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.sandbox.completion import complete
from bot.sandbox.console import Console
from bot.sandbox.events import TEXT_LINES, AttachmentView, MessageView, attachment_view
from bot.sandbox.render import emit, make_console, render
from bot.sandbox.repl import DEMO_START, open_sandbox, run_script
from emulator.models import Attachment
from tests.helpers.processes import clean_env

DEMO = PROJECT_ROOT / "docs" / "demo.txt"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    async with open_sandbox(tmp_path, start=DEMO_START) as opened:
        yield opened


async def transcript(console: Console, lines: list[str]) -> tuple[str, int]:
    buffer = io.StringIO()
    hints = await run_script(lines, console, make_console(buffer, width=100))
    return buffer.getvalue(), hints


def after(text: str, line: str) -> str:
    """What the transcript shows after ``> line``, up to the next line run."""
    start = text.index("> " + line)
    rest = text[start + len(line) + 2 :]
    nxt = rest.find("\n> ")
    return rest if nxt < 0 else rest[:nxt]


async def test_the_demo_script_tells_the_main_story(console: Console) -> None:
    lines = DEMO.read_text(encoding="utf-8").splitlines()
    text, hints = await transcript(console, lines)

    claimed = after(text, "as pat click Claim")
    assert "You claimed request #1" in claimed
    assert "(only pat sees this)" in claimed
    assert "Status: Claimed by @pat" in claimed
    assert "Kindred in #support-1 (private thread)" in claimed
    assert "@alice, @pat is here with you" in claimed

    talk = after(
        text, "as alice say #support-1 hi pat. work has been a lot and I am not sleeping well"
    )
    assert "· alice in #support-1 (private thread): hi pat" in talk
    closed = after(text, "as alice in #support-1 /support action=close")
    assert "Kindred in DM with alice" in closed and "Did it help?" in closed
    assert "counted anonymously" in after(text, "as alice click It helped")

    crisis = after(text, "as sam say #welcome I keep thinking about ending my life, I don't want")
    assert "Kindred in DM with sam" in crisis and "you're not alone" in crisis
    assert "Kindred in #peers" in crisis and "A member may need support: @sam" in crisis
    assert "@pat is reaching out" in after(text, "as pat click I'll reach out")

    fired = after(text, "clock +1h")
    assert "clock → Mon 04 Jan 2027 09:30 UTC" in fired
    assert "Kindred in #check-ins" in fired and "Morning check-in" in fired
    assert "counted anonymously" in after(text, "as bo click Okay")
    # a private support group: created on the adopted channel, joined after the guidelines
    assert "Sleep circle is ready: #support-group" in after(text, "as maya /group create")
    assert "[I accept these guidelines]" in after(text, 'as bo /group join name="Sleep circle"')
    assert "Welcome to Sleep circle" in after(text, "as bo click I accept these guidelines")
    group = await console.runner.services.groups.by_name(console.names.guild.id, "Sleep circle")
    assert group.private and group.channel_id is not None
    # its meeting opens when the clock reaches it, and "I'm here" is counted, not named
    opened = text[text.rindex("> clock +1h") :]
    assert "Evening circle is starting" in opened and "Check-in round" in opened
    assert "(1 so far.)" in after(text, "as bo click I'm here")

    # the demo's one deliberate typo, and the script went on after it
    assert hints == 1
    assert [line for line in text.splitlines() if line.startswith("? ")] == [
        "? no member 'alce' (did you mean alice?); members: alice, bo, maya, pat, quinn, sam"
    ]
    assert "last 1 in DM with alice" in after(text, "show dm alice")
    # what the transcript shows is what Kindred stored
    stats = await console.runner.services.peers.requests.stats(console.names.guild.id, 7)
    assert stats.closed == 1 and stats.feedback["helped"] == 1
    assert "## " not in text  # silent comments stay out of the transcript
    # the excerpts the README and the self-hosting guide show are this transcript's lines
    shown = set(text.splitlines())
    for doc, after_line in (("README.md", "An excerpt:"), ("docs/self-hosting.md", "transcript:")):
        excerpt = _excerpt(PROJECT_ROOT / doc, after_line)
        assert len(excerpt) > 10, doc
        assert [line for line in excerpt if line not in shown] == [], doc


def _excerpt(path: Path, after_line: str) -> list[str]:
    """The lines of the first code block after ``after_line``, without "…" elisions."""
    text = path.read_text(encoding="utf-8").split(after_line, 1)[1]
    block = text.split("```", 2)[1]
    lines = block.splitlines()[1:]
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return [line[indent:] for line in lines if line.strip() and line.strip() != "…"]


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("as alce /support", "no member 'alce' (did you mean alice?); members: alice, bo"),
        ("as alice say #welcom hi", "no channel '#welcom' (did you mean #welcome?); channels: #"),
        ("as alice /suport", "no command 'suport' (did you mean /support?); commands: /"),
        (
            "as maya /peers setp",
            "no subcommand 'setp' of /peers (did you mean setup?); subcommands: ",
        ),
        ("as maya /peers", "/peers needs one of:"),
        ("as alice /support mood=low", "/support has no option 'mood'; options: [action=<ask|"),
        ("as alice /support action=later", "action is one of: ask, status, cancel, close"),
        ("as maya /peers stats days=many", "days is a number, not 'many'"),
        ("as maya /peers setup peer_role=@helpers", "no role '@helpers'; roles: @moderator"),
        ("as maya /peers block", "/peers block needs member"),
        ("as alice click Claim", "alice sees no button 'Claim'"),
        ("as alice submit topic=x", "Kindred has not shown alice a form"),
        ("as alice say #peers hello", "alice cannot post in #peers"),
        ("show #nowhere", "no channel '#nowhere'"),
        ("show thread support-9", "no thread 'support-9'"),
        ("show m99", "no message 'm99'"),
        ("help /nothing", "no command 'nothing'"),
        ("as pat click Claim on m42", "no message 'm42'"),
    ],
)
async def test_a_typo_gets_a_one_line_hint_and_the_script_goes_on(
    console: Console, line: str, hint: str
) -> None:
    text, hints = await transcript(console, [line, "as pat /duty on"])
    shown = [t for t in text.splitlines() if t.startswith("? ")]
    assert hints == 1 and len(shown) == 1, text
    assert hint in shown[0], shown[0]
    assert "You're on duty" in after(text, "as pat /duty on")


async def test_a_form_field_that_does_not_exist_is_named_with_the_ones_that_do(
    console: Console,
) -> None:
    text, hints = await transcript(
        console,
        [
            "as alice /support",
            "as alice submit mood=low",
            "as alice submit anonymous=maybe",
            'as alice submit topic="rough week"',
        ],
    )
    assert hints == 2
    assert "the form has no field 'mood'; fields: topic?, summary?, tags?, anonymous?" in text
    assert "anonymous is one of: no, yes" in text
    assert "Your request #1 is in" in after(text, 'as alice submit topic="rough week"')


async def test_a_bare_word_after_a_command_without_subcommands_gets_a_readable_hint(
    console: Console,
) -> None:
    """``as alice /support topic`` (an option name typed without ``=value``) once answered
    "no subcommand of /support, 'topic'; subcommand of /support,s: none". The hint says that
    /support has no subcommands and takes options as name=value, naming them with choices."""
    text, hints = await transcript(console, ["as alice /support topic"])
    (hint,) = [t for t in text.splitlines() if t.startswith("? ")]
    assert hints == 1
    assert ",s:" not in hint and "none" not in hint, hint
    assert "action=" in hint, hint
    assert "/support has no subcommands" in hint, hint
    assert "action=<ask|status|cancel|close>" in hint, hint
    assert "name=value" in hint, hint


async def test_a_wrong_subcommand_names_the_ones_that_exist(console: Console) -> None:
    text, hints = await transcript(console, ["as pat /duty of"])
    (hint,) = [t for t in text.splitlines() if t.startswith("? ")]
    assert hints == 1
    expected = "no subcommand 'of' of /duty (did you mean off?); subcommands: shift, on, off"
    assert expected in hint, hint
    assert ",s:" not in hint, hint


async def test_an_option_given_twice_is_a_hint_not_a_silent_choice(console: Console) -> None:
    """Discord never sends an option twice: ``tz=… tz=…`` once ran with the last value and
    no word about the first. It is a one-line hint naming the option, and nothing runs."""
    line = 'as alice /checkin me every schedule="daily 09:00" tz=Europe/Madrid tz=Europe/Berlin'
    text, hints = await transcript(console, [line])
    assert hints == 1, text
    assert "Your check-in is set" not in text, text
    (hint,) = [t for t in text.splitlines() if t.startswith("? ")]
    assert "tz" in hint and "twice" in hint, hint


async def test_a_form_field_given_twice_is_a_hint_and_the_form_stays_open(
    console: Console,
) -> None:
    lines = [
        "as alice /support",
        'as alice submit topic="bad day" TOPIC="rough week"',
        'as alice submit topic="rough week"',
    ]
    text, hints = await transcript(console, lines)
    assert hints == 1, text
    (hint,) = [t for t in text.splitlines() if t.startswith("? ")]
    assert "topic" in hint and "twice" in hint, hint
    assert "Your request #1 is in" in after(text, lines[2]), text
    assert "Your request" not in after(text, lines[1]), text


async def test_completion_offers_members_channels_commands_options_and_buttons(
    console: Console,
) -> None:
    assert complete(console, "") == ["as", "show", "who", "clock", "help", "quit"]
    assert complete(console, "as ") == ["alice", "bo", "maya", "pat", "quinn", "sam"]
    assert complete(console, "as q") == ["quinn"]
    assert "/peers" in complete(console, "as maya /p")
    assert complete(console, "as maya /peers se") == ["setup", "settings"]
    assert "peer_role=" in complete(console, "as maya /peers setup ")
    assert complete(console, "as maya /peers setup peer_role=@p") == ["peer_role=@peer-supporter"]
    assert complete(console, "as alice /support action=c") == [
        "action=cancel",
        "action=close",
    ]
    assert complete(console, "as alice say #we") == ["#welcome"]
    assert complete(console, "show dm b") == ["bo"]
    await transcript(console, ["as pat /duty on", "as alice /support", "as alice submit topic=x"])
    assert complete(console, "as pat click Cl") == ["Claim"]
    assert complete(console, "as alice click Cl") == []  # alice cannot see the peers' card
    await transcript(console, ["as alice /support action=cancel", "as bo /support"])
    assert complete(console, "as bo submit to") == ["topic="]


async def test_show_who_and_the_clock(console: Console) -> None:
    text, hints = await transcript(
        console,
        [
            "who",
            "as alice say #welcome hello everyone",
            "show #welcome",
            "show threads",
            "clock",
            "clock +2h",
            "help",
            "help /peers setup",
        ],
    )
    assert hints == 0, text
    who = after(text, "who")
    assert re.search(r"bo\s+member\s+Australia/Sydney\s+Mon 19:30", who), who
    assert "pat " in who and "Peer Supporter" in who
    assert "last 1 in #welcome" in after(text, "show #welcome")
    assert "» m1 · alice in #welcome: hello everyone" in text
    assert "the clock says Mon 04 Jan 2027 08:3" in after(text, "clock")
    assert "clock → Mon 04 Jan 2027 10:3" in after(text, "clock +2h")
    assert "as alice say #welcome hello everyone" in after(text, "help")
    assert "peer_role=<@role>" in after(text, "help /peers setup")


async def test_a_file_kindred_sends_is_shown_with_its_name_size_and_text(
    console: Console,
) -> None:
    """`/plan export` answers with a text file: the transcript names it, gives its size and
    shows its lines, as does `show` on the message later."""
    text, hints = await transcript(
        console,
        [
            "as alice /plan write",
            'as alice submit well="I cook" daily="a walk"',
            "as alice /plan export",
            "show m2",
        ],
    )
    assert hints == 0, text
    exported = after(text, "as alice /plan export")
    assert "Here is your wellness plan as a text file" in exported, exported
    sent = console.emu.messages[console.handles.by_handle["m2"]].attachments
    assert [a.filename for a in sent] == ["wellness-plan.txt"]
    assert f"file wellness-plan.txt · {len(sent[0].data)} bytes" in exported, exported
    assert "┆ My wellness plan" in exported, exported
    assert "┆ What I'm like when I'm well:\n    ┆ I cook" in exported, exported
    assert "┆ Talk to a peer: /support" in exported, exported
    assert "more line" not in exported  # the whole plan fits in the lines shown
    assert "┆ I cook" in after(text, "show m2")


def test_a_long_text_file_shows_its_first_lines_and_counts_the_rest() -> None:
    lines = [f"line {n}" for n in range(1, 46)]
    file = attachment_view(Attachment(1, "notes.txt", "\n".join(lines).encode(), "text/plain"))
    assert file.lines == tuple(lines[:TEXT_LINES]) and file.more_lines == 5
    shown = _drawn(file)
    assert "file notes.txt · 350 bytes" in shown
    assert "┆ line 40" in shown and "line 41" not in shown
    assert "┆ … 5 more lines" in shown


def test_an_image_is_named_with_its_size_and_dimensions_and_binary_is_not_printed() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (600).to_bytes(4, "big")
    png += (200).to_bytes(4, "big") + bytes(2048)
    shown = _drawn(attachment_view(Attachment(2, "chart.png", png, "image/png")))
    assert shown.splitlines()[1:] == ["    image chart.png · 2.0 KB · 600×200"]
    blob = _drawn(attachment_view(Attachment(3, "data.bin", bytes(range(256)), None)))
    assert blob.splitlines()[1:] == ["    file data.bin · 256 bytes"]


def _drawn(file: AttachmentView) -> str:
    """A bot message carrying only ``file``, as the console prints it."""
    view = MessageView("m1", "#welcome", "Kindred", "", attachments=(file,))
    buffer = io.StringIO()
    emit(make_console(buffer, width=100), render(view))
    return buffer.getvalue()


# -- the command line: the temporary database goes on every way out --------------------------
def _env(tmp: Path) -> dict[str, str]:
    return clean_env(TMPDIR=str(tmp), TERM="dumb", NO_COLOR="1", EMULATOR_WAIT="20")


def _leftovers(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("kindred-sandbox-*"))


@pytest.mark.slow
async def test_python_m_bot_sandbox_runs_a_script_and_removes_its_database(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("as pat /duty on\nas alice /nope\nwho\n", encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--script",
        str(script),
        cwd=PROJECT_ROOT,
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    assert "You're on duty" in text
    assert "? no command 'nope'" in text
    assert "end of script: 3 lines, 1 with a hint" in text
    assert "\x1b[" not in text  # plain text when not a terminal
    assert _leftovers(tmp_path) == []


def _interactive(tmp: Path, keys: list[bytes]) -> tuple[int, str, list[Path]]:
    """Run the console on a pseudo-terminal and type each of ``keys`` at a fresh prompt;
    returns the exit code, what it printed and the sandbox folders holding a database while
    it ran."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox"],
        cwd=PROJECT_ROOT,
        env={**_env(tmp), "TERM": "xterm"},  # prompt_toolkit draws its prompt in raw mode
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    seen, during = b"", []
    deadline = time.monotonic() + 90
    try:
        for prompts, key in enumerate(keys, start=1):
            while seen.count(PROMPT_STARTS) < prompts:
                seen += _read(leader, deadline)
            during = during or [d for d in _leftovers(tmp) if (d / "kindred.db").exists()]
            os.write(leader, key)
        while process.poll() is None:
            seen += _read(leader, deadline)
        while more := _read(leader, deadline, wait=0.1):
            seen += more
        return process.wait(), seen.decode(errors="replace"), during
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


# prompt_toolkit switches bracketed paste on each time it starts a prompt (TERM=xterm)
PROMPT_STARTS = b"\x1b[?2004h"


def _read(fd: int, deadline: float, wait: float = 0.5) -> bytes:
    if time.monotonic() > deadline:
        raise TimeoutError("the sandbox did not prompt or exit in time")
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal closed: the process is gone
        return b""


@pytest.mark.slow
@pytest.mark.parametrize("leave", [b"\x04", b"\x03", b"quit\r"], ids=["ctrl-d", "ctrl-c", "quit"])
def test_leaving_the_console_removes_the_temporary_database(tmp_path: Path, leave: bytes) -> None:
    code, printed, during = _interactive(tmp_path, [b"as alce /support\r", leave])
    assert code == 0, printed
    assert len(during) == 1  # while it ran, its database was in a temporary folder …
    assert "no member 'alce'" in printed
    assert "Kindred sandbox" in printed
    assert _leftovers(tmp_path) == []  # … which is gone
