"""Safe-message texts: what Kindred says to a member who may be in crisis.

Pure functions returning plain strings or ``SafeMessage``; the Discord layer turns them into
embeds and buttons. Written to safe-messaging practice: short, warm, says it is automated,
offers a human peer now, gives 2-3 lines for the member's region plus the international
directory, never mentions methods, never judges or shames, never diagnoses, and always says
how to say "not now" or stop these messages while ``/crisis`` keeps working.

Every text takes ``lang`` (en, es, fr, de, pt, or any language with a catalogue under
``data/locale``): strings are gettext msgids translated by :func:`bot.i18n.gettext_for`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.i18n import N_, gettext_for

if TYPE_CHECKING:
    from bot.services.resources import ResourceEntry

__all__ = [
    "MAX_CRISIS_BODY_LINES",
    "SafeMessage",
    "call_now",
    "channel_fallback_text",
    "concern_other_reply",
    "crisis_command_reply",
    "crisis_reply",
    "distress_pointer",
    "escaped",
    "format_entry",
    "opt_out_text",
    "plain",
    "possible_concern_reply",
]

MAX_CRISIS_BODY_LINES = 6

_METHOD_VERBS = {"call": "call", "text": "text", "chat": "chat", "web": ""}
_MARKDOWN = re.compile(r"([\\`*_~|<>\[\]()#])")


def plain(text: str, limit: int = 40) -> str:
    """What a member typed, quoted back: one line, at most ``limit`` characters, and no
    markdown (so a stray backtick or asterisk cannot reshape the reply)."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return escaped(text)


def escaped(text: str) -> str:
    """Text someone other than Kindred wrote (a moderator's local resource), shown whole with
    its markdown escaped: a ``[masked](link)``, ``**`` or ``<@…>`` shows as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


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


def _verbs(lang: str) -> dict[str, str]:
    _ = gettext_for(lang)
    return {"call": _("call"), "text": _("text"), "chat": _("chat"), "web": ""}


def _contact_text(entry: ResourceEntry, *, max_contacts: int = 3, lang: str = "en") -> str:
    """ "call or text 988 · chat 988lifeline.org" style, merging methods with the same value."""
    _ = gettext_for(lang)
    verbs_for = _METHOD_VERBS if lang == "en" else _verbs(lang)
    merged: list[tuple[list[str], str]] = []
    for contact in entry.contacts[:max_contacts]:
        value = contact.value.removeprefix("https://").removeprefix("http://").rstrip("/")
        if entry.guild_local:
            value = escaped(value)
        verb = verbs_for[contact.method]
        for verbs, existing in merged:
            if existing == value and verb:
                verbs.append(verb)
                break
        else:
            merged.append(([verb] if verb else [], value))
    pieces = []
    for verbs, value in merged:
        joiner = " " + _("or") + " "
        pieces.append(f"{joiner.join(verbs)} {value}".strip())
    return " · ".join(pieces)


#: Hours of a line open all the time, as an entry may say them on their own.
ALWAYS_OPEN = N_("24/7")


def hours_text(entry: ResourceEntry, lang: str = "en") -> str:
    """An entry's hours for the reader: its ``hours_local`` in their language, else ``24/7``
    in their language, else as written."""
    if entry.hours.strip() == "24/7" and lang not in entry.hours_local:
        return gettext_for(lang)(ALWAYS_OPEN)
    return entry.hours_in(lang)


def format_entry(entry: ResourceEntry, *, with_hours: bool = True, lang: str = "en") -> str:
    """One line for one resource: name, how to reach it, hours when not 24/7 (in the
    reader's language when the entry has them in it: ``hours_local``)."""
    _ = gettext_for(lang)
    # A moderator's own resource is shown as typed, never as markdown; shipped ones as written.
    shown = escaped if entry.guild_local else str
    name, hours = shown(entry.name), shown(hours_text(entry, lang))
    text = f"**{name}**: {_contact_text(entry, lang=lang)}"
    if with_hours and hours and entry.hours.strip().lower() not in {"24/7", "website"}:
        text += f" ({hours})"
    if not entry.verified:
        text += " *(" + _("unverified") + ")*"
    return text


def _footer(
    last_checked: date | None,
    stale: bool,
    unverified: bool,
    directory_url: str,
    lang: str = "en",
) -> str:
    _ = gettext_for(lang)
    parts = [_("Kindred is a peer-support bot, not a clinician.")]
    if last_checked is not None:
        parts.append(_("Resource data last checked {date}.").format(date=last_checked.isoformat()))
    if stale:
        parts.append(
            _("Some details were checked over 12 months ago; {url} has current numbers.").format(
                url=directory_url
            )
        )
    if unverified:
        parts.append(_("Entries marked unverified could not be confirmed from a source."))
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
    peer_hint: str | None = None,
    peer_button: bool = True,
    lang: str = "en",
) -> SafeMessage:
    """The private reply to a member whose message showed crisis language (≤ 6 body lines).
    ``peer_button=False`` when no **Talk to a peer** button is sent with it (peer support not
    set up, or a DM to Kindred): the line asking to press it is left out."""
    _ = gettext_for(lang)
    url = _directory_url(directory)
    body: list[str] = [
        _(
            "I'm Kindred, an automated bot here. I noticed your message and wanted to check in. "
            "You matter, and you don't have to carry this alone."
        )
    ]
    if peer_hint:
        body.append(peer_hint)
    elif peer_button:
        body.append(
            _("A peer from this community can talk with you now: press **Talk to a peer**.")
        )
    shown = [e for e in lines if e is not emergency][:3]
    listed = " · ".join(format_entry(e, lang=lang) for e in shown)
    if region_known and shown:
        body.append(_("Free, confidential support, any time:") + " " + listed)
    elif shown:
        body.append(_("Support you can reach:") + " " + listed)
    else:
        body.append(
            _(
                "I don't know where you are yet. "
                "Run `/crisis` with your country to see lines near you."
            )
        )
    body.append(_("Anywhere in the world: {url} lists free helplines by country.").format(url=url))
    body.append(_danger(emergency, lang))
    body.append(
        _(
            "Not a good time? Reply **not now**, or **stop these** to turn these messages off. "
            "`/crisis` always works."
        )
    )
    return SafeMessage(
        title=_("Checking in: you're not alone"),
        body=tuple(body[:MAX_CRISIS_BODY_LINES]),
        footer=_footer(last_checked, stale, unverified, url, lang),
    )


