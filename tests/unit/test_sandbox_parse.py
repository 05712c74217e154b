"""The sandbox console's line parser: every line becomes a command or a one-line hint."""

from __future__ import annotations

import shlex
from datetime import timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.sandbox import parse as p


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", p.Blank()),
        ("   ", p.Blank()),
        ("## a silent comment", p.Blank()),
        ("# A member asks", p.Note("A member asks")),
        ("who", p.Who()),
        ("WHO", p.Who()),
        ("quit", p.Quit()),
        ("exit", p.Quit()),
        ("help", p.Help()),
        ("help show", p.Help("show")),
        ("clock", p.ClockCmd()),
        ("clock +2h", p.ClockCmd(timedelta(hours=2))),
        ("clock +1d2h30m", p.ClockCmd(timedelta(days=1, hours=2, minutes=30))),
        ("clock 90m", p.ClockCmd(timedelta(minutes=90))),
        ("as alice say #welcome hello there", p.Say("alice", "#welcome", "hello there")),
        ("as @alice say #welcome I'm ok", p.Say("alice", "#welcome", "I'm ok")),
        ("as alice dm I need to talk", p.Dm("alice", "I need to talk")),
        ("as alice /support", p.Slash("alice", ("support",), ())),
        (
            'as maya /peers setup peer_role=@peer-supporter summary="two words"',
            p.Slash(
                "maya",
                ("peers", "setup"),
                (("peer_role", "@peer-supporter"), ("summary", "two words")),
            ),
        ),
        (
            "as alice in #support-1 /support action=close",
            p.Slash("alice", ("support",), (("action", "close"),), where="#support-1"),
        ),
        ("as alice in dm /forgetme", p.Slash("alice", ("forgetme",), (), where="dm")),
        ("as pat click Claim", p.Click("pat", "Claim")),
        ("as pat click I'll reach out", p.Click("pat", "I'll reach out")),
        ('as pat click "It helped" on m4', p.Click("pat", "It helped", "m4")),
        ("as pat click Claim on #peers", p.Click("pat", "Claim", "#peers")),
        ("as alice click It helped on dm", p.Click("alice", "It helped", "dm")),
        ("as pat click Turn on notifications", p.Click("pat", "Turn on notifications")),
        (
            'as alice submit topic="rough week" anonymous=no',
            p.Submit("alice", (("topic", "rough week"), ("anonymous", "no"))),
        ),
        ("show #peers", p.Show("channel", "#peers")),
        ("show dm alice", p.Show("dm", "alice")),
        ("show thread", p.Show("thread")),
        ("show thread support-1", p.Show("thread", "support-1")),
        ("show threads", p.Show("threads")),
        ("show m12", p.Show("message", "m12")),
    ],
)
def test_lines_become_commands(line: str, expected: object) -> None:
    assert p.parse_line(line) == expected


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("dance", "unknown command 'dance'"),
        ("as", "who acts?"),
        ("as alice", "alice can: say, dm"),
        ("as alice sing", "alice can: say, dm"),
        ("as alice say #welcome", "say what, where?"),
        ("as alice dm", "dm what?"),
        ("as alice /", "which command?"),
        ("as alice /support action=close now", "expected name=value, got 'now'"),
        ('as alice /support topic="rough', "a quote is not closed"),
        ("as alice in #welcome say hi", "'in <#channel>' goes before a /command"),
        ("as pat click", "click which button?"),
        ("as alice submit", "needs field=value pairs"),
        ("as alice submit topic", "expected name=value"),
        ("as alice /checkin me tz=a tz=b", "/checkin me: option 'tz' is given twice"),
        ("as alice /support action=ask ACTION=close", "option 'action' is given twice"),
        ("as alice submit topic=a anonymous=no topic=b", "submit: field 'topic' is given twice"),
        ("show", "show <#channel>"),
        ("show dm", "show whose DMs?"),
        ("clock soon", "clock takes a step forward like +2h"),
        ("clock +", "clock takes a step forward"),
        ("clock +61d", "at most 60 days"),
        ("clock +99999999999999999999d", "clock takes a step forward"),
    ],
)
def test_malformed_lines_give_a_hint_saying_what_was_expected(line: str, hint: str) -> None:
    result = p.parse_line(line)
    assert isinstance(result, p.Hint), result
    assert hint in result.text
    assert "\n" not in result.text


