"""Which direct messages ask for something, per language: a plea to talk, a wish to see a
professional, a bare call for help or hello. No database, no Discord.

Shared by the support requests (a plea is offered the request form, a wish for a professional
an honest answer) and the safety service (which leaves those DMs to Support: one reply, not
two), so neither service depends on the other.
"""

from __future__ import annotations

import re

from bot.text import fold

# A plea to talk, per language, matched against ``fold(text)`` (lower case, no accents, one
# kind of apostrophe, single spaces), so "quelqu'un", "quelqu’un" and "quelquun" are one. The
# same reach in every language: a wish to talk or for help or support, or to talk to someone,
# or "is anyone there?"; never just the words "talk" or "help" ("thanks for the help", "talking
# points"), and never a wish to talk to someone named: "I need to talk" followed at once by "to"
# or "with" is a plea only when whom is someone / anyone / a person / a peer / a human / you
# ("I need to talk to my boss", "necesito hablar con mi jefe" are not).
_NECESITO = r"(?:ne[cs]e[cs]it(?:o|aba)|preciso)"  # informal spellings: nesesito, nececito
_PRECISO = r"(?:pre[cs]i[sz](?:o|ava|ando))"  # preciso, presiso, precizo, precisando
_QUELQUUN = r"(?:quelqu'? ?un|qqn|qq1)"
_ASKED = r"(?= ?(?:[?!.]|$))"  # a question that ends there: "is anyone there?"


def _not_to_a_third_party(words: str, someone: str) -> str:
    """After a verb of talking: no ``words`` ("to", "with") naming anyone but ``someone``."""
    return rf"(?! (?:{words}) (?!(?:{someone})\b))"


