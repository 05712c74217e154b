"""What Kindred says by DM about asking for a peer, in the member's language.

The answer to a DM like "I need to talk", and the note to a member who writes in DMs while
their relayed request still waits for a peer. Strings are gettext msgids translated by
:func:`bot.i18n.gettext_for` (``make messages`` extracts them into ``data/locale``); English
when no catalogue has them. No discord imports.
"""

from __future__ import annotations

from bot.i18n import gettext_for

__all__ = [
    "escalation_update_text",
    "intake_offer_text",
    "no_shared_server_text",
    "talk_button_label",
    "waiting_text",
]


def intake_offer_text(lang: str = "en") -> str:
    """Above the "Talk to a peer in <server>" buttons."""
    _ = gettext_for(lang)
    return _("I'm here. Press the button to ask a peer supporter to talk with you privately.")


def talk_button_label(server: str, lang: str = "en") -> str:
    """One button per server the member shares with Kindred (Discord allows 80 characters)."""
    _ = gettext_for(lang)
    return _("Talk to a peer in {server}").format(server=server)[:80]


def no_shared_server_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "I'm here. I couldn't find a server we share where peer support is set up; "
        "`/crisis` shows lines you can reach right now."
    )


def waiting_text(request_id: int, position: int | None, lang: str = "en") -> str:
    """A DM from a member whose relayed request has no conversation yet: nobody reads it,
    so say so, and when their words will reach a peer. ``position`` is their place in the
    queue, None once a peer has claimed it and the conversation is being opened."""
    _ = gettext_for(lang)
    if position is None:
        lines = [
            _("A peer has picked up your request #{number}; I'm opening your conversation now.")
        ]
    else:
        lines = [
            _("No peer has picked up your request #{number} yet."),
            _("You're number {position} in the queue."),
        ]
    lines += [
        _(
            "I can't pass on messages written before a peer is connected, so please write "
            "again once they are: I'll tell you here when that happens."
        ),
        _("If you need someone right now, `/crisis` shows lines you can reach any time."),
    ]
    return " ".join(lines).format(number=request_id, position=position)


def escalation_update_text(
    request_id: int, position: int, peers_on_duty: int, lang: str = "en"
) -> str:
    """The DM to a member whose request is still waiting, at an escalation step."""
    _ = gettext_for(lang)
    if peers_on_duty:
        state = _("{count} peer(s) are on duty and have been reminded.")
    else:
        state = _("No peer is on duty right now; moderators know you're waiting.")
    return " ".join(
        [
            _("An update on your request #{number}: you're number {position} in the queue."),
            state,
            _("`/crisis` is there if you need someone right now."),
        ]
    ).format(number=request_id, position=position, count=peers_on_duty)
