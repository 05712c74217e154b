"""Text normalisation for the crisis-language detector.

``normalize(text)`` turns a raw Discord message into the canonical form the phrase
automaton is matched against.  Phrase lists are run through the *same* function when
they are compiled, so every transformation below applies symmetrically to patterns and
messages.  Steps, in order:

1. Bound the work: only the first ``MAX_CHARS`` (4000, Discord's own limit) characters.
2. Discord markup: fenced code blocks and inline code are dropped (not the writer's
   words), ``> `` quote lines and ``>>> `` (quote the rest of the message) are dropped,
   spoiler bars ``||`` are removed but the hidden text is *kept*, URLs, custom emoji
   ``<:name:id>``, mentions/channels/roles ``<@123>`` and timestamps are removed.
3. Unicode: NFKC (fullwidth and "math bold" letters become ASCII), casefold, drop
   format characters (category Cf: zero-width spaces/joiners, bidi marks, soft hyphen),
   strip accents (é→e, ü→u, ç→c, so "suicídio" and "suicidio" are one key), map common
   Cyrillic/Greek/other look-alikes onto Latin letters, unify curly apostrophes.
4. Spaced-out letters are joined: ``s u i c i d e`` → ``suicide``;
   ``k.i.l.l m.y.s.e.l.f`` → ``kill myself`` (with ``.``/``-``/``_``/``*`` separators the
   spaces stay word breaks; with plain spaces the whole run is joined, so the compiled
   automaton also carries space-less "compact" keys such as ``kilmyself``).
   Emoji and other pictographs and symbols (non-ASCII Unicode categories So, Sk, Sm)
   *between* words are skipped: ``i 😭 want 😭 to 😭 die`` and ``i😭want😭to😭die`` read
   ``i want to die``, so decoration never splits a phrase nor changes the model's reading.
   Laughing emoji (``LAUGHTER_EMOJI``: "💀", "😂"...), which mark banter, are kept after
   the message's last word, once each. Symbols before the first word or after the last
   ("i want to die😭") stay as they are.
5. Leetspeak, only inside tokens that also contain a letter (so "2 am", "100%" and
   "kill -9" are untouched): 0→o 3→e 4→a @→a 5→s $→s 7→t, ``!``→i between word
   characters; ``1`` is contextual: a doubled ``11`` is "ll" ("ki11"), a single ``1`` is
   "i" ("k1ll", "su1c1de", "qu1ero").
6. Apostrophes vanish ("don't" → "dont", "j'ai" → "jai"); sentence punctuation
   ``. , ; : ! ?`` becomes a clause marker token ``.``; all other ASCII punctuation
   becomes a space.
7. Every run of a repeated letter is squeezed to one letter ("diiiie" → "die",
   "sooo" → "so", "kill" → "kil").  Squeezing everything (rather than 3+ → 2) makes
   elongation and double-letter typos collapse to one key; phrase keys are squeezed too.
8. Whitespace is collapsed; the result is padded with one space on each side so word
   boundaries can be checked without index arithmetic at the edges.

ASCII messages skip step 3 entirely and the markup/leet/spacing steps each have a cheap
"no trigger character present" fast path, which is what keeps the detector at
>100k messages/s on ordinary chat.
"""

from __future__ import annotations

import operator
import re
import sys
import unicodedata

__all__ = [
    "LAUGHTER_EMOJI",
    "MAX_CHARS",
    "has_leet",
    "join_tokens",
    "normalize",
    "normalize_ex",
    "normalize_word",
    "normalize_word_once",
    "split_sentences",
    "split_tokens",
    "squeeze",
    "strip_markup",
]

MAX_CHARS = 4000

# --------------------------------------------------------------------------- markup

_FENCE_RE = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE_RE = re.compile(r"``[^`]*``|`[^`\n]*`")
_BLOCKQUOTE_ALL_RE = re.compile(r"(?m)^[ \t]*>>> .*", re.DOTALL)
_QUOTE_LINE_RE = re.compile(r"(?m)^[ \t]*> .*$")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ANGLE_RE = re.compile(r"<(?:a?:\w+:\d+|[@#][!&]?\d+|t:\d+(?::\w)?|/[\w -]+:\d+)>")