# Whom a plea may name: anyone at all, never someone in particular.
_SOMEONE = {
    "en": r"someone|somebody|anyone|anybody|some ?1|a (?:real )?(?:person|human|peer)"
    r"|a supporter|a listener|people",
    "es": r"algui?en|una persona|un (?:ser )?humano|un companero|una companera|gente",
    "fr": rf"{_QUELQUUN}|une (?:vraie )?personne|un (?:etre )?humain|un pair|des gens",
    "de": r"jemandem|jemanden|jemand|jmd|jmdm|wem|einem menschen|einer person",
    "pt": r"alguem|algm|alguen|uma pessoa|um (?:ser )?humano",
}
# ... or Kindred itself, after "I need to talk" ("talk to you later" alone is no plea).
_YOU = {"en": "you|u", "es": "usted|ustedes", "fr": "toi|vous", "de": "dir|euch", "pt": "voce|vc"}
_ONLY = {
    lang: _not_to_a_third_party(words, f"{_SOMEONE[lang]}|{_YOU[lang]}")
    for lang, words in {
        "en": "to|with",
        "es": "con|al",
        "fr": "a|avec|au|aux",
        "de": "mit",
        "pt": "com",
    }.items()
}
INTAKE_PLEAS: dict[str, re.Pattern[str]] = {
    "es": re.compile(
        rf"\b(?:{_NECESITO} (?:hablar|ablar|charlar|desahogarme){_ONLY['es']}"
        rf"|{_NECESITO} (?:algo de |un poco de )?(?:ayuda|apoyo)"
        rf"|(?:hablar|ablar|charlar) con (?:{_SOMEONE['es']})"
        r"|algui?en con quien hablar"
        rf"|hay algui?en(?: (?:ahi|aqui|ahi afuera))?{_ASKED}"
        r"|(?:ayuda|apoyo) (?:por favor|porfa|porfavor|pls|plz))\b"
    ),
    "fr": re.compile(
        rf"\b(?:besoin de (?:parler|causer|discuter|me confier){_ONLY['fr']}"
        rf"|(?:je dois|faut que je) (?:parler|causer|discuter|me confier|parle|cause|discute"
        rf"|me confie){_ONLY['fr']}"
        r"|besoin (?:d'? ?|de )(?:aide|soutien)"
        rf"|(?:parler|causer|discuter) (?:a|avec) (?:{_SOMEONE['fr']})"
        rf"|{_QUELQUUN} (?:a qui|avec qui) parler"
        rf"|(?:il )?y a {_QUELQUUN}(?: (?:la|ici))?{_ASKED}"
        r"|(?:aide|soutien) (?:svp|stp|s'il (?:te|vous) plait))\b"
    ),
    "de": re.compile(
        r"\b(?:ich (?:muss|mus) (?:(?:mal|einfach|dringend|unbedingt|jetzt) )*(?:reden|sprechen)"
        rf"{_ONLY['de']}"
        r"|mit (?:jemandem|jemanden|jemand|jmd|jmdm|einem menschen|einer person)"
        r" (?:reden|sprechen|quatschen)"
        r"|(?:jemanden|jemand|jmd) zum (?:reden|sprechen|zuhoren|zuhoeren)"
        rf"|ist (?:da (?:jemand|wer)|(?:jemand|wer) da){_ASKED}"
        r"|(?:brauche|brauch) (?:(?:etwas|dringend) )?(?:hilfe|unterstutzung|unterstuetzung)"
        r"|(?:hilfe|unterstutzung|unterstuetzung) bitte)\b"
    ),
    "pt": re.compile(
        rf"\b(?:{_PRECISO} (?:de )?(?:falar|conversar|desabafar){_ONLY['pt']}"
        rf"|{_PRECISO} (?:de )?(?:uma )?(?:ajuda|apoio)"
        rf"|(?:falar|conversar|desabafar) com (?:{_SOMEONE['pt']})"
        r"|(?:alguem|algm) (?:para|pra) (?:conversar|falar|desabafar)"
        rf"|(?:tem|ha) (?:alguem|algm)(?: (?:ai|aqui|on))?{_ASKED}"
        r"|(?:ajuda|apoio) (?:por favor|pfv|pfvr|pf))\b"
    ),
    "en": re.compile(
        r"\b(?:i (?:really |just )?(?:need|needa) (?:to |2 )?(?:talk|speak)"
        rf"{_ONLY['en']}"
        r"|need (?:some )?(?:help|support)"
        rf"|(?:talk|speak) (?:to|with) (?:{_SOMEONE['en']})"
        r"|(?:someone|somebody|anyone) to talk to"
        rf"|(?:can|could|may) (?:i|we) (?:please )?(?:talk|speak){_ASKED}"
        rf"|(?:is )?(?:anyone|anybody|someone|somebody) (?:out )?there{_ASKED}"
        r"|support (?:please|pls|plz))\b"
    ),
}
# A wish to see a professional (a therapist, counsellor, psychologist, psychiatrist), after the
# same lead-ins as a plea ("I need/want to talk to", "to see", "necesito hablar con", "j'ai
# besoin de voir", "ich muss mit ... reden", "preciso falar com"), and only someone not yet
# theirs ("a", "un", "einem"): "my therapist said hi" or "I have a therapist appointment" are
# no such wish. Kindred can't connect anyone with one; it says so and offers a peer.
_PRO = {
    "en": r"(?:(?:a |an )?(?:(?:licensed|real) )?(?:therapist|counsell?or|psychologist"
    r"|psychiatrist|psychotherapist|shrink)s?|(?:a )?mental health professional|professional help)",
    "es": r"(?:(?:un|una|al|algun) (?:psicologo|psicologa|terapeuta|psiquiatra|psicoterapeuta"
    r"|consejero|consejera|orientador|orientadora))",
    "fr": r"(?:psy|therapeute|psychologue|psychiatre|psychotherapeute|conseiller|conseillere)",
    "pt": r"(?:(?:um|uma|ao|num|numa) (?:psicologo|psicologa|terapeuta|psiquiatra"
    r"|psicoterapeuta|conselheiro|conselheira))",
}
_DE_PRO_DAT = (
    r"(?:einem (?:therapeuten|psychotherapeuten|psychologen|psychiater|berater)"
    r"|einer (?:therapeutin|psychotherapeutin|psychologin|psychiaterin|beraterin))"
)
_DE_PRO_ACC = (
    r"(?:einen (?:therapeuten|psychotherapeuten|psychologen|psychiater|berater)"
    r"|eine (?:therapeutin|psychotherapeutin|psychologin|psychiaterin|beraterin|therapie))"
)
_DE_WANT = r"ich (?:muss|mus|will|mochte|moechte|wurde gern|wuerde gern|wurde gerne|wuerde gerne)"
_DE_FILL = r"(?:(?:mal|einfach|dringend|unbedingt|jetzt|gern|gerne|bitte) )*"
PROFESSIONAL_ASKS: dict[str, re.Pattern[str]] = {
    "es": re.compile(
        rf"\b(?:{_NECESITO}|quiero|quisiera) (?:(?:hablar|ablar|charlar) con|ver a|ir a|ir)? ?"
        rf"{_PRO['es']}\b"
    ),
    "fr": re.compile(
        r"\b(?:(?:besoin|envie) de|je dois|faut que je|je veux|je voudrais|j'aimerais)"
        r" (?:(?:parler|causer|discuter|parle|cause|discute) (?:a|avec) |voir |consulter )?"
        rf"(?:un|une) {_PRO['fr']}\b"
        rf"|\bbesoin d'? ?(?:un|une) {_PRO['fr']}\b"
    ),
    "de": re.compile(
        rf"\b(?:{_DE_WANT} {_DE_FILL}mit {_DE_PRO_DAT} (?:reden|sprechen)"
        rf"|{_DE_WANT} {_DE_FILL}(?:reden|sprechen) mit {_DE_PRO_DAT}"
        rf"|{_DE_WANT} {_DE_FILL}zu {_DE_PRO_DAT}"
        rf"|ich (?:brauche|brauch) {_DE_FILL}{_DE_PRO_ACC})\b"
    ),
    "pt": re.compile(
        rf"\b(?:{_PRECISO}|quero|queria|gostaria) (?:de )?"
        rf"(?:(?:falar|conversar|desabafar) com |ver |ir (?:a |em )?|ir )?{_PRO['pt']}\b"
    ),
    "en": re.compile(
        r"\bi (?:really |just |think i |kind of |kinda )?(?:need|needa|want|wanna|would like"
        r"|'d like|d like) (?:to |2 )?(?:(?:talk|speak) (?:to|with) |see |get |find )?"
        rf"{_PRO['en']}\b"
        rf"|\b(?:can|could|may) i (?:please )?(?:(?:talk|speak) (?:to|with)|see) {_PRO['en']}\b"
    ),
}
# A DM that is only a call for help or a greeting ("help", "hello", "/support" typed as
# text) or a short question about what Kindred is or does ("what is this bot?", "who are
# you", "qué es esto", "c'est quoi ce bot", "was bist du", "o que é isso"), per language: the
# whole folded message, its punctuation dropped, is one or more of these words. Anything else
# outside a request (a message meant for someone else, "my therapist said hi") is left alone.
_HELP_WORDS = {
    "en": r"hi|hello|hey|hiya|yo|help|help me|please help|please help me|can you help"
    r"|can you help me|sos|support|/support|/help|/crisis|anyone there|is anyone there"
    r"|are you there|how does this work",
    "es": r"hola|ayuda|ayudame|necesito ayuda|socorro|apoyo|hay alguien|buenas",
    "fr": r"salut|bonjour|bonsoir|coucou|aide|aide moi|aidez moi|a l'aide|au secours"
    r"|j'ai besoin d'aide|il y a quelqu'un",
    "de": r"hallo|hilfe|hilf mir|ich brauche hilfe|ist da jemand|guten tag|servus",
    "pt": r"oi|ola|ajuda|me ajuda|ajuda me|preciso de ajuda|tem alguem ai",
}
_ABOUT_WORDS = {
    "en": r"what is this|what's this|whats this|what is this bot|what is kindred|who are you"
    r"|what are you|who is this|what do you do|what can you do|what does this bot do"
    r"|what does this do|what is this for|what are you for|how do you work",
    "es": r"que es esto|que es eso|que es este bot|que es kindred|quien eres|que eres"
    r"|quien es|que haces|que puedes hacer|que hace este bot|para que sirves|para que sirve esto"
    r"|para que sirve este bot",
    "fr": r"c'est quoi|c'est quoi ca|c'est quoi ce bot|c'est quoi kindred|qu'est ce que c'est"
    r"|qu'est ce que c'est que ce bot|t'es qui|tu es qui|qui es tu|qui etes vous|tu es quoi"
    r"|tu fais quoi|que fais tu|qu'est ce que tu fais|a quoi tu sers|a quoi sert ce bot",
    "de": r"was ist das|was ist das hier|was ist das fur ein bot|was ist kindred|was bist du"
    r"|wer bist du|wer ist das|was machst du|was kannst du|was macht dieser bot|wozu bist du da"
    r"|was ist das fur ein ding",
    "pt": r"o que e isso|o que e isto|o que e esse bot|o que e este bot|o que e kindred"
    r"|quem e voce|quem es tu|quem e vc|o que voce e|o que vc e|o que voce faz|o que vc faz"
    r"|pra que serve isso|para que serve isso|pra que serve esse bot",
}
_HELP_EXTRA = r"kindred|bot|there|please|por favor|s'il te plait|s'il vous plait|bitte"
HELP_ASKS = {
    lang: re.compile(rf"^(?:{words})(?: (?:{words}|{_HELP_EXTRA}))*$")
    for lang, words in ((lang, f"{w}|{_ABOUT_WORDS[lang]}") for lang, w in _HELP_WORDS.items())
}


