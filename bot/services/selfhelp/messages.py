"""What a goal's nudge says to its member by DM, in their language: the nudge, its buttons and
the answers to them, and the celebration when a goal is done. Strings are gettext msgids
translated by :func:`bot.i18n.gettext_for` (``make messages`` extracts them); English when no
catalogue has them. The goal itself is the member's own words and is quoted as written. No
discord imports.
"""

from __future__ import annotations

from bot.db.repositories.goals import GoalRow
from bot.i18n import N_, gettext_for

__all__ = ["celebration", "goal_button_labels", "nudge_text", "paused_text", "still_working_text"]

CELEBRATIONS = (
    N_("🎉 You did it: “{goal}”. That took care and steady effort; take a moment to notice it."),
    N_("🌱 “{goal}” is done. Small steps add up, and you took every one of them."),
    N_("✨ Done: “{goal}”. Well done. If you like, tell a peer: good news is worth sharing."),
)


def celebration(goal: GoalRow, lang: str = "en") -> str:
    """One of a few warm words for a finished goal (the same one for the same goal)."""
    template = gettext_for(lang)(CELEBRATIONS[goal.id % len(CELEBRATIONS)])
    return template.format(goal=goal.text)


def nudge_text(goal_text: str, lang: str = "en") -> str:
    """The nudge DM above its buttons."""
    _ = gettext_for(lang)
    return (
        _("Hi! You asked me to check in about your goal:")
        + f"\n> {goal_text}\n"
        + _("How is it going? There's no wrong answer; tap what fits.")
    )[:2000]


def goal_button_labels(lang: str = "en") -> dict[str, str]:
    """The nudge's buttons (Discord allows 80 characters)."""
    _ = gettext_for(lang)
    return {
        "done": _("Done 🎉"),
        "going": _("Still working on it"),
        "pause": _("Pause these nudges"),
    }


def still_working_text(goal_text: str, next_when: str | None, lang: str = "en") -> str:
    """The answer to "Still working on it"; ``next_when`` is the next nudge, ready to show."""
    _ = gettext_for(lang)
    text = _("Thanks for checking in. Keep going at your own pace: “{goal}”.").format(
        goal=goal_text
    )
    if next_when:
        text += " " + _("I'll check in again {when}.").format(when=next_when)
    return text


def paused_text(goal_text: str, lang: str = "en") -> str:
    """The answer to "Pause these nudges"."""
    _ = gettext_for(lang)
    return _("Paused the nudges for “{goal}”. `/goal resume` starts them again.").format(
        goal=goal_text
    )
