"""The labels of buttons sent privately (a member's relay DM and feedback question, a peer's
hand-off DM) and the transcript's header, in each language; English exactly as before."""

from __future__ import annotations

import re

import pytest

from bot.services.peers import messages as peers
from bot.services.requests import notices, transcript_messages

LANGS = ("en", "es", "fr", "de", "pt")


@pytest.mark.parametrize("lang", LANGS)
def test_private_button_labels_fit_discord_and_differ(lang: str) -> None:
    for labels in (
        notices.feedback_button_labels(lang),
        notices.conversation_button_labels(lang),
        peers.handoff_button_labels(lang),
    ):
        assert all(0 < len(label) <= 80 for label in labels.values()), labels
        assert len(set(labels.values())) == len(labels), labels


def test_english_labels_are_unchanged() -> None:
    assert notices.feedback_button_labels("en") == {
        "helped": "It helped",
        "somewhat": "Somewhat",
        "not_really": "Not really",
    }
    assert notices.conversation_button_labels() == {
        "close": "Close",
        "transcript": "Send me a transcript",
    }
    assert peers.handoff_button_labels() == {"keep": "Keep them", "give": "Hand them off"}


@pytest.mark.parametrize("lang", [x for x in LANGS if x != "en"])
def test_private_labels_and_the_transcript_header_are_translated(lang: str) -> None:
    assert notices.feedback_button_labels(lang) != notices.feedback_button_labels("en")
    assert notices.conversation_button_labels(lang) != notices.conversation_button_labels("en")
    assert peers.handoff_button_labels(lang) != peers.handoff_button_labels("en")
    header = transcript_messages(7, ["You: hello"], lang)[0].splitlines()[0]
    assert "#7" in header and header != "Your transcript of request #7:"


def test_the_transcript_header_in_english_and_spanish() -> None:
    assert transcript_messages(7, ["You: hello"]) == ["Your transcript of request #7:\nYou: hello"]
    assert transcript_messages(7, ["You: hello"], "es")[0].startswith(
        "Tu transcripción de la solicitud #7:\n"
    )


def test_the_end_of_duty_dm_in_whole_sentences() -> None:
    assert peers.duty_ended_text(True, 0) == "Your shift has ended. Thank you."
    assert peers.duty_ended_text(False, 2) == (
        "Your time on duty has ended. Thank you. You hold 2 open request(s). Keep them, or "
        "hand them to the next on-duty peer?"
    )
    assert peers.duty_ended_text(False, 0, "pt") == "Seu tempo de plantão terminou. Obrigado."


@pytest.mark.parametrize("lang", LANGS)
def test_a_shift_line_names_the_weekday_in_the_readers_language(lang: str) -> None:
    line = peers.shift_line(3, 0, "09:00", "10:00", "Europe/Paris", lang)
    day = {"en": "Monday", "es": "lunes", "fr": "lundi", "de": "Montag", "pt": "segunda-feira"}
    assert line == f"#3 {day[lang]} 09:00–10:00 (Europe/Paris)"


def test_the_shift_dms_name_the_server_in_whole_sentences() -> None:
    """A peer in several servers reads which one; without the name (Discord couldn't say) the
    DM reads as before."""
    assert peers.shift_reminder_text("en", "Haven") == (
        "Your peer-support shift in Haven starts in 10 minutes."
    )
    assert peers.shift_started_text("<t:1:t>", "es", "Haven") == (
        "Tu turno en Haven ha empezado: estás de guardia hasta las <t:1:t>."
    )
    assert peers.shift_started_text(None, "en", "Haven") == (
        "Your shift has started in Haven. You're on duty until you go off duty."
    )
    assert peers.duty_ended_text(True, 1, "fr", "Haven") == (
        "Ton créneau sur Haven est terminé. Merci. Tu as 1 demande(s) ouverte(s). Les garder, "
        "ou les confier à la prochaine personne en service ?"
    )
    assert peers.duty_ended_text(False, 0, "de", "Haven") == (
        "Deine Zeit im Dienst in Haven ist zu Ende. Danke."
    )
    assert peers.shift_reminder_text("pt") == "Seu turno de apoio começa em 10 minutos."


@pytest.mark.parametrize("lang", LANGS)
def test_a_shared_threads_buttons_say_the_members_words_then_the_english(lang: str) -> None:
    labels = notices.shared_button_labels(lang)
    english = notices.conversation_button_labels("en")
    assert all(0 < len(label) <= 80 for label in labels.values()), labels
    if lang == "en":
        assert labels == english
    else:
        mine = notices.conversation_button_labels(lang)
        assert labels == {a: f"{mine[a]} · {english[a]}" for a in english}, labels


def test_a_shared_threads_label_past_discords_limit_keeps_the_members_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = "x" * 75
    real = notices.conversation_button_labels
    monkeypatch.setattr(
        notices,
        "conversation_button_labels",
        lambda lang="en": real("en") if lang == "en" else {"close": long, "transcript": "T"},
    )
    labels = notices.shared_button_labels("fr")
    assert labels == {"close": long, "transcript": "T · Send me a transcript"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_shared_threads_lines_are_the_members_language_then_the_english(lang: str) -> None:
    english = (
        notices.thread_welcome_text("<@1>", "<@2>"),
        notices.thread_closed_text(),
        notices.thread_handover_text("<@3>", "<@2>"),
        notices.thread_retired_text(),
    )
    assert english == (
        "<@1>, <@2> is here with you. This thread is private: only the two of you (and the "
        "moderators who run this server) can see it. Either of you can close it with the "
        "button or `/support action:close`.",
        "This conversation is closed. Take care.",
        "<@3> is taking over from <@2>.",
        "The peer in this conversation can't continue, so the request is back in the queue. "
        "Another peer will pick it up in a new private thread.",
    )
    shared = (
        notices.thread_welcome_text("<@1>", "<@2>", lang),
        notices.thread_closed_text(lang),
        notices.thread_handover_text("<@3>", "<@2>", lang),
        notices.thread_retired_text(lang),
    )
    if lang == "en":
        assert shared == english
        return
    for text, en in zip(shared, english, strict=True):
        first, second = text.split("\n")
        assert second == f"-# {en}" and first != en, text
        assert all(m in first for m in re.findall(r"<@\d+>", en)), text