def _danger(emergency: ResourceEntry | None, lang: str) -> str:
    _ = gettext_for(lang)
    if emergency is None:
        return _("If you are in immediate danger, call your local emergency number.")
    number = emergency.contacts[0].value
    if not emergency.verified:
        return _("If you are in immediate danger, call {number} *(unverified)*.").format(
            number=number
        )
    return _("If you are in immediate danger, call {number}.").format(number=number)


def call_now(emergency: ResourceEntry | None, lang: str = "en") -> str:
    """ "In immediate danger? Call …": the emergency number marked *(unverified)* as a listing
    marks it when it could not be confirmed (the footer then says what that means)."""
    _ = gettext_for(lang)
    if emergency is None:
        return _("In immediate danger? Call your local emergency number.")
    number = emergency.contacts[0].value
    if not emergency.verified:
        return _("In immediate danger? Call **{number}** *(unverified)*.").format(number=number)
    return _("In immediate danger? Call **{number}**.").format(number=number)


def possible_concern_reply(
    lines: Sequence[ResourceEntry],
    directory: ResourceEntry,
    *,
    lang: str = "en",
    last_checked: date | None = None,
    stale: bool = False,
    unverified: bool = False,
    peer_button: bool = True,
) -> SafeMessage:
    """The soft level: a gentle private check-in when Kindred is not sure (≤ 5 body lines).
    Without a **Talk to a peer** button (``peer_button=False``) the line asking to press it
    is left out."""
    _ = gettext_for(lang)
    url = _directory_url(directory)
    shown = list(lines)[:2]
    body = [
        _(
            "I'm Kindred, an automated bot. It sounded like things might be heavy for you right "
            "now, so I wanted to check in. I might have read it wrong; if so, no worries."
        )
    ]
    if peer_button:
        body.append(
            _(
                "If you'd like to talk, a peer from this community can listen: "
                "press **Talk to a peer**."
            )
        )
    if shown:
        body.append(
            _("If you need someone right now:")
            + " "
            + " · ".join(format_entry(e, lang=lang) for e in shown)
        )
    body.append(_("Anywhere in the world: {url} lists free helplines by country.").format(url=url))
    body.append(_("Reply **not now** to close this, or **stop these** to turn these messages off."))
    return SafeMessage(
        title=_("Just checking in"),
        body=tuple(body),
        footer=_footer(last_checked, stale, unverified, url, lang),
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
    peer_button: bool = True,
    lang: str = "en",
) -> SafeMessage:
    """Private reply to a member worried about someone else: how to help a friend. Without a
    **Talk to a peer** button (``peer_button=False``) the last line does not ask to press it."""
    _ = gettext_for(lang)
    url = _directory_url(directory)
    shown = [e for e in lines if e is not emergency][:3]
    if shown:
        stay = (
            _("**Stay with them** (in person or online) and help them contact a line:")
            + " "
            + " · ".join(format_entry(e, lang=lang) for e in shown)
        )
    else:
        stay = _(
            "**Stay with them** (in person or online) and help them contact a line: "
            "find one at {url}"
        ).format(url=url)
    danger = _danger_for_them(emergency, url, lang)
    body = (
        _(
            "I'm Kindred, an automated bot. It sounds like you're worried about someone. "
            "Caring enough to notice really helps."
        ),
        _("**Listen** without judging or rushing to fix things; let them talk."),
        _(
            "**Ask directly and calmly** if they are thinking about suicide. "
            "Asking doesn't put the idea in their head."
        ),
        stay,
        danger,
        _(
            "**Look after yourself too.** A peer here can support you as well: "
            "press **Talk to a peer**."
        )
        if peer_button
        else _(
            "**Look after yourself too.** Supporting someone can be heavy, "
            "and you deserve support as well."
        ),
    )
    return SafeMessage(
        title=_("Helping a friend who is struggling"),
        body=body,
        footer=_footer(last_checked, stale, unverified, url, lang),
    )


