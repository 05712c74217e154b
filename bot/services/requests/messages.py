"""What Kindred says by DM about asking for a peer, in the member's language.

The answer to a DM like "I need to talk". Strings are gettext msgids translated by
:func:`bot.i18n.gettext_for` (``make messages`` extracts them into ``data/locale``); English
when no catalogue has them. No discord imports.
"""

from __future__ import annotations

from bot.i18n import gettext_for

__all__ = ["intake_offer_text", "no_shared_server_text", "talk_button_label"]


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
