"""Pure rules of a support request (bot.services.requests.rules): pings, DM pleas
(bot.services.dm_asks), holder-only actions and how a transcript reads."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import PermissionDeniedError
from bot.services.dm_asks import (
    beside_the_plea,
    help_language,
    plea_language,
    professional_language,
    wants_to_talk,
)
from bot.services.requests import RequestRow
from bot.services.requests.rules import (
    busiest_hours,
    chunks,
    latest_lines,
    ping_list,
    relay_transcript,
    require_holder,
    thread_transcript,
    transcript_messages,
)
from bot.text import fold

MEMBER, PEER, PEER2 = 100, 200, 201
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def request(**changes) -> RequestRow:
    fields = {
        "id": 7,
        "guild_id": 10,
        "requester_id": MEMBER,
        "status": "open",
        "topic": "",
        "tags": (),
        "summary": None,
        "anonymous": False,
        "preferred_peer": None,
        "source": "command",
        "created_at": NOW,
        "claimed_by": None,
        "claimed_at": None,
        "closed_at": None,
        "closed_by": None,
        "close_reason": None,
        "escalation": 0,
        "card_channel_id": None,
        "card_message_id": None,
        "thread_id": None,
        "relay": False,
        "last_activity": NOW,
        "feedback_given": False,
        "transcript": False,
    }
    return RequestRow(**(fields | changes))


def test_ping_list_leaves_out_the_requester() -> None:
    assert ping_list(request(), [PEER, MEMBER, PEER2]) == [PEER, PEER2]


def test_ping_list_keeps_an_anonymous_requester_so_the_list_reveals_nothing() -> None:
    assert ping_list(request(anonymous=True), [PEER, MEMBER]) == [PEER, MEMBER]


def test_ping_list_leaves_out_peers_who_hold_the_most_allowed() -> None:
    assert ping_list(request(), [PEER, MEMBER, PEER2], at_limit={PEER}) == [PEER2]
    assert ping_list(request(anonymous=True), [PEER, MEMBER], at_limit={MEMBER}) == [PEER]


@pytest.mark.parametrize(
    "text",
    [
        "I need to talk",
        "i NEED TO TALK to someone",
        "I need some help",
        "need support tonight",
        "can I talk to a peer?",
        "talk to someone please",
        "support please",
    ],
)
def test_pleas_for_support_are_recognised(text: str) -> None:
    assert wants_to_talk(text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I need to talk", "en"),
        ("i really need to talk", "en"),
        ("i needa talk", "en"),
        ("i need 2 talk", "en"),
        ("I need to speak with someone", "en"),
        ("I just want someone to talk to", "en"),
        ("support pls", "en"),
        ("necesito hablar con alguien", "es"),
        ("Necesito hablar", "es"),
        ("nesesito hablar", "es"),
        ("necesito ayuda", "es"),
        ("quiero hablar con alguien", "es"),
        ("no tengo a nadie, alguien con quien hablar?", "es"),
        ("ayuda porfa", "es"),
        ("j'ai besoin de parler à quelqu'un", "fr"),
        ("J’ai besoin de parler a quelqu’un", "fr"),
        ("jai besoin de parler", "fr"),
        ("g besoin de parler a qqn", "fr"),
        ("besoin d'aide", "fr"),
        ("j'aimerais parler avec quelqu'un", "fr"),
        ("ich muss mit jemandem reden", "de"),
        ("Ich muss einfach mal reden", "de"),
        ("ich muß reden", "de"),
        ("ich brauche jemanden zum Reden", "de"),
        ("ich brauche Hilfe", "de"),
        ("kann ich mit jmd sprechen?", "de"),
        ("preciso falar com alguém", "pt"),
        ("preciso falar com alguem", "pt"),
        ("presiso falar", "pt"),
        ("tô precisando desabafar", "pt"),
        ("preciso de ajuda", "pt"),
        ("queria alguém pra conversar", "pt"),
    ],
)
def test_pleas_are_recognised_in_each_language_kindred_speaks(text: str, lang: str) -> None:
    assert plea_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "thanks for the help",
        "I need helpers for the event",
        "talking points",
        "hablamos luego",
        "gracias por la ayuda",
        "necesito ayudantes para el evento",
        "on en parle demain",
        "merci pour l'aide",
        "ich muss mit meinem Chef über den Dienstplan reden",
        "danke für die Hilfe",
        "das ist hilfreich",
        "a gente fala amanhã",
        "obrigado pela ajuda",
        "preciso de ajudantes",
    ],
)
def test_other_messages_are_not_taken_for_a_plea(text: str) -> None:
    assert not wants_to_talk(text)
    assert plea_language(text) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("help", "en"),
        ("Hello?", "en"),
        ("hi kindred", "en"),
        ("/support", "en"),
        ("help me please!", "en"),
        ("¡Ayúdame, por favor!", "es"),
        ("hola", "es"),
        ("Bonjour !", "fr"),
        ("à l'aide", "fr"),
        ("Hilfe!!", "de"),
        ("Hallo, ist da jemand?", "de"),
        ("oi", "pt"),
        ("preciso de ajuda", "pt"),
    ],
)
def test_a_dm_only_asking_for_help_or_saying_hello_is_recognised(text: str, lang: str) -> None:
    assert help_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "thanks for the help",
        "my therapist said hi",
        "I need to talk to my boss",
        "hello, can you send me the notes from yesterday",
        "gracias por la ayuda",
        "merci pour l'aide",
        "danke für die Hilfe",
        "obrigado pela ajuda",
        "",
    ],
)
def test_other_dms_are_not_taken_for_a_call_for_help(text: str) -> None:
    assert help_language(text) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("what is this bot?", "en"),
        ("Who are you?", "en"),
        ("what do you do?", "en"),
        ("hi, what are you?", "en"),
        ("qué es esto", "es"),
        ("¿Quién eres?", "es"),
        ("c'est quoi ce bot", "fr"),
        ("Qu’est-ce que c’est ?", "fr"),
        ("was bist du", "de"),
        ("Was ist das für ein Bot?", "de"),
        ("o que é isso", "pt"),
        ("quem é você?", "pt"),
    ],
)
def test_a_short_question_about_what_kindred_is_gets_the_help_note(text: str, lang: str) -> None:
    assert help_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "what is this about my rent",
        "what do you do for work",
        "who are you going with tonight",
        "quién es Juan",
        "c'est quoi ton numéro",
        "wer ist das auf dem Foto",
        "o que é isso no seu braço",
        "I need to talk to my boss",
    ],
)
def test_a_question_about_something_else_is_not_taken_for_one_about_kindred(text: str) -> None:
    assert help_language(text) is None


@given(
    st.sampled_from(["what is this bot", "who are you", "was bist du", "o que e isso"]),
    st.sampled_from(["my rent", "the exam", "dein Chef", "meu chefe", "him"]),
)
def test_a_question_about_kindred_followed_by_other_words_is_left_alone(
    question: str, other: str
) -> None:
    assert help_language(f"{question} {other}") is None
    assert help_language(f"{question}?") is not None


# "I need to talk" in each language, and whom it may be to (a plea) or not (someone named).
PLEA_FRAMES = {
    "en": ["I need to talk {to} {whom}", "i really need to speak {to} {whom}"],
    "es": ["necesito hablar {to} {whom}", "nesesito desahogarme {to} {whom}"],
    "fr": ["j'ai besoin de parler {to} {whom}", "je dois parler {to} {whom}"],
    "de": ["ich muss reden {to} {whom}", "ich muss einfach mal sprechen {to} {whom}"],
    "pt": ["preciso falar {to} {whom}", "tô precisando desabafar {to} {whom}"],
}
PREPOSITIONS = {
    "en": ["to", "with"],
    "es": ["con"],
    "fr": ["à", "avec"],
    "de": ["mit"],
    "pt": ["com"],
}
ANYONE = {
    "en": ["someone", "somebody", "anyone", "a person", "a peer", "a human", "you"],
    "es": ["alguien", "una persona", "un compañero", "un ser humano", "usted"],
    "fr": ["quelqu'un", "qqn", "une personne", "un pair", "un être humain", "toi"],
    "de": ["jemandem", "jmd", "einem Menschen", "einer Person", "dir"],
    "pt": ["alguém", "uma pessoa", "um humano", "você"],
}
NAMED = {
    "en": ["my boss", "my landlord", "the teacher", "a lawyer", "him", "Sarah", "HR", "mom"],
    "es": ["mi jefe", "el casero", "mi mamá", "ella", "Juan", "un abogado"],
    "fr": ["mon prof", "ma mère", "le proprio", "lui", "Marie", "un avocat"],
    "de": ["meinem Chef", "dem Vermieter", "meiner Mutter", "ihm", "Anna", "einem Anwalt"],
    "pt": ["meu chefe", "o senhorio", "minha mãe", "ele", "Ana", "um advogado"],
}
TAILS = ["", "?", " about rent", " tonight", ", please", " sobre algo", " über die Miete"]


def _phrasings(people: dict[str, list[str]]):
    return st.sampled_from(sorted(PLEA_FRAMES)).flatmap(
        lambda lang: st.tuples(
            st.just(lang),
            st.sampled_from(PLEA_FRAMES[lang]),
            st.sampled_from(PREPOSITIONS[lang]),
            st.sampled_from(people[lang]),
            st.sampled_from(TAILS),
        )
    )


@given(_phrasings(ANYONE))
def test_a_wish_to_talk_to_anyone_is_a_plea_in_its_language(case) -> None:
    lang, frame, to, whom, tail = case
    text = frame.format(to=to, whom=whom) + tail
    assert plea_language(text) == lang, text


@given(_phrasings(NAMED))
def test_a_wish_to_talk_to_someone_named_is_never_a_plea(case) -> None:
    _, frame, to, whom, tail = case
    text = frame.format(to=to, whom=whom) + tail
    assert plea_language(text) is None, text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I need to talk.", "en"),
        ("I need to talk about what happened", "en"),
        ("can I talk to someone?", "en"),
        ("can we talk?", "en"),
        ("hello? is anyone there", "en"),
        ("anybody out there?", "en"),
        ("necesito hablar, no aguanto más", "es"),
        ("hay alguien ahí?", "es"),
        ("puedo hablar con alguien?", "es"),
        ("je dois parler", "fr"),
        ("il faut que je parle à quelqu'un", "fr"),
        ("y a quelqu'un ?", "fr"),
        ("ich muss reden, bitte", "de"),
        ("ist da jemand?", "de"),
        ("kann ich mit jemandem sprechen", "de"),
        ("preciso desabafar", "pt"),
        ("tem alguém aí?", "pt"),
        ("posso conversar com alguém?", "pt"),
    ],
)
def test_talking_at_all_or_asking_if_anyone_is_there_is_a_plea(text: str, lang: str) -> None:
    assert plea_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "I need to talk to my boss",
        "I need to talk to my landlord about rent",
        "I want to talk to a lawyer",
        "thanks, talk to you later",
        "is anyone there for the meeting tomorrow",
        "necesito hablar con mi jefe",
        "necesito hablar al director",
        "je dois parler à mon prof",
        "j'ai besoin de parler au directeur",
        "y a quelqu'un qui sait l'heure de la réunion",
        "ich muss reden mit meinem Chef",
        "ist jemand da, der die Schlüssel hat",
        "preciso falar com meu chefe",
        "preciso conversar com o senhorio sobre o aluguel",
    ],
)
def test_talking_to_a_third_party_or_asking_after_something_else_is_not_a_plea(
    text: str,
) -> None:
    assert plea_language(text) is None


# Asking to see a professional, after the lead-ins of a plea, in each language.
PRO_FRAMES = {
    "en": [
        "I need to talk to {pro}",
        "i really need to see {pro}",
        "I want to speak with {pro}",
        "I think I need {pro}",
        "can I see {pro}?",
    ],
    "es": [
        "necesito hablar con {pro}",
        "quiero ver a {pro}",
        "necesito {pro}",
        "nesesito ir {pro}",
    ],
    "fr": [
        "j'ai besoin de parler à {pro}",
        "je dois voir {pro}",
        "j'aimerais parler avec {pro}",
        "je veux consulter {pro}",
    ],
    "de": [
        "ich muss mit {pro} reden",
        "ich möchte mal mit {pro} sprechen",
        "ich muss reden mit {pro}",
        "ich will zu {pro}",
    ],
    "pt": [
        "preciso falar com {pro}",
        "tô precisando de {pro}",
        "quero ver {pro}",
        "preciso ir {pro}",
    ],
}
PROFESSIONALS = {
    "en": [
        "a therapist",
        "a counsellor",
        "a counselor",
        "a psychologist",
        "a psychiatrist",
        "a licensed therapist",
        "a shrink",
        "a mental health professional",
    ],
    "es": ["un psicólogo", "una psicóloga", "un terapeuta", "una psiquiatra", "al psicólogo"],
    "fr": ["un psy", "une thérapeute", "un psychologue", "une psychiatre", "un conseiller"],
    "de": ["einem Therapeuten", "einer Therapeutin", "einem Psychologen", "einer Psychiaterin"],
    "pt": ["um psicólogo", "uma psicóloga", "um terapeuta", "uma psiquiatra", "ao psicólogo"],
}


@given(
    st.sampled_from(sorted(PRO_FRAMES)).flatmap(
        lambda lang: st.tuples(
            st.just(lang),
            st.sampled_from(PRO_FRAMES[lang]),
            st.sampled_from(PROFESSIONALS[lang]),
            st.sampled_from(["", "?", ".", " please", ", por favor", " bitte"]),
        )
    )
)
def test_asking_to_see_a_professional_is_recognised_in_its_language(case) -> None:
    lang, frame, pro, tail = case
    text = frame.format(pro=pro) + tail
    assert professional_language(text) == lang, text
    assert plea_language(text) is None, text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I need to talk to a therapist", "en"),
        ("I need to see a counsellor", "en"),
        ("I need professional help", "en"),
        ("necesito hablar con un psicólogo", "es"),
        ("necesito ir al psicólogo", "es"),
        ("j'ai besoin de parler à un psy", "fr"),
        ("j'ai besoin d'un psy", "fr"),
        ("ich muss mit einem Therapeuten reden", "de"),
        ("ich brauche einen Therapeuten", "de"),
        ("preciso falar com um psicólogo", "pt"),
        ("preciso de um psicólogo", "pt"),
    ],
)
def test_a_wish_for_a_therapist_or_counsellor_is_recognised(text: str, lang: str) -> None:
    assert professional_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "my therapist said hi",
        "I have a therapist appointment",
        "I need to talk to my therapist",
        "my counsellor thinks I'm doing better",
        "the psychiatrist was nice",
        "I want a professional photographer",
        "I need to talk to my boss",
        "mi psicóloga dice que necesito descansar",
        "tengo cita con el psicólogo",
        "necesito hablar con mi psicólogo",
        "mon psy m'a dit de sortir",
        "j'ai rendez-vous chez le psy",
        "meine Therapeutin sagt, ich soll schlafen",
        "ich habe einen Termin beim Therapeuten",
        "minha psicóloga disse oi",
        "preciso falar com meu psicólogo",
        "thanks for listening",
    ],
)
def test_a_professional_named_in_passing_or_already_theirs_is_no_such_wish(text: str) -> None:
    assert professional_language(text) is None


@pytest.mark.parametrize(
    ("text", "beside"),
    [
        (
            "is there a peer respite near me? i need to talk to someone",
            "is there a peer respite near me?",
        ),
        (
            "¿hay alguna línea de escucha? necesito hablar con alguien",
            "¿hay alguna linea de escucha?",
        ),
        (
            "i need to see a therapist, or is there a respite near me?",
            ", or is there a respite near me?",
        ),
        ("j'ai besoin de parler à quelqu'un, il y a un répit?", "j'ai , il y a un repit?"),
        ("ich muss mit jemandem reden", "ich muss"),
        ("preciso conversar com alguém sobre uma linha de apoio", "sobre uma linha de apoio"),
        ("I need to talk", ""),
        ("I need to talk to a therapist", ""),
        ("I need to talk. I really need to talk to you", "."),
    ],
)
def test_the_words_beside_a_plea_are_its_other_words_without_whom_it_names(
    text: str, beside: str
) -> None:
    """What else a plea asks for is read in its other words alone: "I need to talk (to
    someone)" and "I need to see a therapist" are taken out, every time they are said."""
    assert beside_the_plea(text) == beside