def _danger_for_them(emergency: ResourceEntry | None, url: str, lang: str) -> str:
    """What to do if the friend is in immediate danger: whole sentences, as ``_danger``."""
    _ = gettext_for(lang)
    if emergency is None:
        return _(
            "If they are in immediate danger, call your local emergency number. "
            "Worldwide helplines: {url}"
        ).format(url=url)
    number = emergency.contacts[0].value
    if not emergency.verified:
        return _(
            "If they are in immediate danger, call {number} *(unverified)*. "
            "Worldwide helplines: {url}"
        ).format(number=number, url=url)
    return _("If they are in immediate danger, call {number}. Worldwide helplines: {url}").format(
        number=number, url=url
    )


def channel_fallback_text(
    member_mention: str, *, command: str = "/crisis", lang: str = "en"
) -> str:
    """Brief public note when DMs are closed: mentions only the member, quotes nothing."""
    _ = gettext_for(lang)
    return _(
        "{member}, I'm Kindred, an automated bot. I tried to message you privately but "
        "couldn't. If you'd like support, `{command}` shows free, confidential lines only you "
        "can see, any time. 💙"
    ).format(member=member_mention, command=command)


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
    unrecognised: str | None = None,
    suggestion: str | None = None,
    suggested_code: str | None = None,
    peer_button: bool = True,
    lang: str = "en",
) -> SafeMessage:
    """Reply to ``/crisis``: the lines themselves, clearly, with no opt-out noise. The peer
    line only with its **Talk to a peer** button (``peer_button``).

    Never refused: a region Kindred does not recognise (``unrecognised``, with the region
    parser's ``suggestion`` and its ``suggested_code`` when it has one) is named kindly, and
    the worldwide directory and emergency advice follow as always."""
    _ = gettext_for(lang)
    url = _directory_url(directory)
    body: list[str] = []
    shown = [e for e in lines if e is not emergency][:3]
    if region_known and shown:
        if region_label:
            body.append(_("Free, confidential support for {region}:").format(region=region_label))
        else:
            body.append(_("Free, confidential support:"))
        body.extend(f"• {format_entry(e, lang=lang)}" for e in shown)
    elif not region_known:
        body.extend(_where_hint(unrecognised, suggestion, suggested_code, lang))
    body.append("• " + _("**Worldwide**: {url} lists free helplines by country.").format(url=url))
    body.append(call_now(emergency, lang))
    if peer_button:
        body.append(_("You can also talk to a peer here: press **Talk to a peer**."))
    return SafeMessage(
        title=_("Crisis lines"),
        body=tuple(body),
        footer=_footer(last_checked, stale, unverified, url, lang),
    )


def _where_hint(
    unrecognised: str | None, suggestion: str | None, code: str | None, lang: str
) -> list[str]:
    """How to see local lines: the example, or what was not recognised and a near match."""
    _ = gettext_for(lang)
    example = _("Add your country (e.g. `/crisis region:UK`) to see lines near you.")
    if not unrecognised:
        return [example]
    opening = _("I didn't recognise “{region}”, so here is help that works anywhere.").format(
        region=plain(unrecognised)
    )
    if suggestion and code:
        hint = (
            _("Did you mean **{place}**?").format(place=suggestion)
            + " "
            + _("`/crisis region:{code}` shows its lines.").format(code=code)
        )
        return [opening, hint]
    return [opening, example]


def distress_pointer(*, support_command: str = "/support", lang: str = "en") -> str:
    """Gentle, optional pointer to peer support (when the guild turns it on)."""
    _ = gettext_for(lang)
    return _(
        "Sounds like things are heavy right now. If you'd like someone to talk with, peers here "
        "are happy to listen: `{command}` reaches them privately. (I'm Kindred, an automated bot.)"
    ).format(command=support_command)


def button_labels(lang: str = "en") -> dict[str, str]:
    """Labels of the buttons under a private reply, in the member's language."""
    _ = gettext_for(lang)
    return {
        "talk": _("Talk to a peer"),
        "notnow": _("Not now"),
        "optout": _("Stop these messages"),
        "state": _("Choose your US state"),
    }


def opt_out_text(what: str, lang: str = "en") -> str:
    """What the member sees after "Stop these messages" or "Not now"."""
    _ = gettext_for(lang)
    if what == "optout":
        return _(
            "Okay, I won't send these messages any more. `/crisis` still works any time, and "
            "`/safety optout enabled:false` turns them back on."
        )
    return _("Okay. I'm here if you need me: `/crisis` or `/support`, any time.")
