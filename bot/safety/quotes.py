"""Words in quotation marks that the writer attributes to someone else.

Pure Python (no discord imports).  ``split_attributed(text)`` returns the writer's own words
(each attributed quotation replaced by a space) and the attributed quotations' contents:
``when you said "i want to kill myself" it scared me`` → (``when you said   it scared me``,
[``i want to kill myself``]).  The assessor reads the two apart: the writer's own words as
their own, the quoted words as someone else's (worry about them, never the writer's crisis).

Only an explicit attribution to another person counts, in en, es, fr, de and pt:

* a second- or third-person subject ("you", "she", "my friend", "ella", "il", "er", "ele",
  a Discord mention) and a speech verb ("said", "told me", "wrote", "dijo", "a dit",
  "hat gesagt", "falou"...), at most two words apart, then at most three words before the
  opening mark: ``she told me last night "..."``;
* a verb form that is itself second or third person ("dijiste", "m'a dit", "hast gesagt",
  "falou"): ``me dijo "..."``;
* the same after the closing mark: ``"...", she said``, ``"...", dijo ella``,
  ``« ... », m'a-t-elle dit``.

A first-person word between the attribution and the mark ("i", "ich", "je", "yo", "eu")
stops it, and so does a sentence end.  A writer's own thoughts in quotation marks stay
their own ("I keep thinking "I want to die"", "my brain keeps saying "just end it"",
""i'm fine" i say, but i want to die"), and so does a quotation the writer takes on as
theirs ("same", "me too", "yo también", "moi aussi", "ich auch", "eu também" outside it).
Marks: straight and curly double quotes, « », ‹ ›, „ “ and » «; single quotes are too often
apostrophes to tell apart.  An unclosed mark attributes nothing.
"""

from __future__ import annotations

import re

__all__ = ["split_attributed"]

_OPEN = '"“”„«»‹›'
_CLOSE = '"“”«»‹›'
_MARK_RE = re.compile(f"[{_OPEN}]")
_SPAN = f"[{_OPEN}](?P<q>[^{_OPEN}\\n]{{1,400}})[{_CLOSE}]"

