"""What check-ins say to one member privately, in their language: the personal check-in DM,
the mood labels on its buttons, and the answer to a mood press (on that DM or on a channel
post). Strings are gettext msgids translated by :func:`bot.i18n.gettext_for` (``make
messages`` extracts them, with the moods and built-in prompts marked in ``rules``); English
when no catalogue has them. What a moderator wrote (a channel check-in's own prompts) is
shown as written. No discord imports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.i18n import N_, gettext_for
from bot.safety.messages import format_entry
from bot.services.checkins.rules import BUILTIN_PROMPTS, LOW, MOODS

if TYPE_CHECKING:
    from bot.services.resources import ResourceEntry

__all__ = [
    "DMS_CLOSED",
    "PAUSED_BY_YOU",
    "channel_mood_head",
    "dms_closed_text",
    "history_empty_text",
    "history_text",
    "mood_label",
    "mood_support_lines",
    "no_runs_text",
    "pause_reason_text",
    "personal_checkin_text",
    "personal_mood_head",
    "personal_paused_text",
    "personal_resumed_text",
    "personal_set_text",
    "personal_status_text",
    "personal_stopped_text",
    "prompt_text",
    "share_none_text",
    "share_peer_text",
    "shared_empty_text",
    "shared_history_text",
]


def mood_label(level: int, lang: str = "en") -> str:
    """A mood's name (a button's label, or quoted back), e.g. "Struggling"."""
    return gettext_for(lang)(MOODS[level])


def prompt_text(prompt: str, lang: str = "en") -> str:
    """A built-in prompt in the member's language; anyone else's words as they were written."""
    if prompt in BUILTIN_PROMPTS:
        return gettext_for(lang)(prompt)
    return prompt


def personal_checkin_text(prompt: str, lang: str = "en", shared_with: str | None = None) -> str:
    """The personal check-in DM above its mood buttons; ``shared_with`` is the mention of the
    peer the member shares their trend with (who sees the answer too), or None."""
    _ = gettext_for(lang)
    if shared_with is None:
        head = _("Time for your check-in. How are you feeling right now? Only you see this.")
    else:
        head = _(
            "Time for your check-in. How are you feeling right now? Only you and {peer}, who "
            "you share your trend with, see this."
        ).format(peer=shared_with)
    return f"{head}\n> {prompt_text(prompt, lang)}"


def personal_mood_head(level: int, lang: str = "en", shared_with: str | None = None) -> str:
    """The first line of the answer to a press on a personal check-in; ``shared_with`` as in
    ``personal_checkin_text``."""
    _ = gettext_for(lang)
    if shared_with is None:
        return _("Noted: “{mood}”. Only you see it (`/checkin me history`).").format(
            mood=mood_label(level, lang)
        )
    return _(
        "Noted: “{mood}”. Only you and {peer}, who you share your trend with, see it "
        "(`/checkin me history`)."
    ).format(mood=mood_label(level, lang), peer=shared_with)


def dms_closed_text(lang: str = "en") -> str:
    """Told privately to a member whose check-in paused because their DMs are closed (never
    in a channel: it would tell others they keep a check-in)."""
    _ = gettext_for(lang)
    return _(
        "Your check-in is paused: I couldn't DM you, because your DMs are closed to me. Open "
        "DMs from server members, then `/checkin me resume`."
    )


def channel_mood_head(level: int, lang: str = "en") -> str:
    """The first line of the (private) answer to a press on a channel check-in."""
    _ = gettext_for(lang)
    return _(
        "Thank you. “{mood}” is counted anonymously: only totals are kept, and you can change "
        "it by tapping again."
    ).format(mood=mood_label(level, lang))


def mood_support_lines(
    level: int,
    lowest: bool,
    *,
    lines: Sequence[ResourceEntry] = (),
    directory: ResourceEntry | None = None,
    emergency: ResourceEntry | None = None,
    lang: str = "en",
    peer_button: bool = True,
    peer_support: bool = True,
) -> list[str]:
    """What follows the first line: for the lowest mood a kind word, crisis lines for the
    member's region (``lines``), the worldwide ``directory`` and what to do in danger; for a
    low one the offer of a peer; nothing otherwise. Without a Talk to a peer button under
    the answer (``peer_button`` False: a DM with no one server to offer), the offer says
    how to ask instead (``/support`` in their server); in a server where peer support is not
    set up (``peer_support`` False) no peer is offered, but what is there: someone they
    trust, ``/selfhelp``."""
    _ = gettext_for(lang)
    if lowest:
        out = [_lowest_offer(_, peer_button=peer_button, peer_support=peer_support)]
        if lines:
            listed = " · ".join(format_entry(e, lang=lang) for e in lines[:3])
            out.append(_("**In crisis?** {lines}").format(lines=listed))
        if directory is not None:
            url = format_entry(directory, with_hours=False, lang=lang)
            out.append(_("Worldwide helplines: {url}").format(url=url))
        if emergency is None:
            out.append(_("In immediate danger? Call your local emergency number."))
        elif emergency.verified:
            out.append(
                _("In immediate danger? Call {number}.").format(number=emergency.contacts[0].value)
            )
        else:
            out.append(
                _("In immediate danger? Call {number} *(unverified)*.").format(
                    number=emergency.contacts[0].value
                )
            )
        shown = [*lines[:3], *([emergency] if emergency is not None else [])]
        if any(not e.verified for e in shown):
            out.append(_("Entries marked unverified could not be confirmed from a source."))
        return out
    if level <= LOW:
        return [_low_offer(_, peer_button=peer_button, peer_support=peer_support)]
    return []


def _lowest_offer(_: Callable[[str], str], *, peer_button: bool, peer_support: bool) -> str:
    """The lowest mood's kind word, offering what is there (see :func:`mood_support_lines`)."""
    if not peer_support:
        return _(
            "I'm sorry it's hard right now. You don't have to carry it alone: someone you "
            "trust can listen, and you choose what to share."
        )
    if peer_button:
        return _(
            "I'm sorry it's hard right now. You don't have to carry it alone: a peer can "
            "listen, and you choose what to share."
        )
    return _(
        "I'm sorry it's hard right now. You don't have to carry it alone: a peer can "
        "listen if you run `/support` in your server, and you choose what to share."
    )