def strip_markup(text: str) -> str:
    """Remove Discord markup that is not the writer's own words; keep spoiler text."""
    if "`" in text:
        text = _FENCE_RE.sub(" ", text)
        text = _INLINE_CODE_RE.sub(" ", text)
    if ">" in text:
        text = _BLOCKQUOTE_ALL_RE.sub(" ", text)
        text = _QUOTE_LINE_RE.sub(" ", text)
        if "<" in text:
            text = _ANGLE_RE.sub(" ", text)
    if "||" in text:
        text = text.replace("||", " ")
    if "://" in text or "www." in text:
        text = _URL_RE.sub(" ", text)
    return text


# ----------------------------------------------------------------------- unicode


_SYMBOL_CATEGORIES = ("So", "Sk", "Sm")
LAUGHTER_EMOJI = ("💀", "😂", "🤣", "😆", "😹", "☠")  # banter markers (the detector's too)
_SYMBOL_POINTS: list[int] = []  # non-ASCII emoji, pictographs and symbols (step 4)


def _build_unicode_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Format characters (zero-width space/joiners, bidi controls, soft hyphen, tags...).
    for cp in (*range(0x80, 0x30000), *range(0xE0000, 0xE1000)):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat in _SYMBOL_CATEGORIES:
            _SYMBOL_POINTS.append(cp)
        if cat == "Cf":
            table[cp] = None
        elif cat == "Mn":
            table[cp] = None  # combining accents (NFKC leaves some uncomposed)
        elif cat.startswith("L") and cp < 0x2000:
            base = "".join(
                c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn"
            )
            if base != ch and base.isascii() and base:
                table[cp] = base.lower()
    table[0x00DF] = "ss"
    # Look-alikes (after casefold, so lower-case forms suffice).
    homoglyphs = {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "и": "u", "і": "i", "ї": "i",
        "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
        "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
        "ь": "b", "ү": "y",
        # Greek
        "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k",
        "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "s", "τ": "t", "υ": "u", "χ": "x",
        "ω": "w", "ά": "a", "έ": "e", "ί": "i", "ό": "o", "ύ": "u",
        # Latin oddities
        "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʟ": "l", "ᴋ": "k",
        "ℓ": "l", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th",
        # punctuation look-alikes
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": "-", "\u2014": "-", "\u2026": ".", "\u00a1": " ", "\u00bf": " ",
        "\u00a0": " ", "\u3000": " ", "\u00b7": ".", "\u2022": ".",
    }  # fmt: skip
    for src, dst in homoglyphs.items():
        table[ord(src)] = dst
    return table


_UNICODE_TABLE = _build_unicode_table()
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


