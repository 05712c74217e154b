"""What Kindred tells a member and a peer privately as a request moves, in the reader's language.

The member's DMs when a peer picks their request up, when it is back in the queue and after it
closes; the peer's private answers to the request buttons and ``/duty``, and the DM after a
close. Strings are gettext msgids translated by :func:`bot.i18n.gettext_for` (``make
messages``); English when no catalogue has them. What is posted in the peer channel or in a
shared thread stays in English (a server has no language of its own). No discord imports.
"""

from __future__ import annotations

from bot.i18n import N_, gettext_for, render

__all__ = [
    "backup_asked_text",
    "catch_up_lost_text",
    "claimed_text",
    "closed_peer_dm_text",
    "closed_text",
    "conversation_button_labels",
    "conversation_gone_member_text",
    "conversation_gone_peer_text",
    "duty_off_text",
    "duty_on_text",
    "duty_status_text",
    "feedback_button_labels",
    "feedback_counted_text",
    "feedback_question_text",
    "idle_closed_member_text",
    "idle_reminder_text",
    "on_duty_until_text",
    "peer_gone_member_text",
    "relay_choice_label",
    "relay_ended_text",
    "relay_not_now_text",
    "relay_nothing_held_text",
    "relay_passed_on_text",
    "relay_picked_up_text",
    "relay_refused_text",
    "relay_thread_text",
    "relay_unavailable_text",
    "relay_undelivered_text",
    "relay_which_text",
    "relay_words_only_text",
    "requeued_member_text",
    "shared_button_labels",
    "thread_closed_text",
    "thread_handover_text",
    "thread_ready_text",
    "thread_retired_text",
    "thread_welcome_text",
    "transcript_cut_text",
    "transcript_header_text",
    "transcript_later_text",
    "transcript_none_text",
    "transcript_sent_text",
    "transcript_undelivered_text",
    "transfer_question_text",
    "transfer_select_placeholder",
    "transferred_text",
    "unclaimed_text",
    "your_tags_text",
]


# -- the member, by DM ----------------------------------------------------------------------
def relay_picked_up_text(request_id: int, anonymous: bool, lang: str = "en") -> str:
    _ = gettext_for(lang)
    if anonymous:
        text = _(
            "A peer supporter has picked up your request #{number}. Just reply here: I'll pass "
            "your messages on without your name. Close the conversation whenever you like."
        )
    else:
        text = _(
            "A peer supporter has picked up your request #{number}. Just reply here: I'll pass "
            "your messages on. Close the conversation whenever you like."
        )
    return text.format(number=request_id)


def requeued_member_text(request_id: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "The peer supporter who picked up your request #{number} can't continue with it, so "
        "it's back in the queue. Another peer will pick it up; you don't need to do anything. "
        "If you need someone right now, `/crisis` shows lines you can reach."
    ).format(number=request_id)


def peer_gone_member_text(request_id: int, lang: str = "en") -> str:
    """The peer who held the member's request used ``/forgetme``: no reason beyond that they
    are no longer available."""
    _ = gettext_for(lang)
    return _(
        "The peer supporter who picked up your request #{number} is no longer available, so "
        "your request is back in the queue and keeps its place. Another peer will pick it up; "
        "you don't need to do anything. If you need someone right now, `/crisis` shows lines "
        "you can reach."
    ).format(number=request_id)


def conversation_gone_member_text(request_id: int, lang: str = "en") -> str:
    """The conversation's thread was deleted (a private thread, or the peer's relay thread)."""
    _ = gettext_for(lang)
    return _(
        "The space where a peer supporter was talking with you about request #{number} was "
        "removed, so your request is back in the queue and keeps its place. A peer will pick "
        "it up again; you don't need to do anything. If you need someone right now, `/crisis` "
        "shows lines you can reach."
    ).format(number=request_id)


def relay_undelivered_text(request_id: int, queued: bool, lang: str = "en") -> str:
    """The member wrote, and the relay thread their words should go to is gone: nothing was
    passed on. ``queued``: the request is back in the queue (else it has ended)."""
    _ = gettext_for(lang)
    if queued:
        text = _(
            "I couldn't pass your last message on: the space where a peer supporter was "
            "talking with you about request #{number} was removed. Your words are still here "
            "in our DMs. Your request is back in the queue and keeps its place; a peer will "
            "pick it up again, and you can write to them then. If you need someone right now, "
            "`/crisis` shows lines you can reach."
        )
    else:
        text = _(
            "I couldn't pass your last message on: your conversation about request #{number} "
            "has ended. Your words are still here in our DMs. If you need someone right now, "
            "`/crisis` shows lines you can reach."
        )
    return text.format(number=request_id)


