from __future__ import annotations

import pytest

from bot.safety.detector import Detection, Detector, Label, PhraseListError

C, OTHER, H, D, N = (
    Label.CRISIS_SELF,
    Label.CONCERN_OTHER,
    Label.HARASSMENT,
    Label.DISTRESS,
    Label.NONE,
)


def check(detector: Detector, text: str, label: Label, tier: int = 0) -> Detection:
    got = detector.detect(text)
    assert (got.label, got.tier) == (label, tier), (text, got)
    return got


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("wish I could disappear", 1),
        ("I don't want to wake up", 1),
        ("I want to kill myself", 2),
        ("kms", 2),
        ("this is my goodbye", 3),
        ("I took something", 3),
        ("tonight is the night I end it", 3),
    ],
)
def test_tiers(detector: Detector, text: str, tier: int) -> None:
    got = check(detector, text, C, tier)
    assert got.phrase_ids and all(p.startswith("en.self.") for p in got.phrase_ids)


def test_phrase_ids_are_stable(detector: Detector) -> None:
    assert detector.detect("i want to kill myself").phrase_ids == ("en.self.kill_myself",)


@pytest.mark.parametrize(
    "text",
    [
        "my friend wants to die",
        "my brother said he wants to kill himself",
        "she keeps talking about suicide",
        "my friend said she want to die",  # typo, person-neutral phrase + subject
        "mein bruder sagt er will sterben",
    ],
)
def test_third_person_is_concern(detector: Detector, text: str) -> None:
    check(detector, text, OTHER)


def test_first_person_after_third_person(detector: Detector) -> None:
    check(detector, "my mom doesn't know i want to die", C, 2)
    check(detector, "he makes me want to die", C, 2)


def test_negation_lowers_but_does_not_silence(detector: Detector) -> None:
    check(detector, "I'm not going to kill myself, I just want the pain to stop", C, 1)
    check(detector, "I would never kill myself", C, 1)
    check(detector, "je ne vais pas me suicider", C, 1)
    # "why not" is not a negation
    check(detector, "why not just kill myself", C, 2)


def test_media_talk_is_not_concern(detector: Detector) -> None:
    check(detector, "the villain kills himself in the last episode", N)


@pytest.mark.parametrize(
    "text",
    [
        "killing it today",
        "dying to see the trailer",
        "i died laughing",
        "I'm dead 💀",
        "just kill the process",
        "kill -9 1234",
        "my battery died",
        "my phone is dead",
        "watched Suicide Squad",
        "suicide squeeze bunt",
        "I died to the boss",
        "this boss fight is killing me",
        "kill me now lol this lag",
        "the raid wiped us",
        "deadline tomorrow",
        "dead tired",
        "this cake is to die for",
        "I could kill for a coffee",
        "bored to death",
        "you scared me to death",
        "die Katze schläft",
        "me muero de hambre",
        "me muero de risa",
        "mourir de rire",
        "morrendo de rir",
        "ich bin todmüde",
        "i want to die my hair pink",
        "killing myself laughing at this",
        # French "crevé(e)" (exhausted), "la crève" (a cold), "crever" (to puncture): after
        # accents go they spell the insult "crève !"
        "je suis crevé",
        "chui crevée après le taf",
        "trop crevé ce soir",
        "j'ai la crève",
        "j'ai chopé la crève",
        "pneu crevé sur l'autoroute",
        "le ballon a crevé",
        "je crève de faim",
        "on crève de chaud ici",
    ],
)
def test_idioms_and_hard_negatives(detector: Detector, text: str) -> None:
    check(detector, text, N)


def test_idiom_never_masks_a_separate_phrase(detector: Detector) -> None:
    check(detector, "i died laughing earlier but honestly i want to die", C, 2)
    check(detector, "kill me now lol this lag. but for real i want to kill myself", C, 2)
    check(detector, "me muero de risa pero la verdad quiero morir", C, 2)


def test_banter(detector: Detector) -> None:
    check(detector, "kill me now", C, 1)
    check(detector, "kill me now lol this lag", N)
    check(detector, "died to the boss again kms lol", C, 1)


def test_harassment_and_reports(detector: Detector) -> None:
    check(detector, "kys", H)
    check(detector, "go kill yourself", H)
    check(detector, "crève !", H)  # the French idioms above leave the insult alone
    check(detector, "va crever", H)
    check(detector, "je suis crevé mais toi crève", H)
    check(detector, "go die", H)
    check(detector, "i want to kys", C, 2)  # misuse of kys about oneself
    check(detector, "my friend told me to kys", D)  # reported: the writer is the target
    check(detector, "people keep telling me to kill myself", D)


def test_distress(detector: Detector) -> None:
    for text in (
        "I can't cope anymore",
        "everything is falling apart",
        "I feel so alone",
        "having a panic attack",
        "I'm not ok",
        "ich kann nicht mehr",
    ):
        check(detector, text, D)


def test_precedence(detector: Detector) -> None:
    # crisis beats everything, highest tier wins
    check(detector, "i feel so alone and i want to die. this is my goodbye", C, 3)
    # concern beats harassment and distress
    check(detector, "kys lol. but seriously my friend wants to die and i feel so alone", OTHER)
    check(detector, "i feel so alone. kys", H)


def test_markdown(detector: Detector) -> None:
    check(detector, "||i want to die||", C, 2)
    check(detector, "> i want to die\nthat's the song lyric", N)
    check(detector, "```\nkill(pid)\n```", N)
    check(detector, "> kys\nreported him", N)


def test_multilingual(detector: Detector) -> None:
    for text in (
        "quiero morir",
        "me quiero matar",
        "je veux mourir",
        "je vais me suicider",
        "ich will sterben",
        "ich bring mich um",
        "quero morrer",
        "vou me matar",
        "suicídio não, quero morrer",
    ):
        assert detector.detect(text).label is C, text


@pytest.mark.parametrize("text", ["", " ", "\x00", "💀" * 5000, "a" * 100_000, "||" * 3000])
def test_never_raises_on_odd_input(detector: Detector, text: str) -> None:
    assert isinstance(detector.detect(text), Detection)


def test_detect_many(detector: Detector) -> None:
    got = detector.detect_many(["kms", "gg"])
    assert [d.label for d in got] == [C, N]


def test_detection_validates_tier() -> None:
    with pytest.raises(ValueError):
        Detection(Label.CRISIS_SELF, 0)
    with pytest.raises(ValueError):
        Detection(Label.DISTRESS, 2)


def test_default_is_cached() -> None:
    assert Detector.default() is Detector.default()


def test_bad_phrase_files(tmp_path) -> None:
    (tmp_path / "xx.toml").write_text(
        '[[phrase]]\nid = "x"\nlabel = "crisis_self"\ntier = 7\npatterns = ["a b"]\n'
    )
    with pytest.raises(PhraseListError):
        Detector.from_directory(tmp_path)
    with pytest.raises(PhraseListError):
        Detector.from_directory(tmp_path / "missing")


def test_custom_directory(tmp_path) -> None:
    (tmp_path / "xx.toml").write_text(
        '[markers]\nnegators = ["not"]\n[[phrase]]\nid = "xx.t"\nlabel = "distress"\n'
        'patterns = ["rainy day"]\n'
    )
    det = Detector.from_directory(tmp_path)
    assert det.detect("such a RAINY day").phrase_ids == ("xx.t",)
