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


@pytest.mark.parametrize(
    "text",
    [
        "si je rate l'exam je me tue ce soir mdr",
        "i'm gonna kill myself tonight if this boss doesn't drop lol",
        "kill myself tonight jk",
        "kill myself tonight 💀",
        "je vais me tuer ce soir 😂",
        "me voy a matar esta noche jaja",
        "vou me matar hoje kkkk",
        "ich bringe mich heute nacht um xD",
        "ich werde mich heute nacht umbringen haha",
    ],
)
def test_a_plan_with_a_time_is_banter_sensitive(detector: Detector, text: str) -> None:
    """Lowered to tier 1 like "kms" (the model decides), and marked so that assess keeps
    the gentle check-in."""
    assert check(detector, text, C, 1).banter_plan


def test_a_plan_with_a_time_without_banter_stays_tier3(detector: Detector) -> None:
    for text in ("je me tue ce soir", "me voy a matar esta noche", "vou me matar hoje"):
        assert not check(detector, text, C, 3).banter_plan
    # gaming and school words lower "kms", never a plan: only laughter marks the joke
    for text in (
        "i'm gonna kill myself tonight if this boss doesn't drop",
        "i am going to kill myself tonight. we wiped on the raid boss again",
        "je vais me tuer ce soir, j'ai raté l'exam",
        "ich bringe mich heute nacht um. das spiel ist egal",
    ):
        assert not check(detector, text, C, 3).banter_plan


def test_harassment_and_reports(detector: Detector) -> None:
    check(detector, "kys", H)
    check(detector, "go kill yourself", H)
    # The bare French "crève !" is spelled like "crevé" (exhausted) once accents go: the
    # phrase engine leaves it to the model (tests/safety/test_assess.py checks the pair);
    # its unambiguous forms stay here.
    check(detector, "crève !", N)
    check(detector, "va crever", H)
    check(detector, "j'espère que tu vas crever", H)
    check(detector, "crève donc, sale rat", H)
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


# A plan with a time (tonight, today, tomorrow, now) is imminent in every language: a review
# found "ich werde mich heute nacht umbringen" matched nothing and "me voy a matar esta
# noche" / "je vais me tuer ce soir" only tier-2 entries (2026-12-02).
PLANS_WITH_A_TIME = [
    ("ich werde mich heute nacht umbringen", "de.self.tonight"),
    ("ich werde mich heute umbringen", "de.self.tonight"),
    ("ich werd mich morgen umbringen", "de.self.tonight"),
    ("ich bringe mich heute um", "de.self.tonight"),
    ("ich bring mich heut nacht um", "de.self.tonight"),
    ("ich bringe mich gleich um", "de.self.tonight"),
    ("ich werde mich jetzt umbringen", "de.self.tonight"),
    ("ich werde mich jetz umbringen", "de.self.tonight"),  # typo
    ("Heute Abend bringe ich mich um.", "de.self.tonight"),
    ("ich will mich heute nacht umbringen", "de.self.tonight"),
    ("me voy a matar esta noche", "es.self.tonight"),
    ("me boy a matar esta noche", "es.self.tonight"),  # b/v
    ("voy a matarme hoy", "es.self.tonight"),
    ("me voy a suicidar mañana", "es.self.tonight"),
    ("hoy me voy a matar", "es.self.tonight"),
    ("me mato esta noche", "es.self.tonight"),
    ("je vais me tuer ce soir", "fr.self.tonight"),
    ("jvais me tuer ce soir", "fr.self.tonight"),
    ("je vais me tue cette nuit", "fr.self.tonight"),  # tuer -> tue
    ("je vais me suicider demain", "fr.self.tonight"),
    ("je me tue ce soir", "fr.self.tonight"),
    ("ce soir je vais me tuer", "fr.self.tonight"),
    ("je vais me tuer aujourd'hui", "fr.self.tonight"),
    ("vou me matar hoje à noite", "pt.self.tonight"),
    ("vou me matar hoje a noite", "pt.self.tonight"),
    ("vou me matar hj", "pt.self.tonight"),
    ("vo me matar amanhã", "pt.self.tonight"),
    ("hoje eu vou me matar", "pt.self.tonight"),
    ("vou me suicidar essa noite", "pt.self.tonight"),
    ("i'm going to kill myself tonight", "en.self.tonight"),
    ("im gonna kill myself tonite", "en.self.tonight"),
    ("i'm going to kill myself tomorrow", "en.self.tonight"),
    ("gonna unalive myself tmrw", "en.self.tonight"),
]


