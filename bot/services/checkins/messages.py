"""What check-ins say to one member privately, in their language: the personal check-in DM,
the mood labels on its buttons, and the answer to a mood press (on that DM or on a channel
post). Strings are gettext msgids translated by :func:`bot.i18n.gettext_for` (``make
messages`` extracts them, with the moods and built-in prompts marked in ``rules``); English
when no catalogue has them. What a moderator wrote (a channel check-in's own prompts) is
shown as written. No discord imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.i18n import gettext_for
from bot.safety.messages import format_entry
from bot.services.checkins.rules import BUILTIN_PROMPTS, LOW, MOODS

if TYPE_CHECKING:
    from bot.services.resources import ResourceEntry

__all__ = [
    "channel_mood_head",
    "mood_label",
    "mood_support_lines",
    "personal_checkin_text",
    "personal_mood_head",
    "prompt_text",
]


def mood_label(level: int, lang: str = "en") -> str:
    """A mood's name (a button's label, or quoted back), e.g. "Struggling"."""
    return gettext_for(lang)(MOODS[level])


def prompt_text(prompt: str, lang: str = "en") -> str:
    """A built-in prompt in the member's language; anyone else's words as they were written."""
    if prompt in BUILTIN_PROMPTS:
        return gettext_for(lang)(prompt)
    return prompt


def personal_checkin_text(prompt: str, lang: str = "en") -> str:
    """The personal check-in DM above its mood buttons."""
    _ = gettext_for(lang)
    head = _("Time for your check-in. How are you feeling right now? Only you see this.")
    return f"{head}\n> {prompt_text(prompt, lang)}"


def personal_mood_head(level: int, lang: str = "en") -> str:
    """The first line of the answer to a press on a personal check-in."""
    _ = gettext_for(lang)
    return _("Noted: “{mood}”. Only you see it (`/checkin me history`).").format(
        mood=mood_label(level, lang)
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
) -> list[str]:
    """What follows the first line: for the lowest mood a kind word, crisis lines for the
    member's region (``lines``), the worldwide ``directory`` and what to do in danger; for a
    low one the offer of a peer; nothing otherwise."""
    _ = gettext_for(lang)
    if lowest:
        out = [
            _(
                "I'm sorry it's hard right now. You don't have to carry it alone: a peer can "
                "listen, and you choose what to share."
            )
        ]
        if lines:
            listed = " · ".join(format_entry(e, lang=lang) for e in lines[:3])
            out.append(_("**In crisis?** {lines}").format(lines=listed))
        if directory is not None:
            url = format_entry(directory, with_hours=False, lang=lang)
            out.append(_("Worldwide helplines: {url}").format(url=url))
        if emergency is not None:
            out.append(
                _("In immediate danger? Call {number}.").format(number=emergency.contacts[0].value)
            )
        else:
            out.append(_("In immediate danger? Call your local emergency number."))
        return out
    if level <= LOW:
        return [_("If you'd like someone to listen, a peer is a button away.")]
    return []