@given(st.text(max_size=60))
def test_words_with_no_plea_are_left_whole_but_folded(text: str) -> None:
    if plea_language(text) is None and professional_language(text) is None:
        assert beside_the_plea(text) == " ".join(fold(text).split())


def test_folding_drops_accents_and_evens_apostrophes_and_spaces() -> None:
    assert fold("  J’ai  besoin de parler à QUELQU’UN ") == "j'ai besoin de parler a quelqu'un"
    assert fold("Ich muß reden") == "ich muss reden"


def test_only_the_holder_may_act_on_a_claimed_request() -> None:
    held = request(status="claimed", claimed_by=PEER)
    require_holder(held, PEER, "transfer it")
    with pytest.raises(PermissionDeniedError) as refused:
        require_holder(held, PEER2, "ask for backup")
    assert refused.value.user_message == "Only the peer who holds this request can ask for backup."
    with pytest.raises(PermissionDeniedError):
        require_holder(request(), PEER, "transfer it")  # nobody holds an open request


def test_relay_transcript_names_the_member_you() -> None:
    entries = [("member", "hi", NOW), ("peer", "hello, I'm here", NOW)]
    assert relay_transcript(entries) == ["You: hi", "Peer: hello, I'm here"]


def test_thread_transcript_leaves_out_kindred_and_empty_messages() -> None:
    messages = [
        (999, True, "A peer is here with you."),
        (MEMBER, False, "hi"),
        (PEER, False, ""),
        (PEER, False, "hello"),
        (PEER2, False, "taking over"),
    ]
    assert thread_transcript(MEMBER, messages) == [
        "You: hi",
        "Peer: hello",
        "Peer: taking over",
    ]