@pytest.mark.parametrize(("text", "phrase_id"), PLANS_WITH_A_TIME)
def test_a_plan_with_a_time_is_a_tier3_phrase_hit_in_its_language(
    detector: Detector, text: str, phrase_id: str
) -> None:
    assert check(detector, text, C, 3).phrase_ids == (phrase_id,)


def test_a_plan_with_a_time_holds_in_a_longer_message(detector: Detector) -> None:
    text = "ich werde mich heute nacht umbringen. wir haben gestern den raid geschafft"
    assert check(detector, text, C, 3).phrase_ids == ("de.self.tonight",)


@pytest.mark.parametrize(
    ("text", "label", "tier"),
    [
        # negations: lowered to tier 1 (a soft check-in) or no plan matched at all
        ("no me voy a matar esta noche", C, 1),
        ("nunca me voy a matar hoy", C, 1),
        ("não vou me matar hoje", C, 1),
        ("i'm not going to kill myself tonight", C, 1),
        ("ich werde mich heute nacht nicht umbringen", N, 0),
        ("ich bringe mich heute nicht um", N, 0),
        ("je vais pas me tuer ce soir", N, 0),
        ("je ne vais pas me tuer ce soir", N, 0),
        # hypotheticals without the plan's words ("wenn ... umbringe", "würde")
        ("wenn ich mich heute umbringe, merkt es keiner", N, 0),
        # someone else's plan: worry about them
        ("er will sich heute nacht umbringen", OTHER, 0),
        ("ella se va a matar esta noche", OTHER, 0),
        ("il va se tuer ce soir", OTHER, 0),
        ("ela vai se matar hoje", OTHER, 0),
        ("my friend said she's going to kill herself tonight", OTHER, 0),
        # reported words aimed at the writer never read as the writer's plan
        ("mir wurde gesagt, ich soll mich heute noch umbringen", N, 0),
        ("er hat mir gesagt ich soll mich heute umbringen", N, 0),
        ("me dijeron que me matara esta noche", D, 0),
        ("on m'a dit d'aller me tuer ce soir", D, 0),
        # idioms of hard work keep away from the plan ("me mato en el gimnasio")
        ("hoy me mato en el gimnasio", N, 0),
        ("je me tue au travail demain", N, 0),
    ],
)
def test_plans_with_a_time_keep_the_engines_rules(
    detector: Detector, text: str, label: Label, tier: int
) -> None:
    check(detector, text, label, tier)


@pytest.mark.parametrize(
    "text",
    [
        # "told (me) to go", "someone said to go", "was told to" before kys-type words
        "got told to go k!ll myself in my dms",
        "got told to go kill myself in my dms",
        "i was told to kill myself",
        "was told to kys by some random",
        "someone said to go kys",
        "he told me to go and kill myself",
        "they keep telling me to go kill myself",
        "i've been told to unalive myself twice today",
        # the same in Spanish, French, German, Portuguese
        "me dijeron que me matara",
        "me dijo que me suicidara",
        "me dicen que me mate",
        "on m'a dit d'aller me tuer",
        "ils m'ont dit de me tuer",
        "ils m'ont dit de me suicider",
        "mir wurde gesagt ich soll mich umbringen",
        "mir wurde gesagt, ich soll mich umbringen",
        "er meinte, ich soll mich umbringen",
        "sie haben mir geschrieben, dass ich mich umbringen soll",
        "me mandaram me matar",
        "me mandaram ir se matar",
        "me disseram pra eu me matar",
        "me mandaram um vai se matar no privado",
    ],
)
def test_words_others_told_the_writer_are_harassment_received_not_their_crisis(
    detector: Detector, text: str
) -> None:
    check(detector, text, D)