def _low_offer(_: Callable[[str], str], *, peer_button: bool, peer_support: bool) -> str:
    """A low mood's offer of someone to listen (see :func:`mood_support_lines`)."""
    if not peer_support:
        return _(
            "If you'd like someone to listen, someone you trust may help; `/selfhelp` "
            "has short guides for a hard day."
        )
    if peer_button:
        return _("If you'd like someone to listen, a peer is a button away.")
    return _("If you'd like someone to listen, run `/support` in your server to ask a peer.")


# -- the private replies to ``/checkin me`` and ``/checkin shared`` ------------------------------
# Run times come ready to show (``runs``: one line each, Discord timestamps); a peer comes as a
# mention. Why a check-in is paused is stored in English: the reasons Kindred writes are
# translated here, anything else is shown as stored.
PAUSED_BY_YOU = N_("paused by you")
DMS_CLOSED = N_("your DMs are closed to me")
PAUSE_REASONS = (PAUSED_BY_YOU, DMS_CLOSED)


def pause_reason_text(reason: str | None, lang: str = "en") -> str:
    """Why a check-in (or a goal's nudges) is paused, in the member's language."""
    _ = gettext_for(lang)
    if not reason:
        return _(PAUSED_BY_YOU)
    return _(reason) if reason in PAUSE_REASONS else reason


def no_runs_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("No future runs.")


def _runs(runs: Sequence[str], lang: str) -> str:
    return "\n".join(runs) if runs else no_runs_text(lang)