def test_no_lines_no_transcript_messages() -> None:
    assert transcript_messages(7, []) == []


def test_transcript_messages_start_with_the_header_and_keep_lines_whole() -> None:
    lines = [f"You: line {i} " + "x" * 80 for i in range(60)]
    messages = transcript_messages(7, lines)
    assert messages[0].startswith("Your transcript of request #7:\n")
    assert len(messages) > 1
    assert all(len(m) <= 1900 for m in messages)
    assert "\n".join(messages).split("\n")[1:] == lines


def test_a_transcript_within_its_bound_is_sent_whole() -> None:
    lines = [f"You: line {i}" for i in range(600)]
    assert latest_lines(lines) == lines
    assert latest_lines([]) == []


def test_a_transcript_past_its_bound_keeps_its_latest_words_and_says_how_many_are_left_out():
    lines = [f"You: line {i:02d}" for i in range(20)]  # 14 characters, 15 with the newline
    kept = latest_lines(lines, budget=15 * 5)
    assert kept == [
        "This conversation was too long to send whole: its earliest 15 message(s) are left "
        "out. Here are its latest words.",
        *lines[-5:],
    ]
    french = latest_lines(lines, budget=15 * 5, lang="fr")
    assert french[0].startswith("Cette conversation était trop longue") and "15" in french[0]
    assert french[1:] == lines[-5:]