def relay_not_now_text(lang: str = "en") -> str:
    """Discord didn't take the member's words to the relay thread for a moment."""
    _ = gettext_for(lang)
    return _(
        "I couldn't pass your last message on just now. Your words are still here in our "
        "DMs; please send them again in a moment."
    )


def relay_words_only_text(lang: str = "en") -> str:
    """The member sent a picture, file or sticker in their relayed conversation: only words
    are passed on (sent as a reply to that message)."""
    _ = gettext_for(lang)
    return _(
        "I pass only words on in this conversation, so your peer supporter hasn't seen the "
        "picture, file or sticker in this message. A file can say more about you than you "
        "mean to share (its name, where a photo was taken). If it matters, you could tell "
        "them about it in words."
    )


def relay_refused_text(lang: str = "en") -> str:
    """Discord kept refusing the member's message (rate limits, outages) through every retry:
    it never reached their peer (sent as a reply to that message)."""
    _ = gettext_for(lang)
    return _(
        "I couldn't pass this message on: Discord kept refusing it for a while, so your peer "
        "supporter hasn't seen it. Your words are still here in our DMs; please send them again."
    )


def relay_ended_text(lang: str = "en") -> str:
    """The member's message was still waiting for Discord when their conversation ended (or
    went back to the queue): it never reached their peer (sent as a reply to that message)."""
    _ = gettext_for(lang)
    return _(
        "I couldn't pass this message on: your conversation with your peer supporter ended "
        "before Discord took it. Your words are still here in our DMs."
    )


def relay_which_text(lang: str = "en") -> str:
    """The member wrote in DMs while two or more of their relayed conversations go on, not as
    a reply to one of them: which conversation is it for? (Buttons name each one's server.)"""
    _ = gettext_for(lang)
    return _(
        "You're in more than one support conversation right now, so I haven't passed that on "
        "yet. Which server's conversation is it for? Anything else you write before choosing "
        "goes there too. Next time, you can reply to a message from your peer supporter and it "
        "goes straight to that conversation."
    )


def relay_choice_label(request_id: int, lang: str = "en") -> str:
    """A button for one conversation when its server's name can't be looked up."""
    _ = gettext_for(lang)
    return _("Request #{number}").format(number=request_id)[:80]


def relay_passed_on_text(server: str | None, request_id: int, lang: str = "en") -> str:
    """The member chose: their held words went to that conversation."""
    _ = gettext_for(lang)
    if server is None:
        return _(
            "Thank you. I've passed your words on in your conversation for request #{number}."
        ).format(number=request_id)
    return _("Thank you. I've passed your words on in your conversation in {server}.").format(
        server=server
    )


def relay_nothing_held_text(lang: str = "en") -> str:
    """The member chose, but no words were waiting (they went already)."""
    _ = gettext_for(lang)
    return _("There's nothing waiting to be passed on: your words went through already.")


def feedback_question_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "Your support conversation is closed. Did it help? (Optional; only counts are shared, "
        "never who said what.)"
    )


def idle_reminder_text(request_id: int, lang: str = "en") -> str:
    """To the member and to the peer, each by DM, when their conversation has been quiet."""
    _ = gettext_for(lang)
    return _(
        "Request #{number} has been quiet for a while. It will close by itself soon unless "
        "someone writes; closing it yourself is fine too."
    ).format(number=request_id)


def idle_closed_member_text(request_id: int, lang: str = "en") -> str:
    """The member of a relayed conversation closed for being quiet: their DMs are their only
    window on it, so they are told it ended, why, and how to ask again."""
    _ = gettext_for(lang)
    return _(
        "Your conversation for request #{number} was closed because it had been quiet for a "
        "while. If you'd like to talk again, `/support` asks for a peer any time."
    ).format(number=request_id)


def feedback_button_labels(lang: str = "en") -> dict[str, str]:
    """The answers under the feedback question, by rating (their custom ids never change)."""
    _ = gettext_for(lang)
    return {"helped": _("It helped"), "somewhat": _("Somewhat"), "not_really": _("Not really")}


def feedback_counted_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Thank you. Your answer is counted anonymously.")


def conversation_button_labels(lang: str = "en") -> dict[str, str]:
    """The buttons under the relay's DM to the member, by action (custom ids unchanged)."""
    _ = gettext_for(lang)
    return {"close": _("Close"), "transcript": _("Send me a transcript")}


# -- the private thread the member and the peer share --------------------------------------
# Both read it: the member's language first (the request's: what they asked in, or chose with
# /language set), then the English for a peer who may not read it, as Discord's small
# subtext. An English request's thread reads as it always did.
BUTTON_LABEL_MAX = 80  # Discord's limit on a button's label


def _shared(text: str, english: str) -> str:
    return english if text == english else f"{text}\n-# {english}"