def _table_key_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two searches that find every code point the table changes (the BMP ones exactly,
    the astral ones as a superset).  If neither finds anything, translating is the
    identity and can be skipped: emoji-only chat never pays for the per-run callback.
    Two patterns, because a character class mixing hundreds of BMP ranges with astral
    ones is scanned range by range (4-70x slower than the BMP-only bitmap class)."""
    ranges: list[list[int]] = []
    for cp in sorted(_UNICODE_TABLE):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    bmp = "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
        for a, b in ranges
        if b < 0x10000
    )
    astral = [r for r in ranges if r[1] >= 0x10000]
    # Every astral key lies in one of these two blocks (checked at import).
    if not all(0x10000 <= a <= b < 0x1EA00 or 0xE0000 <= a <= b < 0xE1000 for a, b in astral):
        raise RuntimeError("unicode table has keys outside the astral pre-check blocks")
    return re.compile(f"[{bmp}]"), re.compile("[\U00010000-\U0001e9ff\U000e0000-\U000e0fff]")


_TABLE_KEY_BMP_RE, _TABLE_KEY_ASTRAL_RE = _table_key_res()


def _ranges(points: list[int]) -> str:
    """A regex character class body for sorted code points, as ranges."""
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges
    )


# Symbols the table leaves alone (it maps symbols to nothing, so the set is disjoint from
# its keys and survives translation). BMP and astral searched apart (see _table_key_res).
_SYMBOL_BMP = _ranges([cp for cp in _SYMBOL_POINTS if cp < 0x10000])
_SYMBOL_ASTRAL = _ranges([cp for cp in _SYMBOL_POINTS if cp >= 0x10000])
# A run of symbols (what the table left of emoji sequences: ZWJ and variation
# selectors are gone by then).
_SYMBOLS_RE = re.compile(f"(?:[{_SYMBOL_BMP}]|[{_SYMBOL_ASTRAL}])+")
# Symbols between two single letters ("g o 😭 o d b y e", "k→i→l→l"): a gap as wide as the
# wider space beside them (one space if none), so that letters spaced out around an emoji
# are joined as they are without it (step 3) and a word break ("y   💔   m e") stays one. A
# run with a laughing emoji in it stays (step 4 sets it aside as a banter marker).
_LETTER_SYMBOLS_RE = re.compile(
    rf"(?<=(?<![^\W_])[a-z0-9@$])(\s*)(?:[{_SYMBOL_BMP}]|[{_SYMBOL_ASTRAL}])+(\s*)"
    rf"(?=[a-z0-9@$!](?![^\W_]))"
)
del _SYMBOL_POINTS[:]


class _SpanMemo(dict[str, tuple[tuple[int, int], ...]]):
    """Bounded memo: non-ASCII word -> the spans of its runs of symbols (chat repeats its
    emoji, so the symbol search runs once per distinct word)."""

    __slots__ = ()
    limit = 20_000

    def __missing__(self, word: str) -> tuple[tuple[int, int], ...]:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = tuple(m.span() for m in _SYMBOLS_RE.finditer(word))
        return value


_SPANS = _SpanMemo()


def _symbols_aside(words: list[str]) -> list[str]:
    """Step 4: the symbols between words dropped, laughing ones set aside after the last
    word (once each). Symbols before the first word or after the last stay as they are,
    so a message without symbols between words is split as before (the same list)."""
    spans = _SPANS
    marked = [(i, s) for i, w in enumerate(words) if not w.isascii() and (s := spans[w])]
    if not marked:
        return words
    only = {i for i, s in marked if s == ((0, len(words[i])),)}  # symbols alone
    first, last = 0, len(words)
    while first < last and first in only:
        first += 1
    while last > first and last - 1 in only:
        last -= 1
    out: list[str] = []
    aside: list[str] = []
    done = first  # words[:done] are copied to out
    for i, runs in marked:
        if not first <= i < last:
            continue
        word = words[i]
        dropped = [
            (start, end)
            for start, end in runs
            if not ((i == first and start == 0) or (i == last - 1 and end == len(word)))
        ]
        if not dropped:
            continue
        out.extend(words[done:i])
        done = i + 1
        part = 0
        for start, end in dropped:
            if start > part:
                out.append(word[part:start])
            aside.append(word[start:end])
            part = end
        if part < len(word):
            out.append(word[part:])
    if not aside:
        return words
    out = words[:first] + out + words[done:last]
    laughing = [ch for run in aside for ch in run if ch in LAUGHTER_EMOJI]
    return out + list(dict.fromkeys(laughing)) + words[last:]


class _RunMemo(dict[str, str]):
    """Bounded memo: non-ASCII run (emoji, accented word...) -> translated run."""

    __slots__ = ()
    limit = 20_000

    def __missing__(self, run: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        value = self[run] = run.translate(_UNICODE_TABLE)
        return value


_RUNS = _RunMemo()


def _translate_run(m: re.Match[str]) -> str:
    return _RUNS[m.group(0)]


# ----------------------------------------------------------------- spaced letters

# Three or more single "letters" separated by one separator: "s u i c i d e",
# "k.i.l.l", "k-y-s".  Leet characters count as letters here ("k 1 l l").
_SPACED_RE = re.compile(r"\b[a-z0-9@$](?:(?:[ .\-_*]|  )[a-z0-9@$!]){2,}(?![\w@$!])")
# Every match of _SPACED_RE ends with "<sep char> letter <sep> letter" not followed by
# [\w@$!]; this starts with a character set, so the engine skips to candidates in C.
_SPACED_HINT_RE = re.compile(r"[ .\-_*][a-z0-9@$!](?:[ .\-_*]|  )[a-z0-9@$!](?![\w@$!])")


def _join_spaced(run: str) -> str:
    if any(sep in run for sep in ".-_*"):
        # Punctuation separated letters; spaces between them stay word breaks.
        return re.sub(r"[.\-_*]", "", run).replace("  ", " ")
    # Plain spaces: single space joins letters, a double space separates words.
    return " ".join(part.replace(" ", "") for part in run.split("  "))


# ------------------------------------------------------------------------ leet

_LEET_TABLE = str.maketrans({"0": "o", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t"})
_LEET_TRIGGER_RE = re.compile(r"[0-9@$!]")
_LEET_TOKEN_RE = re.compile(r"[a-z0-9@$!]*[0-9@$!][a-z0-9@$!]*")
_BANG_RE = re.compile(r"(?<=[a-z0-9])!+(?=[a-z0-9])")
_HAS_LETTER_RE = re.compile(r"[a-z]")


def _deleet_token(m: re.Match[str]) -> str:
    tok = m.group(0)
    core = tok.strip("!")
    if not _HAS_LETTER_RE.search(core):
        return tok
    lead = tok[: len(tok) - len(tok.lstrip("!"))]
    trail = tok[len(tok.rstrip("!")) :]
    core = core.translate(_LEET_TABLE)
    if "1" in core:
        core = core.replace("11", "ll").replace("1", "i")
    if "!" in core:
        core = _BANG_RE.sub("i", core)
    return lead + core + trail


# ------------------------------------------------------------------- punctuation

_CLAUSE = " . "
_PUNCT_TABLE = str.maketrans(
    {
        **dict.fromkeys('"#%&()*+-/<=>@[\\]^_`{|}~$\t\n\r\x0c\x0b', " "),
        **dict.fromkeys(".,;:!?", _CLAUSE),
        "'": None,
    }
)
_SQUEEZE_RE = re.compile(r"([^\W\d_])\1+")


def normalize(text: str) -> str:
    """Return the canonical matching form of ``text`` (see module docstring).

    The result is always padded with one leading and one trailing space.
    """
    return normalize_ex(text)[0]


def normalize_ex(text: str) -> tuple[str, bool]:
    """Like :func:`normalize`; the flag says whether letters spaced out with plain
    spaces were joined (the detector then also matches space-less compact keys)."""
    tokens, runs = split_tokens(text)
    return join_tokens(tokens), bool(runs)


def split_tokens(text: str) -> tuple[list[str], frozenset[str]]:
    """Steps 1-4 of :func:`normalize_ex`, then split on whitespace.

    Returns the raw words (each still to be put through steps 5-8 by
    :func:`normalize_word`) and the words among them joined from letters spaced out with
    plain spaces ("k i l l m y s e l f" → ``{"killmyself"}``), empty when there are none:
    the "spaced" flag, and the only words the model's reading may split again
    (:meth:`Classifier.readable`). ``join_tokens(split_tokens(t)[0])`` is ``normalize(t)``.
    """
    if not isinstance(text, str):  # defensive: the detector contract is "never raise"
        text = str(text)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    text = strip_markup(text)
    ascii_text = text.isascii()
    if ascii_text:
        text = text.lower()
    else:
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.casefold()
        if not text.isascii() and (
            _TABLE_KEY_BMP_RE.search(text) is not None
            or _TABLE_KEY_ASTRAL_RE.search(text) is not None
        ):
            # The table maps code points one by one and leaves ASCII alone, so only
            # the non-ASCII runs need translating (str.translate is slow on misses).
            text = _NON_ASCII_RE.sub(_translate_run, text)
    if not ascii_text and _has_symbols(text):  # accents alone: nothing to do
        text = _LETTER_SYMBOLS_RE.sub(_letter_gap, text)
    runs = _NO_RUNS
    # The hint is a necessary condition for a spaced run (its last "sep letter sep
    # letter" and the end check) that the regex engine can scan for quickly.
    if _SPACED_HINT_RE.search(text) is not None:
        joined: list[str] = []

        def join(m: re.Match[str]) -> str:
            run = m.group(0)
            words = _join_spaced(run)
            if not any(sep in run for sep in ".-_*"):
                joined.extend(words.split())
            return words

        text = _SPACED_RE.sub(join, text)
        runs = frozenset(joined)
    if ascii_text:
        return text.split(), runs
    return _symbols_aside(text.split()), runs


_NO_RUNS: frozenset[str] = frozenset()


def _has_symbols(text: str) -> bool:
    """Whether a word of ``text`` holds a symbol (the memo of step 4: chat repeats its
    words, so this is mostly dictionary lookups)."""
    spans = _SPANS
    return any(spans[w] for w in text.split() if not w.isascii())


def _letter_gap(m: re.Match[str]) -> str:
    run = m.group(0)
    if any(ch in run for ch in LAUGHTER_EMOJI):
        return run
    return max(m.group(1), m.group(2), key=len) or " "


_SENTENCE_ENDS = (".", "!", "?")


def split_sentences(tokens: list[str]) -> list[list[str]]:
    """A message's split words (:func:`split_tokens`), sentence by sentence (a word ending
    in . ! or ? ends one; "…" is "." by then)."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        current.append(token)
        if token.endswith(_SENTENCE_ENDS):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def squeeze(text: str) -> str:
    """Step 7 alone: every run of a repeated letter to one letter. For text whose words were
    joined after normalising (the phrase engine's space-less pass): joining can make a
    doubled letter ("want" + "to"), which the space-less keys had squeezed."""
    return _SQUEEZE_RE.sub(_FIRST_GROUP, text)