def test_a_thread_with_more_messages_than_were_read_says_earlier_ones_are_left_out() -> None:
    lines = ["You: hi", "Peer: hello"]
    assert latest_lines(lines, more_before=True) == [
        "This conversation was too long to send whole: its earliest messages are left out. "
        "Here are its latest words.",
        *lines,
    ]


def test_a_line_longer_than_a_message_goes_whole_over_several() -> None:
    messages = chunks("header", ["y" * 250, "short"], limit=100)
    assert messages == ["header", "y" * 100, "y" * 100, "y" * 50 + "\nshort"]
    words = "You: " + "I have been struggling a lot lately. " * 60 + "THE END"
    messages = transcript_messages(7, [words])
    assert all(len(m) <= 1900 for m in messages)
    assert "".join(messages[1:]) == words


def test_transcript_lines_are_labelled_in_the_members_language() -> None:
    """The labels are the member's language; the words themselves are never translated."""
    when = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [("member", "hola {x}", when), ("peer", "I'm here", when)]
    assert relay_transcript(entries, "es") == ["Tú: hola {x}", "Compañero de apoyo: I'm here"]
    assert relay_transcript(entries) == ["You: hola {x}", "Peer: I'm here"]
    messages = [(MEMBER, False, "merci"), (2, True, "Kindred"), (3, False, "je suis là")]
    assert thread_transcript(MEMBER, messages, "fr") == [
        "Toi : merci",
        "Équipe d'entraide : je suis là",
    ]


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_busiest_hours_are_read_by_the_zones_clock_on_each_date() -> None:
    """London's 09:00 is 09:00 UTC in winter and 08:00 UTC in summer: one bucket, not two;
    the night the clocks go forward, 01:30 UTC is 02:30 by London's clock."""
    london = zoneinfo.ZoneInfo("Europe/London")
    opened = [
        _utc(2026, 1, 10, 9, 5),
        _utc(2026, 7, 10, 8, 5),
        _utc(2026, 3, 29, 0, 30),  # 00:30 GMT
        _utc(2026, 3, 29, 1, 30),  # 02:30 BST (01:00-02:00 never happened)
        _utc(2026, 10, 25, 0, 30),  # 01:30 BST
        _utc(2026, 10, 25, 1, 30),  # 01:30 GMT, the second time round
    ]
    assert busiest_hours(opened, london, top=5) == [(1, 2), (9, 2), (0, 1), (2, 1)]
    assert busiest_hours(opened, zoneinfo.ZoneInfo("UTC"), top=2) == [(0, 2), (1, 2)]


