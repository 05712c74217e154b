"""What meetings say to one member privately, in their language: the reminder DM, the
facilitator's heads-up, the "Stop reminders" button and the answers to the reminder buttons,
and a facilitators' swap of turns (the request with its buttons, the answers, the DM back).
Strings are gettext msgids translated by :func:`bot.i18n.gettext_for` (``make messages``
extracts them); English when no catalogue has them. Names and prompts written by the group's
moderators are shown as written; times arrive as Discord timestamps (each reader's own zone
and language) and places as channel mentions. No discord imports.
"""

from __future__ import annotations

from bot.i18n import gettext_for

__all__ = [
    "facilitator_text",
    "reminder_answer",
    "reminder_text",
    "rescheduled_text",
    "stop_reminders_label",
    "swap_answer_text",
    "swap_asked_text",
    "swap_button_labels",
    "swap_outcome_text",
    "swap_request_text",
    "swap_undone_text",
]


def _where(channel_id: int | None, lang: str) -> str:
    _ = gettext_for(lang)
    return f"<#{channel_id}>" if channel_id else _("the group's channel")


def reminder_text(
    *,
    group: str,
    meeting: str,
    when: str,
    channel_id: int | None,
    facilitator_id: int | None,
    lang: str = "en",
) -> str:
    """The DM before a meeting to a member who asked for reminders."""
    _ = gettext_for(lang)
    who = f"<@{facilitator_id}>" if facilitator_id else _("the group's peer supporters")
    head = _("**{group}** meets {when}: {meeting}, in {where}. Facilitating: {who}.").format(
        group=group, when=when, meeting=meeting, where=_where(channel_id, lang), who=who
    )
    return (
        head
        + "\n"
        + _(
            "Come as you are; listening is a fine way to take part. You get this because you "
            "asked for meeting reminders of this group."
        )
    )


def facilitator_text(
    *,
    group: str,
    meeting: str,
    when: str,
    channel_id: int | None,
    prompt: str | None,
    lang: str = "en",
) -> str:
    """The heads-up to the member whose turn it is to facilitate; ``prompt`` is the meeting's
    own (as written), None for the built-in round."""
    _ = gettext_for(lang)
    lines = [
        _(
            "A friendly heads-up: it's your turn to facilitate **{group}** ({meeting}) {when}, "
            "in {where}."
        ).format(group=group, meeting=meeting, when=when, where=_where(channel_id, lang)),
        _("Check-in prompt: {prompt}").format(prompt=prompt or _("the built-in check-in round")),
        _(
            "If you can't make it, `/group facilitator swap` lets you trade turns with another "
            "facilitator. Thank you for holding the space."
        ),
    ]
    return "\n".join(lines)


def rescheduled_text(
    *,
    group: str,
    meeting: str,
    when: str,
    moved_to: str | None,
    lang: str = "en",
    archived: bool = False,
) -> str:
    """The DM to a member reminded of a meeting's date that was then cancelled (``moved_to``
    None; ``archived``: because its group was archived) or moved (``moved_to``: the new date,
    a Discord timestamp like ``when``)."""
    _ = gettext_for(lang)
    if archived:
        return _(
            "**{group}** has been closed, so {meeting}, {when}, is cancelled. I'm letting you "
            "know because you had a reminder of it."
        ).format(group=group, meeting=meeting, when=when)
    if moved_to is None:
        return _(
            "**{group}**: {meeting}, {when}, is cancelled. I'm letting you know because you "
            "had a reminder of it."
        ).format(group=group, meeting=meeting, when=when)
    return _(
        "**{group}**: {meeting}, {when}, has moved to {moved_to}. I'm letting you know because "
        "you had a reminder of the old time."
    ).format(group=group, meeting=meeting, when=when, moved_to=moved_to)


def stop_reminders_label(lang: str = "en") -> str:
    """The button under a reminder DM."""
    _ = gettext_for(lang)
    return _("Stop reminders")


def reminder_answer(group: str, on: bool, lang: str = "en") -> str:
    """After "Remind me of meetings" (``on``) or "Stop reminders"."""
    _ = gettext_for(lang)
    if on:
        return _(
            "I'll DM you before meetings of **{group}**. `/group meeting remind off` (or the "
            "button on a reminder) stops it."
        ).format(group=group)
    return _("No more meeting reminders for **{group}**.").format(group=group)


def swap_request_text(
    asker_id: int, group: str, their_turn: str | None, your_turn: str | None, lang: str = "en"
) -> str:
    """The DM asking another facilitator to swap turns; the turns are Discord timestamps
    (None: not scheduled yet)."""
    _ = gettext_for(lang)
    unscheduled = _("a turn not yet scheduled")
    return _(
        "<@{asker}> asks to swap facilitating turns in **{group}**: you would take their turn "
        "{their_turn}, and they would take yours {your_turn}. Saying no is completely fine."
    ).format(
        asker=asker_id,
        group=group,
        their_turn=their_turn or unscheduled,
        your_turn=your_turn or unscheduled,
    )


def swap_button_labels(lang: str = "en") -> tuple[str, str]:
    """(accept, decline) under the swap request."""
    _ = gettext_for(lang)
    return _("Accept the swap"), _("Decline")


def swap_asked_text(member_id: int, delivered: bool, lang: str = "en") -> str:
    """To the facilitator who asked: the request went by DM, or could not."""
    _ = gettext_for(lang)
    if delivered:
        return _(
            "I asked <@{member}> by DM. Nothing changes until they accept; I'll let you know."
        ).format(member=member_id)
    return _(
        "I couldn't DM <@{member}> (their DMs may be closed). Ask them directly, or a moderator "
        "can change the rotation."
    ).format(member=member_id)


def swap_answer_text(group: str, accepted: bool, lang: str = "en") -> str:
    """To the facilitator who pressed Accept or Decline."""
    _ = gettext_for(lang)
    if accepted:
        return _("Done: you've swapped turns in **{group}**. Thank you.").format(group=group)
    return _("Declined; nothing changed. Thanks for letting them know.")


def swap_outcome_text(member_id: int, group: str, accepted: bool, lang: str = "en") -> str:
    """The DM back to the facilitator who asked."""
    _ = gettext_for(lang)
    if accepted:
        return _("<@{member}> accepted: your turns in **{group}** are swapped.").format(
            member=member_id, group=group
        )
    return _("<@{member}> can't swap turns in **{group}** this time.").format(
        member=member_id, group=group
    )


def swap_undone_text(group: str, lang: str = "en") -> str:
    """To the facilitator whose Accept press Kindred could not finish (it was interrupted)."""
    _ = gettext_for(lang)
    return _(
        "I couldn't finish your Accept on the swap request in **{group}** (Kindred was "
        "interrupted), so your turns are as they were. The request is open again: press Accept "
        "or Decline on it whenever you're ready."
    ).format(group=group)