def plea_language(text: str) -> str | None:
    """The language of a DM like "I need to talk" ("necesito hablar", "j'ai besoin de
    parler", "ich muss reden", "preciso falar"), or None when it is not one."""
    return _language_of(INTAKE_PLEAS, text)


def professional_language(text: str) -> str | None:
    """The language of a DM asking to see a professional ("I need to talk to a therapist",
    "necesito ver a un psicólogo", "j'ai besoin d'un psy", "ich muss mit einem Therapeuten
    reden", "preciso falar com um psicólogo"), or None when it is not one."""
    return _language_of(PROFESSIONAL_ASKS, text)


def help_language(text: str) -> str | None:
    """The language of a DM that only asks for help, says hello ("help", "hello?",
    "/support", "ayuda", "bonjour", "Hilfe!", "oi") or asks what Kindred is or does ("what is
    this bot?", "who are you", "qué es esto", "c'est quoi ce bot", "was bist du", "o que é
    isso"), or None when it says anything else."""
    words = re.sub(r"[^\w/' ]+", " ", fold(text)).split()
    return _language_of(HELP_ASKS, " ".join(words))


def _language_of(patterns: dict[str, re.Pattern[str]], text: str) -> str | None:
    """The first language whose pattern the folded text matches."""
    folded = fold(text)
    return next((lang for lang, pattern in patterns.items() if pattern.search(folded)), None)