def join_tokens(tokens: list[str]) -> str:
    """Steps 5-8 for every raw word, joined and padded (see :func:`split_tokens`)."""
    return " " + " ".join(filter(None, map(_WORDS.__getitem__, tokens))) + " "


def normalize_word(word: str) -> str:
    """Steps 5-8 for one whitespace-free raw word (memoised; may return ``""``)."""
    return _WORDS[word]


def has_leet(word: str) -> bool:
    """Whether step 5 (leet) can change ``word``: the only step besides squeezing a doubled
    letter that changes a word of letters and digits (:func:`bot.safety.classifier`'s split
    of spaced letters looks the others up as they are)."""
    return _LEET_TRIGGER_RE.search(word) is not None


def normalize_word_once(word: str) -> str:
    """:func:`normalize_word` without the memo: for the many pieces of a word tried once
    (:mod:`bot.safety.segment`), which would only crowd chat's words out of it."""
    return _normalize_word(word)


def normalize_words(words: list[str]) -> list[str]:
    """:func:`normalize_word` for many distinct raw words at once (a long message of new
    words): the new ones are laid end to end with a separator that no word contains and no
    step changes or matches across (U+001F is whitespace to ``str.split``, so it is never
    inside a word, and none of steps 5-8 touches it; being ASCII, it keeps an ASCII text on
    ``str.translate``'s fast path: 5 µs instead of 350 for 4,000 characters), put through
    each step in one call, and split apart again. The same results as word by word; both
    fill the memo."""
    memo = _WORDS
    new = [w for w in words if w not in memo]
    if len(new) > 16:
        joined = _SEP.join(new)
        if _LEET_TRIGGER_RE.search(joined):
            joined = _LEET_TOKEN_RE.sub(_deleet_token, joined)
        joined = _SQUEEZE_RE.sub(_FIRST_GROUP, joined.translate(_PUNCT_TABLE))
        if len(memo) + len(new) >= memo.limit:
            memo.clear()
        memo.update(zip(new, [" ".join(p.split()) for p in joined.split(_SEP)], strict=True))
    return list(map(memo.__getitem__, words))


_SEP = "\x1f"  # the ASCII "unit separator"


def _normalize_word(word: str) -> str:
    """Steps 5-8 for one whitespace-free word (leet, punctuation, squeeze)."""
    if _LEET_TRIGGER_RE.search(word):
        word = _LEET_TOKEN_RE.sub(_deleet_token, word)
    word = _SQUEEZE_RE.sub(_FIRST_GROUP, word.translate(_PUNCT_TABLE))
    return " ".join(word.split())


class _WordMemo(dict[str, str]):
    """Bounded memo for :func:`_normalize_word`.  Chat vocabulary is heavily skewed, so
    almost every word is a hit; ``map(memo.__getitem__, words)`` stays in C."""

    __slots__ = ()
    limit = 100_000

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = _normalize_word(word)
        return value


_FIRST_GROUP = operator.itemgetter(1)
_WORDS = _WordMemo()


def _main() -> None:  # pragma: no cover - manual debugging helper
    for line in sys.stdin:
        sys.stdout.write(normalize(line) + "\n")


if __name__ == "__main__":  # pragma: no cover
    _main()