def personal_set_text(
    schedule: str,
    tz: str,
    quiet: tuple[str, str] | None,
    runs: Sequence[str],
    lang: str = "en",
    shared_with: str | None = None,
) -> str:
    """The answer to ``/checkin me every``; ``shared_with`` as in ``personal_checkin_text``."""
    _ = gettext_for(lang)
    text = _("Your check-in is set: `{schedule}` ({tz}).").format(schedule=schedule, tz=tz)
    if quiet:
        text += " " + _("Quiet hours {start}–{end}.").format(start=quiet[0], end=quiet[1])
    if shared_with is None:
        text += " " + _("I'll DM you; your answers are yours alone. Next:")
    else:
        text += " " + _(
            "I'll DM you; only you and {peer}, who you share your trend with, see your "
            "answers. Next:"
        ).format(peer=shared_with)
    return f"{text}\n{_runs(runs, lang)}\n" + _(
        "`/checkin me pause`, `stop` or `history` at any time."
    )


def personal_status_text(
    schedule: str,
    tz: str,
    *,
    paused: bool,
    pause_reason: str | None,
    quiet: tuple[str, str] | None,
    shared_with: str | None,
    runs: Sequence[str],
    lang: str = "en",
) -> str:
    """The answer to ``/checkin me status``; ``shared_with`` is a mention, or None."""
    _ = gettext_for(lang)
    state = (
        _("paused ({reason})").format(reason=pause_reason_text(pause_reason, lang))
        if paused
        else _("active")
    )
    quiet_text = f"{quiet[0]}–{quiet[1]}" if quiet else _("none")
    text = _(
        "Your check-in: `{schedule}` ({tz}), {state}. Quiet hours: {quiet}. Shared with: {shared}."
    ).format(
        schedule=schedule, tz=tz, state=state, quiet=quiet_text, shared=shared_with or _("nobody")
    )
    if runs:
        text += "\n" + _("Next:") + "\n" + "\n".join(runs)
    return text


def personal_paused_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Paused. `/checkin me resume` starts it again.")


def personal_resumed_text(runs: Sequence[str], lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Resumed. Next:") + "\n" + _runs(runs, lang)


def personal_stopped_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "Stopped. Your past answers stay visible to you in `/checkin me history`; "
        "`/forgetme` deletes them."
    )


def history_empty_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("No answers in the last 30 days yet.")


def history_text(
    spark: str, counts: dict[int, int], lang: str = "en", *, daily: bool = False
) -> str:
    """The member's own trend: ``spark`` is the sparkline, ``counts`` answers per mood;
    ``daily``: a block a day (too many answers for one each)."""
    _ = gettext_for(lang)
    head = (
        _(
            "Your last 30 days, a block a day at its average mood, oldest first "
            "(▁ {lowest} … █ {highest}):"
        )
        if daily
        else _("Your last 30 days, oldest first (▁ {lowest} … █ {highest}):")
    ).format(lowest=mood_label(min(MOODS), lang), highest=mood_label(max(MOODS), lang))
    totals = " · ".join(f"{mood_label(m, lang)}: {counts.get(m, 0)}" for m in sorted(MOODS))
    return f"{head}\n`{spark}`\n{totals}"


def share_none_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("You share your check-ins with nobody.")


def share_peer_text(peer: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "{peer} may now see your check-in trend (never your words). `/checkin me share` with no "
        "peer takes that back at any time."
    ).format(peer=peer)


def shared_empty_text(member: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("{member} has no answers in 30 days.").format(member=member)


def shared_history_text(member: str, spark: str, lang: str = "en", *, daily: bool = False) -> str:
    """What a peer sees of a trend shared with them (moods only, never words); ``daily``: a
    block a day."""
    _ = gettext_for(lang)
    return (
        _(
            "{member}'s last 30 days, a block a day at its average mood, shared with you by "
            "their choice (▁ {lowest} … █ {highest}):"
        )
        if daily
        else _(
            "{member}'s last 30 days, shared with you by their choice (▁ {lowest} … █ {highest}):"
        )
    ).format(
        member=member,
        lowest=mood_label(min(MOODS), lang),
        highest=mood_label(max(MOODS), lang),
    ) + f"\n`{spark}`"