def test_being_told_does_not_hide_the_writers_own_crisis(detector: Detector) -> None:
    # the cue must sit right before the words; the writer's own plan elsewhere stays theirs
    check(detector, "i was told to rest. i'm going to kill myself tonight", C, 3)
    check(detector, "me dijeron que descansara. me voy a matar esta noche", C, 3)
    check(detector, "mir wurde gesagt ich soll schlafen. ich bringe mich heute um", C, 3)
    check(detector, "i told my therapist i want to kill myself", C, 2)


@pytest.mark.parametrize(
    ("text", "tier", "phrase"),
    [
        # joining the spaced word to its neighbours makes a doubled letter ("want" + "to"),
        # which the space-less keys had squeezed: these matched nothing before
        ("i w a n t to disappear permanently", 1, "en.self.disappear"),
        ("i w a n n a k1ll mys3lf", 2, "en.self.kill_myself"),
    ],
)
def test_spaced_letters_match_keys_whose_joined_words_double_a_letter(
    detector: Detector, text: str, tier: int, phrase: str | None
) -> None:
    got = detector.detect(text)
    assert got.label is C and got.tier >= tier, (text, got)
    if phrase:
        assert phrase in got.phrase_ids


def test_the_space_less_pass_stays_off_ordinary_spaced_chat(detector: Detector) -> None:
    for text in ("g g well played", "b r b making tea", "o k see you tomorrow", "l o l same"):
        assert detector.detect(text).label is N, text


@pytest.mark.parametrize(
    "text",
    [
        "3 years free from self harm today 🌱",
        "Three years since I last had suicidal thoughts.",
        "6 months clean from self harm today 🎉",
        "Hace dos años que no tengo pensamientos suicidas.",
        "seit zwei Jahren keine Suizidgedanken mehr",
        "Faz mais de dois anos que não tenho pensamentos suicidas",
    ],
)
def test_a_milestone_told_is_not_a_crisis_phrase(detector: Detector, text: str) -> None:
    # the recovery cue ends just before the crisis words, in the same clause
    result = detector.detect(text)
    assert result.label is not Label.CRISIS_SELF, text
    assert result.label is Label.DISTRESS and result.milestone, text


@pytest.mark.parametrize(
    "text",
    [
        # a relapse cue in the same clause keeps the crisis phrase
        "relapsed yesterday after 6 months clean from self harm",
        "3 years free from self harm and i want to kill myself again",
        "hace un año sin pensamientos suicidas y otra vez quiero matarme",
        # the cue is in another clause: the crisis words stand
        "2 years since my last relapse. i want to kill myself",
        "6 months clean, but i want to kill myself",
        # too far from the crisis words to be about them
        "years since we talked about the weather and the news and i want to kill myself",
        # no cue at all
        "i want to kill myself",
    ],
)
def test_risk_beside_a_milestone_stays_crisis(detector: Detector, text: str) -> None:
    result = detector.detect(text)
    assert result.label is Label.CRISIS_SELF and not result.milestone, text


def test_a_milestone_beside_worry_or_distress_is_no_milestone(detector: Detector) -> None:
    """Only a message whose every hit is the milestone's is one: worry about a friend or
    distress of the writer's own beside it keeps every score it had."""
    result = detector.detect("6 months clean from self harm today, but my friend wants to die")
    assert result.label is Label.CONCERN_OTHER and not result.milestone
    # nor distress of the writer's own beside it: the model's crisis score still counts
    result = detector.detect("6 months clean from self harm today but i feel so alone lately")
    assert result.label is Label.DISTRESS and not result.milestone
