"""What ``/resources``, ``/respite`` and ``/warmline`` answer: the listing itself, what to do
when nothing is listed, and what ``/respite`` needs when it was given something other than a US
state. Pure functions; texts are gettext msgids (``make messages``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.i18n import gettext_for
from bot.safety.messages import SafeMessage, format_entry, plain

if TYPE_CHECKING:
    from bot.services.resources import ResourceEntry

__all__ = ["MAX_LISTED", "listing", "no_region_listing", "respite_needs_state"]

MAX_LISTED = 10  # entries one listing shows; the rest are counted, never dropped silently


def listing(
    kind: str,
    where: str,
    entries: Sequence[ResourceEntry],
    today: date,
    lang: str = "en",
    *,
    directory_url: str = "findahelpline.com",
    label: str | None = None,
) -> SafeMessage:
    """``/resources``, ``/respite`` and ``/warmline``: up to ten entries, dated; with more, how
    many more and how to see them or narrow the list; with none, where else to turn (the
    worldwide directory, ``/crisis``, a peer). ``where`` is the region's code (the narrowing
    commands name it); ``label`` how the title and the empty answer name the place (the
    region's name in the reader's language with its code), the code when not given."""
    _ = gettext_for(lang)
    where = where[:40]
    label = label[:80] if label else where
    titles = {
        "resources": _("Resources for {where}"),
        "respite": _("Peer respites: {where}"),
        "warmline": _("Warmlines for {where}"),
    }
    shown, left_out = list(entries)[:MAX_LISTED], list(entries)[MAX_LISTED:]
    local = " *(" + _("local") + ")*"
    body = tuple(
        f"• {format_entry(e, lang=lang)}"
        + (local if e.guild_local else "")
        + (_source_line(e, lang) if kind == "resources" else "")
        for e in shown
    ) or _nothing_listed(kind, label, directory_url, lang)
    if left_out:
        body += (_more(kind, where, left_out, lang),)
    oldest = min((e.last_verified for e in shown), default=None)
    footer = _("Last checked {date}").format(date=f"{oldest:%Y-%m-%d}") if oldest else ""
    if any(e.is_stale(today) for e in shown):
        footer += " · " + _("some details are over 12 months old; please double-check")
    if any(not e.verified for e in shown):
        # what the *(unverified)* mark means, in /crisis's words
        footer += " · " + _("Entries marked unverified could not be confirmed from a source.")
    return SafeMessage(title=titles[kind].format(where=label), body=body, footer=footer)


def _source_line(entry: ResourceEntry, lang: str) -> str:
    """``/resources``' small line under a shipped entry: where the project checked it and
    when (``Source: 988lifeline.org · checked 2026-11-23``). A server's own entries are marked
    local instead (their moderators added them)."""
    if entry.guild_local:
        return ""
    host = (urlsplit(entry.source_url).hostname or "").removeprefix("www.")
    if not host:
        return ""
    _ = gettext_for(lang)
    text = _("Source: {source} · checked {date}").format(
        source=host, date=f"{entry.last_verified:%Y-%m-%d}"
    )
    return f"\n  *{text}*"


def _more(kind: str, where: str, left_out: Sequence[ResourceEntry], lang: str) -> str:
    """The line after a cut list: how many more, and the commands that show them or narrow
    the list (a server's own resources are all in ``/safety resources list``)."""
    _ = gettext_for(lang)
    parts = [_("…and {count} more not shown here.").format(count=len(left_out))]
    if kind == "resources":
        if where.startswith("US-"):
            parts.append(
                _(
                    "To narrow it down: `/crisis region:{region}` shows only crisis lines, "
                    "`/warmline region:{region}` only warmlines and `/respite state:{state}` "
                    "only peer respites."
                ).format(region=where, state=where[3:])
            )
        else:
            parts.append(
                _(
                    "To narrow it down: `/crisis region:{region}` shows only crisis lines, "
                    "`/warmline region:{region}` only warmlines."
                ).format(region=where)
            )
    if any(e.guild_local for e in left_out):
        parts.append(_("`/safety resources list` shows all of this server's own resources."))
    return " ".join(parts)


def _nothing_listed(kind: str, where: str, directory_url: str, lang: str) -> tuple[str, ...]:
    _ = gettext_for(lang)
    opening = {
        "resources": _("I don't have resources listed for {where} yet."),
        "respite": _("I don't have a peer respite listed for {where} yet."),
        "warmline": _("I don't have a warmline listed for {where} yet."),
    }[kind].format(where=where)
    return (
        opening,
        "• " + _("**Worldwide**: {url} lists free helplines by country.").format(url=directory_url),
        "• " + _("**In crisis?** `/crisis` shows crisis lines and emergency numbers."),
        "• " + _("**Want to talk?** `/support` reaches a peer here, privately."),
    )


def no_region_listing(
    kind: str, ask: str, directory: ResourceEntry, today: date, lang: str = "en"
) -> SafeMessage:
    """``/resources`` or ``/warmline`` when Kindred knows no region (none given, none set, no
    server default): ``ask`` (the request for a region, already in the reader's language), and
    still somewhere to turn now: the worldwide directory with where it was checked and when,
    ``/crisis`` and a peer, as when nothing is listed for a region."""
    _ = gettext_for(lang)
    titles = {"resources": _("Resources"), "warmline": _("Warmlines")}
    url = directory.contacts[0].value.removeprefix("https://").rstrip("/")
    body = (
        ask,
        "• "
        + _("**Worldwide**: {url} lists free helplines by country.").format(url=url)
        + _source_line(directory, lang),
        "• " + _("**In crisis?** `/crisis` shows crisis lines and emergency numbers."),
        "• " + _("**Want to talk?** `/support` reaches a peer here, privately."),
    )
    footer = _("Last checked {date}").format(date=f"{directory.last_verified:%Y-%m-%d}")
    if directory.is_stale(today):
        footer += " · " + _("some details are over 12 months old; please double-check")
    if not directory.verified:
        footer += " · " + _("Entries marked unverified could not be confirmed from a source.")
    return SafeMessage(title=titles[kind], body=body, footer=footer)


def respite_needs_state(
    text: str,
    *,
    region: str | None = None,
    suggestion: str | None = None,
    lang: str = "en",
) -> str:
    """``/respite`` given no US state: ``region`` is the place's code when Kindred knows it
    (a country such as "GB", or "US" itself), ``suggestion`` a close US state."""
    _ = gettext_for(lang)
    parts = []
    if region is None:
        parts.append(_("I don't recognise “{text}” as a US state.").format(text=plain(text)))
    elif region != "US":
        parts.append(_("The peer respites I know are all in the US so far."))
    if suggestion:
        parts.append(_("Did you mean **{place}**?").format(place=suggestion))
    parts.append(_("Peer respites are listed by US state: try a state such as `NY` or `Vermont`."))
    return " ".join(parts)
