"""What a goal's nudge says to its member by DM, in their language: the nudge, its buttons and
the answers to them, and the celebration when a goal is done. Strings are gettext msgids
translated by :func:`bot.i18n.gettext_for` (``make messages`` extracts them); English when no
catalogue has them. The goal itself is the member's own words and is quoted as written. No
discord imports.
"""

from __future__ import annotations

from bot.db.repositories.goals import GoalRow
from bot.i18n import N_, gettext_for
from bot.services.checkins.messages import pause_reason_text

__all__ = [
    "celebration",
    "dropped_text",
    "goal_button_labels",
    "goal_resumed_text",
    "goal_set_text",
    "goal_state_text",
    "goals_list_text",
    "goals_shared_text",
    "goals_unshared_text",
    "no_goals_text",
    "nudge_text",
    "paused_text",
    "shared_goal_state_text",
    "shared_goals_text",
    "still_working_text",
]

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


# -- the private replies to ``/goal`` -------------------------------------------------------------
# Times come ready to show (Discord timestamps, the member's local time); a peer comes as a
# mention; a goal's text is the member's own words, quoted as written.
def goal_state_text(
    goal: GoalRow, done_when: str | None, next_relative: str | None, lang: str = "en"
) -> str:
    """A goal's nudges in a list line: done, none, paused (why) or the schedule and the next."""
    _ = gettext_for(lang)
    if goal.status == "done":
        return _("done {when}").format(when=done_when) if done_when else _("done")
    if goal.schedule is None or goal.tz is None:
        return _("no nudges")
    if goal.status == "paused":
        return _("nudges paused ({reason}): `/goal resume`").format(
            reason=pause_reason_text(goal.pause_reason, lang)
        )
    text = _("nudges `{schedule}` ({tz})").format(schedule=goal.schedule, tz=goal.tz)
    if next_relative:
        text += _(", next {when}").format(when=next_relative)
    return text


def shared_goal_state_text(goal: GoalRow, done_when: str | None, lang: str = "en") -> str:
    """A goal's progress as the person it is shared with reads it: done (when) or in progress.
    Never its nudges (schedule, time zone, paused or why): those are the member's own, and
    the zone hints where they live."""
    _ = gettext_for(lang)
    if goal.status == "done":
        return _("done {when}").format(when=done_when) if done_when else _("done")
    return _("in progress")


def goal_set_text(
    goal: GoalRow,
    next_when: str | None,
    next_local: str | None,
    lang: str = "en",
    zone_source: str = "member",
) -> str:
    """The answer to ``/goal set``: ``next_when`` a timestamp, ``next_local`` the local time.
    A zone the member did not give (``zone_source`` "server" or "default") is named as what
    it is, never "your time", with how to choose theirs."""
    _ = gettext_for(lang)
    text = _("Saved your goal **#{id}**:").format(id=goal.id) + f" {goal.text}\n"
    if goal.schedule and goal.tz and next_when:
        if zone_source == "server":
            nudges = _(
                "I'll DM you a gentle “how is it going?” `{schedule}` in {tz}, this server's "
                "time zone: you haven't told me yours. Next: {when} ({local} in {tz})."
            )
        elif zone_source == "default":
            nudges = _(
                "I'll DM you a gentle “how is it going?” `{schedule}` in {tz}: you haven't "
                "told me your zone. Next: {when} ({local} in {tz})."
            )
        else:
            nudges = _(
                "I'll DM you a gentle “how is it going?” `{schedule}` in {tz}. Next: {when} "
                "({local} your time)."
            )
        text += (
            nudges.format(schedule=goal.schedule, tz=goal.tz, when=next_when, local=next_local)
            + "\n"
        )
        if zone_source != "member":
            text += (
                _(
                    "Live somewhere else? Tell me your zone with `/timezone set` and this "
                    "goal's nudges will move to it (or give `tz:` when you set a goal)."
                )
                + "\n"
            )
    else:
        text += _("No nudges (`/goal set` with a schedule like `daily 09:00` adds some).") + "\n"
    return text + _("Only you can see your goals unless you `/goal share` them.")


def no_goals_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("You have no goals yet. `/goal set` saves one, privately.")


def goals_list_text(lines: list[str], shared_with: list[str], lang: str = "en") -> str:
    """The member's own goals, one ready line each, and the mentions of who may see them."""
    _ = gettext_for(lang)
    shared = ", ".join(shared_with) or _("nobody")
    return (
        _("Your goals (only you see them):")
        + "\n"
        + "\n".join(lines)
        + "\n"
        + _("Shared with: {shared}.").format(shared=shared)
    )


def shared_goals_text(member: str, lines: list[str], lang: str = "en") -> str:
    """What a peer sees of the goals a member chose to share with them."""
    _ = gettext_for(lang)
    head = _("{member}'s goals, shared with you by their choice:").format(member=member)
    return head + "\n" + ("\n".join(lines) or _("No goals right now."))


def dropped_text(goal_text: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "Dropped “{goal}”. Letting a goal go is a choice too; it's deleted, with its nudges."
    ).format(goal=goal_text)


def goal_resumed_text(goal_text: str, next_when: str | None, lang: str = "en") -> str:
    _ = gettext_for(lang)
    text = _("Resumed “{goal}”.").format(goal=goal_text)
    if next_when:
        text += " " + _("Next nudge: {when}.").format(when=next_when)
    return text


def goals_shared_text(peer: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "{peer} can now see your goals (`/goal list` with you as the member). They can't change "
        "them. `/goal unshare` takes it back at any time."
    ).format(peer=peer)


def goals_unshared_text(peer: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("{peer} can no longer see your goals.").format(peer=peer)