def test_busiest_hours_split_an_hour_of_utc_in_a_half_hour_or_45_minute_zone() -> None:
    """12:10 and 12:40 UTC are one hour of UTC but 17:40 and 18:10 in Kolkata (+5:30); in
    Kathmandu (+5:45) 12:10 is 17:55 and 12:20 is 18:05."""
    opened = [_utc(2026, 11, 23, 12, 10), _utc(2026, 11, 23, 12, 40), _utc(2026, 11, 23, 12, 20)]
    kolkata = busiest_hours(opened, zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert kolkata == [(17, 2), (18, 1)]  # 17:40, 17:50; 18:10
    kathmandu = busiest_hours(opened, zoneinfo.ZoneInfo("Asia/Kathmandu"))
    assert kathmandu == [(18, 2), (17, 1)]  # 18:25, 18:05; 17:55
    assert busiest_hours(opened[:1] + opened[2:], zoneinfo.ZoneInfo("Asia/Kathmandu")) == [
        (17, 1),
        (18, 1),
    ]
    assert busiest_hours(opened, zoneinfo.ZoneInfo("UTC")) == [(12, 3)]


def test_busiest_hours_keep_the_top_three_most_first_earlier_on_a_tie() -> None:
    opened = [_utc(2026, 11, 23, h, 0) for h in (5, 3, 3, 9, 9, 1, 7)]
    assert busiest_hours(opened, zoneinfo.ZoneInfo("UTC")) == [(3, 2), (9, 2), (1, 1)]
    assert busiest_hours([], zoneinfo.ZoneInfo("UTC")) == []
