"""What Kindred says by DM about asking for a peer, in the member's language.

The answer to a DM like "I need to talk", ``/support``'s form, its answer, status, cancel and
the kind refusal to a blocked member, and the note to a member who writes in DMs while
their relayed request still waits for a peer. Strings are gettext msgids translated by
:func:`bot.i18n.gettext_for` (``make messages`` extracts them into ``data/locale``); English
when no catalogue has them. No discord imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import gettext_for

__all__ = [
    "SupportForm",
    "blocked_dm_text",
    "blocked_text",
    "busy_peers_text",
    "claimed_status_text",
    "dm_help_text",
    "escalation_update_text",
    "intake_answer_text",
    "intake_offer_text",
    "next_peer_text",
    "no_request_text",
    "no_shared_server_text",
    "no_shift_text",
    "opening_status_text",
    "queued_status_text",
    "support_form",
    "talk_button_label",
    "unknown_tags_text",
    "waiting_text",
    "withdrawn_text",
]


def intake_offer_text(lang: str = "en") -> str:
    """Above the "Talk to a peer in <server>" buttons."""
    _ = gettext_for(lang)
    return _("I'm here. Press the button to ask a peer supporter to talk with you privately.")


def professional_offer_text(lang: str = "en") -> str:
    """Above the "Talk to a peer in <server>" buttons, to someone asking for a therapist."""
    _ = gettext_for(lang)
    return _(
        "I can't connect you with a therapist or counsellor, but a peer from the community "
        "can listen now: press the button to ask one to talk with you privately. `/resources` "
        "lists support lines for your region, and if you're in danger right now, `/crisis` "
        "shows lines you can reach at once."
    )


def professional_no_server_text(lang: str = "en") -> str:
    """To someone asking for a therapist who shares no server with peer support set up."""
    _ = gettext_for(lang)
    return _(
        "I can't connect you with a therapist or counsellor. `/resources` lists support lines "
        "for your region, and if you're in danger right now, `/crisis` shows lines you can "
        "reach at once."
    )


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


def dm_help_text(lang: str = "en", *, offered: bool) -> str:
    """A DM to Kindred nothing else answers ("help", "hello"): that Kindred is a bot, how to
    reach a peer (``offered``: the "Talk to a peer in <server>" buttons below) and the lines
    if it is urgent."""
    _ = gettext_for(lang)
    if offered:
        return _(
            "I'm Kindred, an automated bot, so I can't talk things through with you myself. "
            "To talk privately with a peer supporter, press the button below (or use "
            "`/support` in your server). If things feel urgent, `/crisis` shows lines you can "
            "reach right now."
        )
    return _(
        "I'm Kindred, an automated bot, so I can't talk things through with you myself. To "
        "talk privately with a peer supporter, use `/support` or the **Talk to a peer** "
        "button in a server where peer support is set up. If things feel urgent, `/crisis` "
        "shows lines you can reach right now."
    )


def blocked_dm_text(server: str, lang: str = "en") -> str:
    """A DM asking for a peer from a member blocked in every server they share with Kindred
    that has peer support: no form, kindness, and the lines below."""
    _ = gettext_for(lang)
    return _(
        "I can't open a peer request for you in {server} right now. You still matter, and "
        "you can reach the lines below at any time."
    ).format(server=server)


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
    request_id: int,
    position: int,
    *,
    reminded: int,
    on_duty: int,
    moderators: str,
    lang: str = "en",
) -> str:
    """The DM to a member whose request is still waiting, at an escalation step: only what
    is true. ``reminded`` peers were pinged at this step, ``on_duty`` are on duty (some may
    hold all they can); ``moderators`` is ``"told"`` (alerted at this step), ``"later"`` (a
    later step will alert them) or ``"none"`` (no moderator was or will be told)."""
    _ = gettext_for(lang)
    if reminded:
        state = [_("{count} peer(s) are on duty and have been reminded.")]
        if moderators == "told":
            state.append(_("Moderators know you're waiting too."))
    elif on_duty:
        state = [_("No peer on duty is free to pick it up yet; it stays in the queue.")]
        if moderators == "told":
            state.append(_("Moderators know you're waiting too."))
    elif moderators == "told":
        state = [_("No peer is on duty right now; moderators know you're waiting.")]
    elif moderators == "later":
        state = [
            _("No peer is on duty right now; moderators will be told if nobody picks it up soon.")
        ]
    else:
        state = [_("No peer is on duty right now; your request stays in the queue.")]
    return " ".join(
        [
            _("An update on your request #{number}: you're number {position} in the queue."),
            *state,
            _("`/crisis` is there if you need someone right now."),
        ]
    ).format(number=request_id, position=position, count=reminded)


@dataclass(frozen=True)
class SupportForm:
    """The words of the "Talk to a peer" form (title ≤ 45, labels ≤ 45, placeholders ≤ 100
    and option labels ≤ 100 characters: Discord's limits)."""

    title: str
    topic_label: str
    topic_placeholder: str
    summary_label: str
    tags_label: str
    tags_placeholder: str
    anonymous_label: str
    anonymous_no: str
    anonymous_yes: str
    same_peer_label: str
    same_peer_no: str
    same_peer_yes: str


def support_form(lang: str = "en") -> SupportForm:
    _ = gettext_for(lang)
    return SupportForm(
        title=_("Talk to a peer")[:45],
        topic_label=_("Topic (optional)")[:45],
        topic_placeholder=_("A word or two is enough, e.g. 'rough week'")[:100],
        summary_label=_("What's going on? (optional, peers see it)")[:45],
        tags_label=_("Someone who shares… (optional tags)")[:45],
        tags_placeholder=_("e.g. grief, veterans (comma separated)")[:100],
        anonymous_label=_("Stay anonymous to peers?")[:45],
        anonymous_no=_("No: peers may see who I am")[:100],
        anonymous_yes=_("Yes: stay anonymous (replies come by DM)")[:100],
        same_peer_label=_("Same peer as last time, if they're on duty?")[:45],
        same_peer_no=_("No preference")[:100],
        same_peer_yes=_("Yes, the same peer if possible")[:100],
    )


def unknown_tags_text(names: str, count: int, known: str, lang: str = "en") -> str:
    """A gentle note that tags the server doesn't have were left out (the request stands).
    ``names`` are the left-out tags, already formatted; ``known`` the server's tags."""
    _ = gettext_for(lang)
    if count == 1:
        left_out = _("{names} isn't a tag here, so I left it out.")
    else:
        left_out = _("{names} aren't tags here, so I left them out.")
    tail = _("Tags here: {known}.") if known else _("This server has no tags yet.")
    return "(" + left_out.format(names=names) + " " + tail.format(known=known) + ")"


def next_peer_text(when: str, relative: str, lang: str = "en") -> str:
    """Nobody on duty, a shift ahead: ``when`` and ``relative`` are Discord timestamps."""
    _ = gettext_for(lang)
    return _(
        "Nobody is on duty right now. The next peer is expected {when} ({relative}). "
        "Your request stays in the queue."
    ).format(when=when, relative=relative)


def no_shift_text(lang: str = "en", *, moderators: bool = True) -> str:
    """Nobody on duty and no shift ahead; ``moderators``: the server has a moderator channel,
    so they will be told if nobody picks the request up."""
    _ = gettext_for(lang)
    if not moderators:
        return _(
            "Nobody is on duty right now, and no shift is scheduled. Your request stays in the "
            "queue."
        )
    return _(
        "Nobody is on duty right now, and no shift is scheduled. Your request stays in the "
        "queue and moderators will be told."
    )


def busy_peers_text(on_duty: int, lang: str = "en", *, moderators: bool) -> str:
    """Every peer on duty (``on_duty``) already holds as many requests as the server allows
    (``/peers limits``): none can take this one yet. ``moderators``: the server has a
    moderator channel, so they will be told if nobody picks it up."""
    _ = gettext_for(lang)
    if moderators:
        text = _(
            "{count} peer(s) are on duty, but each is already with as many members as they can "
            "be, so none is free to pick it up yet. Your request stays in the queue: peers are "
            "reminded while it waits, and moderators will be told if nobody picks it up soon."
        )
    else:
        text = _(
            "{count} peer(s) are on duty, but each is already with as many members as they can "
            "be, so none is free to pick it up yet. Your request stays in the queue, and peers "
            "are reminded while it waits."
        )
    return text.format(count=on_duty)


def _free_peers_text(free: int, on_duty: int, lang: str) -> str:
    """How many peers on duty can take the request now (``free``, at least one)."""
    _ = gettext_for(lang)
    if free == on_duty:
        return _("{count} peer(s) on duty now.").format(count=on_duty)
    return _("{free} of the {count} peer(s) on duty can pick it up now.").format(
        free=free, count=on_duty
    )


def intake_answer_text(
    request_id: int,
    position: int,
    *,
    anonymous: bool,
    relay: bool,
    on_duty: int,
    estimate_minutes: int | None,
    tags_note: str | None = None,
    nobody_lines: list[str] | None = None,
    lang: str = "en",
    free: int | None = None,
) -> str:
    """The private answer to the support form: who sees the request, the queue, what next.
    ``free``: the on-duty peers who can take it now (None: all ``on_duty``); with none free,
    ``nobody_lines`` say why and what happens next."""
    _ = gettext_for(lang)
    if anonymous:
        first = _(
            "Your request #{number} is in. Who sees it: only the on-duty peer supporters; "
            "you stay anonymous to them."
        )
    else:
        first = _("Your request #{number} is in. Who sees it: only the on-duty peer supporters.")
    lines = [
        first.format(number=request_id),
        _("Your place in the queue: **{position}**.").format(position=position),
    ]
    if tags_note:
        lines.insert(1, tags_note)
    free = on_duty if free is None else min(free, on_duty)
    if free:
        lines.append(_free_peers_text(free, on_duty, lang))
        if estimate_minutes:
            lines.append(
                _("Recently, peers picked requests up in about {minutes} min.").format(
                    minutes=estimate_minutes
                )
            )
    else:
        lines += nobody_lines or []
    if relay:
        lines.append(
            _(
                "**What happens next:** when a peer picks it up, their replies come to you here "
                "in a DM from Kindred, and you answer in that DM."
            )
        )
    else:
        lines.append(
            _(
                "**What happens next:** when a peer picks it up, a private thread opens with just "
                "you and them, and Kindred pings you there."
            )
        )
    lines.append(_("`/support action:cancel` withdraws it at any time."))
    return "\n".join(lines)


def opening_status_text(request_id: int, lang: str = "en") -> str:
    """``/support`` status: claimed, the conversation not open yet."""
    _ = gettext_for(lang)
    return _(
        "A peer has picked up your request #{number} and your conversation is being opened. "
        "If nothing appears within a few minutes, it goes back to the queue by itself and "
        "another peer will see it."
    ).format(number=request_id)


def claimed_status_text(request_id: int, thread_id: int | None, lang: str = "en") -> str:
    """``/support`` status: with a peer, in a private thread (``thread_id``) or in DMs."""
    _ = gettext_for(lang)
    if thread_id:
        return _("Your request #{number} is with a peer; you can talk in <#{thread}>.").format(
            number=request_id, thread=thread_id
        )
    return _("Your request #{number} is with a peer; you can talk here in DMs.").format(
        number=request_id
    )


def queued_status_text(request_id: int, opened: str, position: int, lang: str = "en") -> str:
    """``/support`` (status, or asking again) while a request waits; ``opened`` is a Discord
    relative timestamp."""
    _ = gettext_for(lang)
    return _(
        "You already have an open request (#{number}), opened {opened}. You are number "
        "{position} in the queue. `/support action:cancel` withdraws it."
    ).format(number=request_id, opened=opened, position=position)


def no_request_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("You have no open request. `/support` asks for one.")


def withdrawn_text(lang: str = "en") -> str:
    """After ``/support action:cancel``."""
    _ = gettext_for(lang)
    return _("Your request is withdrawn. You can ask again any time.")


def blocked_text(lang: str = "en") -> str:
    """A member blocked in this server asks: no request, kindness, and the lines below."""
    _ = gettext_for(lang)
    return _(
        "I can't open a peer request for you in this server right now. You still matter, and "
        "you can reach the lines below at any time."
    )
