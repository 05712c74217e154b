"""Safe-message texts: what Kindred says to a member who may be in crisis.

Pure functions returning plain strings or ``SafeMessage``; the Discord layer turns them into
embeds and buttons. Written to safe-messaging practice: short, warm, says it is automated,
offers a human peer now, gives 2-3 lines for the member's region plus the international
directory, never mentions methods, never judges or shames, never diagnoses, and always says
how to say "not now" or stop these messages while ``/crisis`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.resources import ResourceEntry

__all__ = [
    "MAX_CRISIS_BODY_LINES",
    "SafeMessage",
    "channel_fallback_text",
    "concern_other_reply",
    "crisis_command_reply",
    "crisis_reply",
    "distress_pointer",
    "format_entry",
    "nobody_on_duty",
]

MAX_CRISIS_BODY_LINES = 6

_METHOD_VERBS = {"call": "call", "text": "text", "chat": "chat", "web": ""}


@dataclass(frozen=True)
class SafeMessage:
    title: str
    body: tuple[str, ...]
    footer: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_text(self) -> str:
        parts = [f"**{self.title}**", *self.body]
        if self.footer:
            parts.append(f"-# {self.footer}")
        return "\n".join(parts)


def _contact_text(entry: ResourceEntry, *, max_contacts: int = 3) -> str:
    """ "call or text 988 · chat 988lifeline.org" style, merging methods with the same value."""
    merged: list[tuple[list[str], str]] = []
    for contact in entry.contacts[:max_contacts]:
        value = contact.value.removeprefix("https://").removeprefix("http://").rstrip("/")
        verb = _METHOD_VERBS[contact.method]
        for verbs, existing in merged:
            if existing == value and verb:
                verbs.append(verb)
                break
        else:
            merged.append(([verb] if verb else [], value))
    pieces = []
    for verbs, value in merged:
        pieces.append(f"{' or '.join(verbs)} {value}".strip())
    return " · ".join(pieces)


def format_entry(entry: ResourceEntry, *, with_hours: bool = True) -> str:
    """One line for one resource: name, how to reach it, hours when not 24/7."""
    text = f"**{entry.name}**: {_contact_text(entry)}"
    if with_hours and entry.hours and entry.hours.strip().lower() not in {"24/7", "website"}:
        text += f" ({entry.hours})"
    if not entry.verified:
        text += " *(unverified)*"
    return text


def _footer(last_checked: date | None, stale: bool, unverified: bool, directory_url: str) -> str:
    parts = ["Kindred is a peer-support bot, not a clinician."]
    if last_checked is not None:
        parts.append(f"Resource data last checked {last_checked.isoformat()}.")
    if stale:
        parts.append(
            f"Some details were checked over 12 months ago; {directory_url} has current numbers."
        )
    if unverified:
        parts.append("Entries marked unverified could not be confirmed from a source.")
    return " ".join(parts)


def _directory_url(directory: ResourceEntry) -> str:
    return directory.contacts[0].value.removeprefix("https://").rstrip("/")


def crisis_reply(
    lines: Sequence[ResourceEntry],
    directory: ResourceEntry,
    region_known: bool,
    stale: bool,
    unverified: bool,
    *,
    emergency: ResourceEntry | None = None,
    last_checked: date | None = None,
    peer_hint: str = "A peer from this community can talk with you now: press **Talk to a peer**.",
) -> SafeMessage:
    """The private reply to a member whose message showed crisis language (≤ 6 body lines)."""
    url = _directory_url(directory)
    body: list[str] = [
        "I'm Kindred, an automated bot here. I noticed your message and wanted to check in. "
        "You matter, and you don't have to carry this alone.",
        peer_hint,
    ]
    shown = [e for e in lines if e is not emergency][:3]
    if region_known and shown:
        body.append(
            "Free, confidential support, any time: " + " · ".join(format_entry(e) for e in shown)
        )
    elif shown:
        body.append("Support you can reach: " + " · ".join(format_entry(e) for e in shown))
    else:
        body.append(
            "I don't know where you are yet. Run `/crisis` with your country to see lines near you."
        )
    body.append(f"Anywhere in the world: {url} lists free helplines by country.")
    if emergency is not None:
        body.append(f"If you are in immediate danger, call {emergency.contacts[0].value}.")
    else:
        body.append("If you are in immediate danger, call your local emergency number.")
    body.append(
        "Not a good time? Reply **not now**, or **stop these** to turn these messages off. "
        "`/crisis` always works."
    )
    return SafeMessage(
        title="Checking in: you're not alone",
        body=tuple(body[:MAX_CRISIS_BODY_LINES]),
        footer=_footer(last_checked, stale, unverified, url),
    )


def concern_other_reply(
    lines: Sequence[ResourceEntry],
    directory: ResourceEntry,
    region_known: bool,
    stale: bool,
    unverified: bool,
    *,
    emergency: ResourceEntry | None = None,
    last_checked: date | None = None,
) -> SafeMessage:
    """Private reply to a member worried about someone else: how to help a friend."""
    url = _directory_url(directory)
    shown = [e for e in lines if e is not emergency][:3]
    lines_text = " · ".join(format_entry(e) for e in shown) if shown else f"find one at {url}"
    danger = emergency.contacts[0].value if emergency else "your local emergency number"
    body = (
        "I'm Kindred, an automated bot. It sounds like you're worried about someone. "
        "Caring enough to notice really helps.",
        "**Listen** without judging or rushing to fix things; let them talk.",
        "**Ask directly and calmly** if they are thinking about suicide. "
        "Asking doesn't put the idea in their head.",
        "**Stay with them** (in person or online) and help them contact a line: " + lines_text,
        f"If they are in immediate danger, call {danger}. Worldwide helplines: {url}",
        "**Look after yourself too.** A peer here can support you as well: "
        "press **Talk to a peer**.",
    )
    return SafeMessage(
        title="Helping a friend who is struggling",
        body=body,
        footer=_footer(last_checked, stale, unverified, url),
    )


def channel_fallback_text(member_mention: str, *, command: str = "/crisis") -> str:
    """Brief public note when DMs are closed: mentions only the member, quotes nothing."""
    return (
        f"{member_mention}, I'm Kindred, an automated bot. I tried to message you privately but "
        f"couldn't. If you'd like support, `{command}` shows free, confidential lines only you "
        "can see, any time. 💙"
    )


def crisis_command_reply(
    lines: Sequence[ResourceEntry],
    directory: ResourceEntry,
    region_known: bool,
    stale: bool,
    unverified: bool,
    *,
    emergency: ResourceEntry | None = None,
    last_checked: date | None = None,
    region_label: str | None = None,
) -> SafeMessage:
    """Reply to ``/crisis``: the lines themselves, clearly, with no opt-out noise."""
    url = _directory_url(directory)
    body: list[str] = []
    shown = [e for e in lines if e is not emergency][:3]
    if region_known and shown:
        where = f" for {region_label}" if region_label else ""
        body.append(f"Free, confidential support{where}:")
        body.extend(f"• {format_entry(e)}" for e in shown)
    elif not region_known:
        body.append("Add your country (e.g. `/crisis UK`) to see lines near you.")
    body.append(f"• **Worldwide**: {url} lists free helplines by country.")
    if emergency is not None:
        body.append(f"In immediate danger? Call **{emergency.contacts[0].value}**.")
    else:
        body.append("In immediate danger? Call your local emergency number.")
    body.append("You can also talk to a peer here: press **Talk to a peer**.")
    return SafeMessage(
        title="Crisis lines",
        body=tuple(body),
        footer=_footer(last_checked, stale, unverified, url),
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
) -> SafeMessage:
    """Resources block for a support request when no peer is on duty."""
    url = _directory_url(directory)
    body: list[str] = [
        "No peer is on duty right now. Your request is saved and someone will see it.",
    ]
    if warmlines:
        body.append(
            "**Want to talk now?** Peer-run warmlines: "
            + " · ".join(format_entry(e) for e in warmlines[:2])
        )
    if respites:
        body.append(
            "**Need a break somewhere safe?** Peer respites: "
            + " · ".join(format_entry(e, with_hours=False) for e in respites[:2])
        )
    if crisis_lines:
        body.append("**In crisis?** " + " · ".join(format_entry(e) for e in crisis_lines[:3]))
    body.append(f"Worldwide helplines: {url}")
    danger = emergency.contacts[0].value if emergency else "your local emergency number"
    body.append(f"In immediate danger? Call {danger}.")
    return SafeMessage(
        title="While you wait",
        body=tuple(body),
        footer=_footer(last_checked, stale, unverified, url),
    )


def distress_pointer(*, support_command: str = "/support") -> str:
    """Gentle, optional pointer to peer support (when the guild turns it on)."""
    return (
        "Sounds like things are heavy right now. If you'd like someone to talk with, peers here "
        f"are happy to listen: `{support_command}` reaches them privately. "
        "(I'm Kindred, an automated bot.)"
    )
