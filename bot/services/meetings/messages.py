"""What meetings say to one member privately, in their language: the reminder DM, the
facilitator's heads-up, the "Stop reminders" button and the answers to the reminder buttons.
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
    "stop_reminders_label",
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