COMMANDS = (
    p.Blank,
    p.Note,
    p.Say,
    p.Dm,
    p.Slash,
    p.Click,
    p.Submit,
    p.Show,
    p.Who,
    p.ClockCmd,
    p.Help,
    p.Quit,
    p.Hint,
)

# Lines that look like console lines, with the characters that trip parsers: quotes, equals,
# hashes, escapes, unicode, control characters.
_word = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_pieces = st.one_of(
    st.sampled_from(
        ["as", "alice", "say", "dm", "/support", "click", "on", "submit", "show", "in", "clock"]
    ),
    st.sampled_from(["#welcome", "m3", "=", '"', "'", "\\", "+2h", "+", "##", "\t", "\x00"]),
    _word,
)
_starts = st.sampled_from(
    [
        "",
        "as alice",
        "as alice /support",
        "as maya in #peers /peers setup",
        "as alice submit",
        "as pat click",
        "as alice say #welcome",
        "as alice dm",
        "show",
        "show dm",
        "clock",
        "help",
    ]
)
_lines = st.tuples(_starts, st.lists(_pieces, max_size=8)).map(lambda t: " ".join([t[0], *t[1]]))


@settings(max_examples=400, deadline=None)
@given(st.one_of(_lines, st.text(max_size=200)))
@example(" as 0\n0")  # found by Hypothesis: the member's name once ran across a newline
@example("as al\tice\u2028x sing")
def test_parse_never_raises_and_returns_a_command_or_a_hint(line: str) -> None:
    result = p.parse_line(line)
    assert isinstance(result, COMMANDS)
    if isinstance(result, p.Hint):
        assert result.text and "\n" not in result.text
    if isinstance(result, p.ClockCmd) and result.delta is not None:
        assert timedelta(0) <= result.delta <= p.MAX_ADVANCE


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 59), st.integers(0, 23), st.integers(0, 59), st.sampled_from(["+", ""]))
def test_durations_round_trip(days: int, hours: int, minutes: int, sign: str) -> None:
    text = f"{sign}{days}d{hours}h{minutes}m"
    assert p.parse_duration(text) == timedelta(days=days, hours=hours, minutes=minutes)


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10)


def _pair(name: str, value: str) -> str:
    return f"{name}={shlex.quote(value)}"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_names, _values), min_size=1, max_size=6),
    st.data(),
    st.sampled_from(["as alice /checkin me every", "as maya /peers stats", "as alice submit"]),
)
def test_a_name_given_twice_is_always_refused(
    pairs: list[tuple[str, str]], data: st.DataObject, start: str
) -> None:
    """Discord sends each option (and each form field) once: a repeated name, in any case and
    anywhere on the line, is a one-line hint naming it, never a silent pick of one value."""
    name, _ = data.draw(st.sampled_from(pairs))
    again = data.draw(st.sampled_from([name, name.upper(), name.title()]))
    value = data.draw(_values)
    at = data.draw(st.integers(0, len(pairs)))
    tokens = [_pair(n, v) for n, v in pairs]
    tokens.insert(at, _pair(again, value))
    result = p.parse_line(" ".join([start, *tokens]))
    assert isinstance(result, p.Hint), result
    assert "given twice" in result.text and "\n" not in result.text
    order = [n for n, _ in pairs]
    order.insert(at, name)
    repeated = next(n for i, n in enumerate(order) if n in order[:i])
    assert repr(repeated) in result.text, result.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_names, _values), max_size=6, unique_by=lambda t: t[0]))
def test_distinct_names_are_kept_in_order_with_their_values(pairs: list[tuple[str, str]]) -> None:
    tokens = [_pair(n, v) for n, v in pairs]
    result = p.parse_line(" ".join(["as alice /checkin me every", *tokens]))
    assert result == p.Slash("alice", ("checkin", "me", "every"), tuple(pairs))