def thread_welcome_text(member: str, peer: str, lang: str = "en") -> str:
    """The welcome of a private thread: who is here, who can read it, how to close it."""
    welcome = N_(
        "{member}, {peer} is here with you. This thread is private: only the two of you (and "
        "the moderators who run this server) can see it. Either of you can close it with the "
        "button or `/support action:close`."
    )
    return _shared(
        render(lang, welcome, member=member, peer=peer),
        render("en", welcome, member=member, peer=peer),
    )


def thread_closed_text(lang: str = "en") -> str:
    """The last line of a private thread when its conversation closes."""
    closed = N_("This conversation is closed. Take care.")
    return _shared(render(lang, closed), closed)


def thread_handover_text(to_peer: str, from_peer: str, lang: str = "en") -> str:
    """Said in a private thread when its request is transferred to another peer."""
    handover = N_("{to_peer} is taking over from {from_peer}.")
    return _shared(
        render(lang, handover, to_peer=to_peer, from_peer=from_peer),
        render("en", handover, to_peer=to_peer, from_peer=from_peer),
    )


def thread_retired_text(lang: str = "en") -> str:
    """The last line of a private thread whose peer can't continue (they unclaimed, lost the
    peer role or used ``/forgetme``): the request is back in the queue."""
    retired = N_(
        "The peer in this conversation can't continue, so the request is back in the queue. "
        "Another peer will pick it up in a new private thread."
    )
    return _shared(render(lang, retired), retired)


def shared_button_labels(lang: str = "en") -> dict[str, str]:
    """Close and transcript in a shared thread: the member's words, then the English
    ("Fermer · Close"), or the member's words alone past Discord's limit."""
    english = conversation_button_labels("en")
    labels = {}
    for action, text in conversation_button_labels(lang).items():
        both = f"{text} · {english[action]}"
        labels[action] = (
            english[action]
            if text == english[action]
            else (both if len(both) <= BUTTON_LABEL_MAX else text)
        )
    return labels


def transcript_header_text(request_id: int, lang: str = "en") -> str:
    """The first line of the transcript DMs."""
    _ = gettext_for(lang)
    return _("Your transcript of request #{number}:").format(number=request_id)


def transcript_cut_text(left_out: int, lang: str = "en") -> str:
    """The first line of a transcript too long to send whole: ``left_out`` of its earliest
    messages are not in it (0: some, how many unknown); its latest words are."""
    _ = gettext_for(lang)
    if left_out <= 0:
        return _(
            "This conversation was too long to send whole: its earliest messages are left "
            "out. Here are its latest words."
        )
    return _(
        "This conversation was too long to send whole: its earliest {count} message(s) are "
        "left out. Here are its latest words."
    ).format(count=left_out)


def transcript_line(by_member: bool, text: str, lang: str = "en") -> str:
    """One line of a transcript, labelled for the member: what they wrote, or what a peer
    supporter wrote (the words themselves are never translated)."""
    return render(lang, N_("You: {text}") if by_member else N_("Peer: {text}"), text=text)


def relay_peer_prefix(lang: str = "en") -> str:
    """What starts each of the peer's messages in an anonymous relay, in the member's DMs:
    the label in the member's language (the words after it are the peer's, never translated)."""
    _ = gettext_for(lang)
    return _("**Peer:** ")


def closed_text(by_member: bool, lang: str = "en") -> str:
    """The answer to whoever closed: the member, or the peer (or a moderator)."""
    _ = gettext_for(lang)
    if by_member:
        return _("Closed. Thank you for reaching out and for being here.")
    return _("Closed. Thank you for being there for them.")


def transcript_later_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("I'll DM you a transcript when the conversation closes.")


def transcript_none_text(relay: bool, lang: str = "en") -> str:
    _ = gettext_for(lang)
    if relay:
        return _(
            "This conversation is already closed, and there's no transcript of it I can send "
            "you. Kindred keeps a relayed conversation's words only when a transcript is asked "
            "for before it closes, and only for a while."
        )
    return _("This conversation is already closed, and there's no transcript of it I can send you.")


def transcript_undelivered_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("I couldn't DM you the transcript: your DMs seem to be closed.")


def transcript_sent_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("This conversation is already closed, so I've DMed you its transcript now.")


# -- the peer, privately --------------------------------------------------------------------
def claimed_text(request_id: int, where: str, lang: str = "en") -> str:
    """``where`` is one of the sentences below, already in ``lang``."""
    _ = gettext_for(lang)
    return _("You claimed request #{number}.").format(number=request_id) + " " + where