# Second- and third-person subjects, and people the writer names by their relation.
_PEOPLE = (
    # en
    "you|u|ya|he|she|they|someone|somebody|friend|bestie|bff|buddy|mate|pal|bro|brother"
    "|sis|sister|mom|mum|mother|dad|father|parent|son|daughter|kid|child|cousin|aunt|uncle"
    "|grandma|grandpa|gf|bf|girlfriend|boyfriend|partner|wife|husband|roommate|flatmate"
    "|classmate|coworker|colleague|teacher|student|sponsee|neighbou?r|guy|girl|dude|person"
    "|therapist|doctor|doc|counsell?or|sponsor|nurse|coach|boss|manager|everyone|people"
    # es
    "|t[uú]|usted|[eé]l|ella|ellos|ellas|alguien|amig[oa]|herman[oa]|mam[aá]|madre|pap[aá]"
    "|padre|hij[oa]|prim[oa]|novi[oa]|pareja|espos[oa]|compa[nñ]er[oa]|vecin[oa]|chic[oa]"
    # pt
    "|voc[eê]|vc|ele|ela|eles|elas|algu[eé]m|irm[aã]o?|m[aã]e|pai|filh[oa]|namorad[oa]"
    "|marido|esposa|colega|vizinh[oa]|cara|mina"
    # fr
    "|tu|vous|il|elle|ils|elles|quelqu[’']un|ami|amie|pote|fr[eè]re|s(?:œ|oe)ur|m[eè]re"
    "|p[eè]re|mec|copain|copine|fils|fille|cousine?|coll[eè]gue|voisine?|mari|femme"
    # de
    "|du|sie|er|ihr|jemand|freund|freundin|kumpel|bruder|schwester|mutter|mama|vater|papa"
    "|sohn|tochter|kollegin|kollege|nachbarin|nachbar|typ"
)
_SUBJECT = f"(?:<@!?\\d+>|(?<![\\w'’])(?:{_PEOPLE})(?![\\w'’]))"
# Speech verbs of any person: they need a subject from _PEOPLE.
_SPEECH = (
    "said|says|say|saying|told|tells|telling|wrote|writes|written|texted|texts|messaged"
    "|posted|typed|goes|went|keeps saying|kept saying|screamed|yelled"
    "|dijo|dice|dec[ií]a|escribi[oó]|escribe|puso|pone|mand[oó]|solt[oó]|coment[oó]"
    "|disse|diz|dizia|falou|fala|falava|escreveu|escreve|mandou|postou|soltou"
    "|dit|disait|a dit|a [eé]crit|[eé]crit|[eé]crivait|a envoy[eé]|a post[eé]|l[aâ]ch[eé]"
    "|sagte|sagt|gesagt|meinte|meint|gemeint|schrieb|schreibt|geschrieben|postete"
)
# Verb forms that carry a second or third person themselves: no subject needed.
_MARKED = (
    "dijiste|dijeron|escribiste|escribieron|me dijo|me escribi[oó]|me mand[oó]|pusiste"
    "|falaste|disseste|escreveste|me falou|me disse|me escreveu|me mandou|te disse"
    "|m[’']a dit|m[’']as dit|m[’']avez dit|as dit|avez dit|m[’']a [eé]crit|as [eé]crit"
    "|m[’']a envoy[eé]|(?:m[’'])?a-t-(?:il|elle|on) dit|(?:m[’'])?as-tu dit"
    "|hast (?:mir )?gesagt|hat mir gesagt|hast (?:mir )?geschrieben|hat mir geschrieben"
    "|sagtest|schriebst|sagst|meinst|hast gemeint"
)
_FIRST = "i|im|i[’']m|ive|i[’']ve|id|me|myself|ich|je|j[’']|yo|eu"
# One word that is no first-person subject and ends no sentence.
_FILLER = f"(?!(?:{_FIRST})(?![\\w'’]))[\\w'’@<>!-]+"
_VERB_SLOT = f"(?:(?<![\\w'’])(?:{_MARKED})|{_SUBJECT}(?:\\s+{_FILLER}){{0,2}}?\\s+(?:{_SPEECH}))"
# Whom it was said to: the writer, as the object of the verb.
_OBJECT = "(?:\\s+(?:to\\s+)?(?:me|us|mir|uns|moi|m[ií]|a\\s+m[ií]|pra\\s+mim|para\\s+mim))?"
_BEFORE_RE = re.compile(
    f"{_VERB_SLOT}{_OBJECT}(?![\\w'’])(?:\\s+{_FILLER}){{0,3}}?\\s*[:,]?\\s*" + _SPAN,
    re.IGNORECASE,
)
_AFTER_RE = re.compile(
    _SPAN
    + f"\\s*[,.!?]?\\s*(?:(?:{_MARKED})|(?:{_SPEECH})\\s+(?:\\w+\\s+)?{_SUBJECT}"
    + f"|{_SUBJECT}(?:\\s+{_FILLER})?\\s+(?:{_SPEECH}))(?![\\w'’])",
    re.IGNORECASE,
)
# The writer takes the quoted words on as their own.
_SHARED_RE = re.compile(
    r"(?<!\w)(?:same|me too|same here|mood|relatable|yo tambi[eé]n|a m[ií] tambi[eé]n"
    r"|moi aussi|pareil|ich auch|geht mir genauso|eu tamb[eé]m|comigo tamb[eé]m"
    r"|so do i|so am i|i (?:do|am|have|did|feel|felt) (?:that |it |the same )?(?:too|also)"
    r"|(?:feel|felt|feeling|think|thinking) (?:that way|like that|it|that) (?:too|also)"
    r"|i relate|i also|me tambi[eé]n|yo lo mismo|moi non plus|moi pareil|je ressens pareil"
    r"|mir auch|ich genauso|eu tamb[eé]m sinto|sinto o mesmo|siento lo mismo)(?!\w)",
    re.IGNORECASE,
)


def split_attributed(text: str) -> tuple[str, list[str]]:
    """The writer's own words and the quotations they attribute to someone else."""
    if _MARK_RE.search(text) is None:
        return text, []
    spans: list[tuple[int, int]] = []
    for regex in (_BEFORE_RE, _AFTER_RE):
        for m in regex.finditer(text):
            start, end = m.span("q")
            if not any(s <= start < e or start <= s < end for s, e in spans):
                spans.append((start - 1, end + 1))  # with its marks
    if not spans:
        return text, []
    spans.sort()
    own: list[str] = []
    quoted: list[str] = []
    last = 0
    for start, end in spans:
        own.append(text[last:start])
        quoted.append(text[start + 1 : end - 1])
        last = end
    own.append(text[last:])
    own_text = " ".join(own)
    if _SHARED_RE.search(own_text) is not None:
        return text, []
    return own_text, quoted
