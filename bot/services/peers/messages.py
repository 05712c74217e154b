"""What Kindred tells a peer or a moderator privately about duty, shifts and tags, in the
reader's language.

The DMs of duty's timers (a shift about to start, started, ended; a duty end time over, with
the hand-off buttons when requests are still held) in the peer's language (``language_for``),
and the answers to ``/duty shift add|list|remove`` and ``/peers tags add|remove|list`` in the
reader's. Strings are gettext msgids translated by :func:`bot.i18n.gettext_for` (``make
messages``); English when no catalogue has them. No discord imports: time tags come in as text.
"""

from __future__ import annotations

from bot.i18n import gettext_for
from bot.services.peers.duty import DAY_NAMES, WEEKDAYS

__all__ = [
    "duty_ended_text",
    "handed_off_text",
    "handoff_button_labels",
    "kept_requests_text",
    "no_shifts_text",
    "shift_added_text",
    "shift_line",
    "shift_reminder_text",
    "shift_removed_text",
    "shift_started_text",
    "tag_added_text",
    "tag_removed_text",
    "tags_list_text",
]


# -- the peer, by DM ------------------------------------------------------------------------
def shift_reminder_text(lang: str = "en", server: str | None = None) -> str:
    """``server``: the server's name, so a peer in several knows where (None: unknown)."""
    _ = gettext_for(lang)
    if server is None:
        return _("Your peer-support shift starts in 10 minutes.")
    return _("Your peer-support shift in {server} starts in 10 minutes.").format(server=server)


def shift_started_text(
    until: str | None, lang: str = "en", server: str | None = None, waiting: int = 0
) -> str:
    """``until`` is a Discord time tag; None when the peer was already on duty with no end
    (the shift leaves that duty as it is). ``waiting``: the requests in the queue, told as
    ``/duty on`` tells them."""
    _ = gettext_for(lang)
    if until is None:
        if server is None:
            text = _("Your shift has started. You're on duty until you go off duty.")
        else:
            text = _(
                "Your shift has started in {server}. You're on duty until you go off duty."
            ).format(server=server)
    elif server is None:
        text = _("Your shift has started: you're on duty until {time}.").format(time=until)
    else:
        text = _("Your shift has started in {server}: you're on duty until {time}.").format(
            server=server, time=until
        )
    if waiting:
        text += " " + _("{count} request(s) are waiting in the peer channel.").format(count=waiting)
    return text


def duty_ended_text(shift: bool, held: int, lang: str = "en", server: str | None = None) -> str:
    """A shift's end (``shift``) or a duty end time's, in ``server`` when its name is known;
    with requests still held, the question the hand-off buttons answer."""
    _ = gettext_for(lang)
    if server is None:
        if shift:
            text = _("Your shift has ended. Thank you.")
        else:
            text = _("Your time on duty has ended. Thank you.")
    elif shift:
        text = _("Your shift has ended in {server}. Thank you.").format(server=server)
    else:
        text = _("Your time on duty in {server} has ended. Thank you.").format(server=server)
    if held:
        text += " " + _(
            "You hold {count} open request(s). Keep them, or hand them to the next on-duty peer?"
        ).format(count=held)
    return text


def handoff_button_labels(lang: str = "en") -> dict[str, str]:
    """The hand-off buttons under the DM, by choice (``keep``, ``give``)."""
    _ = gettext_for(lang)
    return {"keep": _("Keep them"), "give": _("Hand them off")}


def kept_requests_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("You're keeping your open requests. Thank you.")


def handed_off_text(count: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Handed {count} request(s) to the next on-duty peer.").format(count=count)


# -- /duty shift ----------------------------------------------------------------------------
def shift_line(shift_id: int, weekday: int, start: str, end: str, tz: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    day = _(DAY_NAMES[WEEKDAYS[weekday]])
    return f"#{shift_id} {day} {start}–{end} ({tz})"


def shift_added_text(line: str, next_start: str, lang: str = "en") -> str:
    """``line`` from :func:`shift_line`; ``next_start`` a Discord time tag."""
    _ = gettext_for(lang)
    return _("Shift added: {shift}. Next: {time}.").format(shift=line, time=next_start)


def no_shifts_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("You have no shifts. `/duty shift add` adds one.")


def shift_removed_text(shift_id: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Shift #{number} removed.").format(number=shift_id)


# -- /peers tags ----------------------------------------------------------------------------
def tag_added_text(tag: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Tag **{tag}** added.").format(tag=tag)


def tag_removed_text(tag: str, lang: str = "en", peers: int = 0) -> str:
    """The tag is gone from the server's list, and from the ``peers`` who had chosen it."""
    _ = gettext_for(lang)
    if peers == 1:
        return _("Tag **{tag}** removed, also from the 1 peer who had chosen it.").format(tag=tag)
    if peers:
        return _("Tag **{tag}** removed, also from the {count} peers who had chosen it.").format(
            tag=tag, count=peers
        )
    return _("Tag **{tag}** removed.").format(tag=tag)


def tags_list_text(tags: list[str], lang: str = "en") -> str:
    _ = gettext_for(lang)
    if not tags:
        return _("Tags: none yet.")
    return _("Tags: {tags}").format(tags=", ".join(tags))