def thread_ready_text(thread_id: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Your private thread: <#{thread}>.").format(thread=thread_id)


def relay_thread_text(thread_id: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Talk in <#{thread}>; I relay it.").format(thread=thread_id)


def relay_unavailable_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("I couldn't open a relay thread, so the request is back in the queue.")


def unclaimed_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Unclaimed; the request is back in the queue.")


def transfer_question_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Who should take it over?")


def transfer_select_placeholder(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Choose an on-duty peer")[:150]


def transferred_text(request_id: int, peer_id: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("Transferred request #{number} to <@{peer}>.").format(number=request_id, peer=peer_id)


def backup_asked_text(lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("I've asked the on-duty peers for backup.")


def closed_peer_dm_text(request_id: int, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _(
        "Request #{number} is closed. Thank you. Take a moment for yourself. If this one "
        "stayed with you, `/peers debrief` lets you ask a moderator for support."
    ).format(number=request_id)


def forgotten_peer_text(request_id: int, lang: str = "en") -> str:
    """The peer of a conversation whose member used ``/forgetme``: that and nothing more."""
    _ = gettext_for(lang)
    return _(
        "The member of request #{number} ended your conversation and deleted their data from "
        "Kindred, so it is closed. Thank you for being there for them. If this one stayed with "
        "you, `/peers debrief` lets you ask a moderator for support."
    ).format(number=request_id)


def conversation_gone_peer_text(request_id: int, lang: str = "en", *, told: bool = True) -> str:
    """The peer who held a request whose conversation thread was deleted; ``told``: whether
    the member was told (their DM was tried first)."""
    _ = gettext_for(lang)
    if not told:
        return _(
            "The conversation thread of request #{number} was deleted, so the request is back "
            "in the queue, but Kindred couldn't tell the member (their DMs may be closed). You "
            "can claim it again if you're able to continue; a new conversation will open."
        ).format(number=request_id)
    return _(
        "The conversation thread of request #{number} was deleted, so the request is back in "
        "the queue and the member has been told. You can claim it again if you're able to "
        "continue; a new conversation will open."
    ).format(number=request_id)


# -- /duty ----------------------------------------------------------------------------------
def duty_on_text(until: str | None, waiting: int, lang: str = "en") -> str:
    """``until`` is a Discord time tag (or None for an open-ended shift)."""
    _ = gettext_for(lang)
    text = _("You're on duty until {time}.").format(time=until) if until else _("You're on duty.")
    if waiting:
        text += " " + _("{count} request(s) are waiting in the peer channel.").format(count=waiting)
    return text


def duty_off_text(was_on: bool, held: list[int], lang: str = "en") -> str:
    _ = gettext_for(lang)
    text = _("You're off duty. Thank you.") if was_on else _("You weren't on duty.")
    if held:
        text += " " + _("You still hold {count} request(s): {numbers}.").format(
            count=len(held), numbers=", ".join(f"#{request_id}" for request_id in held)
        )
    return text


def duty_status_text(
    people: list[str], waiting: int, next_shift: tuple[int, str] | None, lang: str = "en"
) -> str:
    """``people``: mentions, each maybe with its end time; ``next_shift``: (peer, time tag)."""
    _ = gettext_for(lang)
    lines = [
        _("On duty: {people}").format(people=", ".join(people))
        if people
        else _("Nobody is on duty."),
        _("Waiting requests: {count}.").format(count=waiting),
    ]
    if next_shift:
        lines.append(
            _("Next shift: <@{peer}> {time}.").format(peer=next_shift[0], time=next_shift[1])
        )
    return "\n".join(lines)


def on_duty_until_text(mention: str, until: str, lang: str = "en") -> str:
    _ = gettext_for(lang)
    return _("{peer} until {time}").format(peer=mention, time=until)


def your_tags_text(tags: list[str], lang: str = "en") -> str:
    _ = gettext_for(lang)
    if not tags:
        return _("Your tags: none.")
    return _("Your tags: {tags}.").format(tags=", ".join(tags))


def catch_up_lost_text(count: int, *, at_least: bool = False, lang: str = "en") -> str:
    """To the member after a restart, when some words written in their relayed conversation
    while Kindred was away could not be carried across (either way): ``count`` of them (at
    least that many with ``at_least``; 0: some, how many unknown). Never their words."""
    _ = gettext_for(lang)
    if count <= 0:
        text = _(
            "While Kindred was away, some messages in your conversation with your peer may not "
            "have been carried across. If something you wrote matters, you may want to write "
            "it again; your peer has been told too."
        )
    elif at_least:
        text = _(
            "While Kindred was away, not every message in your conversation with your peer "
            "could be carried across: at least {count} could not. If something you wrote "
            "matters, you may want to write it again; your peer has been told too."
        )
    else:
        text = _(
            "While Kindred was away, not every message in your conversation with your peer "
            "could be carried across: {count} could not. If something you wrote matters, you "
            "may want to write it again; your peer has been told too."
        )
    return text.format(count=count)