def wants_to_talk(text: str) -> bool:
    """A DM like "I need to talk": Kindred answers it by offering the request form."""
    return plea_language(text) is not None


# Whom a plea names after its verb ("I need to talk *to someone*", "necesito hablar *con
# alguien*"): taken out with the plea, so that the words left say only what else was asked.
_WHOM = {
    lang: re.compile(rf"^ ?(?:(?:{words}) )?(?:{_SOMEONE[lang]}|{_YOU[lang]})\b")
    for lang, words in {
        "en": "to|with",
        "es": "con|al|a",
        "fr": "a|avec|au|aux",
        "de": "mit",
        "pt": "com",
    }.items()
}


def beside_the_plea(text: str) -> str:
    """The words of a DM besides its plea for a peer or a professional, folded ("is there a
    peer respite near me? i need to talk to someone": "is there a peer respite near me?"),
    so that what else it asks for (a respite, a warmline) is read in them alone: the plea's
    own words ("I need to talk") are no such ask, whatever a model reads in them."""
    rest = fold(text)
    for lang in INTAKE_PLEAS:
        for patterns in (PROFESSIONAL_ASKS, INTAKE_PLEAS):
            pattern = patterns.get(lang)
            while pattern is not None and (found := pattern.search(rest)) is not None:
                after = _WHOM[lang].sub("", rest[found.end() :], count=1)
                rest = f"{rest[: found.start()]} {after}"
    return " ".join(rest.split())
