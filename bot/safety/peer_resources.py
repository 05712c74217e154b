"""Texts that point a member to peer-run help rather than to crisis lines alone: the answer to
a member asking for a respite, a warmline or a peer (``needs_reply``), the resources block a
member reads while no peer is on duty (``nobody_on_duty``), and the respites of one US state.

Written to the same safe-messaging practice as :mod:`bot.safety.messages` (whose entry
formatting and footer they share). Every text takes ``lang``: strings are gettext msgids
translated by :func:`bot.i18n.gettext_for` (``make messages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot.i18n import gettext_for
from bot.safety.messages import SafeMessage, _directory_url, _footer, call_now, format_entry

if TYPE_CHECKING:
    from bot.services.resources import ResourceEntry

__all__ = ["needs_reply", "nobody_on_duty", "respites_for_state_text"]


def _needs_lines(
    needs: Sequence[str],
    respites: Sequence[ResourceEntry],
    warmlines: Sequence[ResourceEntry],
    region_label: str | None,
    ask_state: bool,
    lang: str,
) -> list[str]:
    """The opening line, then one line for each need asked about that a resource answers."""
    _ = gettext_for(lang)
    body = [
        _(
            "I'm Kindred, an automated bot. "
            "I saw you're looking for support, so here is what I know."
        )
    ]
    if "respite" in needs:
        body.append(_respite_line(respites, region_label, ask_state, lang))
    if "warmline" in needs:
        body.append(_warmline_line(warmlines, lang))
    return body


def _respite_line(
    respites: Sequence[ResourceEntry], region_label: str | None, ask_state: bool, lang: str
) -> str:
    """Up to three peer respites, else the state picker's prompt, else where to look."""
    _ = gettext_for(lang)
    if respites:
        return (
            _("**Peer respites** near {where} (short, voluntary stays run by peers):").format(
                where=region_label or ""
            )
            + " "
            + " · ".join(format_entry(e, with_hours=False, lang=lang) for e in respites[:3])
        )
    if ask_state:
        return _("**Peer respites** are listed by US state: pick yours below and I'll show them.")
    return _(
        "I don't have a peer respite listed for where you are. A peer here can help "
        "you look, and `/respite` lists the ones I know by US state."
    )


def _warmline_line(warmlines: Sequence[ResourceEntry], lang: str) -> str:
    """Up to two warmlines, else where to look."""
    _ = gettext_for(lang)
    if warmlines:
        return (
            _("**Warmlines** (someone to talk to, not a crisis line):")
            + " "
            + " · ".join(format_entry(e, lang=lang) for e in warmlines[:2])
        )
    return _("I don't have a warmline listed for where you are; `/warmline` shows the ones I know.")


def needs_reply(
    needs: Sequence[str],
    *,
    respites: Sequence[ResourceEntry] = (),
    warmlines: Sequence[ResourceEntry] = (),
    region_label: str | None = None,
    ask_state: bool = False,
    lang: str = "en",
    last_checked: date | None = None,
    stale: bool = False,
    unverified: bool = False,
    directory_url: str = "findahelpline.com",
    peer_button: bool = True,
) -> SafeMessage:
    """Answer to a member asking for a respite, a warmline or a peer (no crisis lines).
    ``peer_button=False`` when the reply carries no **Talk to a peer** button (peer support
    not set up, or no server): the line asking to press it is left out."""
    _ = gettext_for(lang)
    body = _needs_lines(needs, respites, warmlines, region_label, ask_state, lang)
    if peer_button:
        body.append(_("A peer from this community can talk with you: press **Talk to a peer**."))
    return SafeMessage(
        title=_("Support you asked about"),
        body=tuple(body),
        footer=_footer(last_checked, stale, unverified, directory_url, lang),
    )


def nobody_on_duty(
    *,
    crisis_lines: Sequence[ResourceEntry],
    directory: ResourceEntry,
    warmlines: Sequence[ResourceEntry] = (),
    respites: Sequence[ResourceEntry] = (),
    emergency: ResourceEntry | None = None,
    last_checked: date | None = None,
    stale: bool = False,
    unverified: bool = False,
    intro: bool = True,
    waiting: bool = True,
    lang: str = "en",
) -> SafeMessage:
    """Resources block for a support request when no peer is on duty (``intro=False`` when
    the caller has already said nobody is on duty, or that no request was opened).
    ``waiting=False`` when nothing is on its way (a member who is blocked from asking here):
    the block is then titled for what it is, support they can reach now, not "while you wait"."""
    _ = gettext_for(lang)
    url = _directory_url(directory)
    body: list[str] = (
        [_("No peer is on duty right now. Your request is saved and someone will see it.")]
        if intro
        else []
    )
    if warmlines:
        body.append(
            _("**Want to talk now?** Peer-run warmlines:")
            + " "
            + " · ".join(format_entry(e, lang=lang) for e in warmlines[:2])
        )
    if respites:
        body.append(
            _("**Need a break somewhere safe?** Peer respites:")
            + " "
            + " · ".join(format_entry(e, with_hours=False, lang=lang) for e in respites[:2])
        )
    if crisis_lines:
        body.append(
            _("**In crisis?**")
            + " "
            + " · ".join(format_entry(e, lang=lang) for e in crisis_lines[:3])
        )
    body.append(_("Worldwide helplines: {url}").format(url=url))
    body.append(call_now(emergency, lang))
    return SafeMessage(
        title=_("While you wait") if waiting else _("Support you can reach now"),
        body=tuple(body),
        footer=_footer(last_checked, stale, unverified, url, lang),
    )


def respites_for_state_text(state: str, entries: Sequence[ResourceEntry], lang: str = "en") -> str:
    """The answer to a state picked in a respite reply's menu; ``state`` as the reader reads
    it (``region_name``: "Vermont, Estados Unidos (US-VT)")."""
    _ = gettext_for(lang)
    if not entries:
        return _(
            "I don't have a peer respite listed in {state}. A peer here can help you look."
        ).format(state=state)
    lines = "\n".join(f"• {format_entry(e, with_hours=False, lang=lang)}" for e in entries[:5])
    return _("Peer respites in {state}:").format(state=state) + "\n" + lines
