"""Text members write: tidied before it is stored or posted, and cut into Discord-sized
messages without losing a word.

No Discord and no database. ``clean_line`` and ``clean_block`` tidy what members type (goals,
wellness plans, anonymous group posts): no control or format characters (a NUL, a
right-to-left override, a zero-width space or a tag character cannot hide in the text; a
joiner inside a word or an emoji and the tags of a subdivision flag such as Scotland's are
part of it), and text with nothing visible left is empty. ``split_text`` gives pieces whose
join is the text exactly;
``prefixed_messages`` is what a person reads: each piece under a label (the relay,
``cogs/support/relay.py``, and the transcript DMs, ``bot/services/requests/rules.py``).
"""

from __future__ import annotations

import re
import unicodedata

# -- comparing --------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "´": "'"})


def fold(text: str) -> str:
    """Text as short typed phrases are compared with (DM pleas, "not now"): lower case, accents
    and doubled spaces gone, curly apostrophes straight ("Quelqu’un à" → "quelqu'un a",
    "ß" → "ss")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_APOSTROPHES).split())


# -- tidying ----------------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")
#: Zero-width joiners are format characters, but inside a word or an emoji sequence they are
#: part of it (❤️‍🩹, 👩‍👧, Persian and Indic spelling): kept there, dropped anywhere else.
_JOINERS = frozenset("\u200c\u200d")
#: Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern): kept in
#: text, but on their own they are not something to read.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
#: Tag characters are format characters too, but a black flag followed by tags and the cancel
#: tag is one emoji (the flags of Scotland, England, Wales): kept there. A stray tag (which can
#: hide text) is dropped, and the text around it is tidied as if it had never been typed.
_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_TAGS = re.compile("[\U000e0000-\U000e007f]")


def _drawn(ch: str) -> bool:
    """A character that shows something: a letter, number, punctuation or symbol."""
    return unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_LOOKING


def _is_tag(ch: str) -> bool:
    return "\U000e0000" <= ch <= "\U000e007f"


def _without_stray_tags(text: str) -> str:
    """``text`` keeping only the tag characters of well-formed emoji tag sequences."""
    if not _TAGS.search(text):
        return text
    kept = {i for m in _TAG_SEQUENCE.finditer(text) for i in range(m.start() + 1, m.end())}
    return "".join(ch for i, ch in enumerate(text) if i in kept or not _is_tag(ch))


def _printable(text: str, keep: str = "") -> str:
    text = _without_stray_tags(text)  # the tags left are parts of emoji
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in keep or _is_tag(ch) or not unicodedata.category(ch).startswith("C"):
            out.append(ch)
        elif ch in _JOINERS and out and i + 1 < len(text):
            before, after = out[-1], text[i + 1]
            if not before.isspace() and not unicodedata.category(after).startswith(("C", "Z")):
                out.append(ch)
    return "".join(out)


def has_visible(text: str) -> bool:
    """Whether the text shows anything at all (not only spaces and invisible characters)."""
    return any(_drawn(ch) for ch in text)


def clean_line(text: str | None) -> str:
    """One line: control and format characters removed, whitespace collapsed; empty when
    nothing visible is left."""
    value = _SPACES.sub(" ", _printable(text or "", keep=" \t\n")).strip()
    return value if has_visible(value) else ""


def clean_block(text: str | None) -> str:
    """A few paragraphs: line breaks kept (at most one blank line in a row), control and
    format characters removed, edges trimmed; empty when nothing visible is left."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in _printable(text, keep="\n\t").split("\n")]
    value = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    return value if has_visible(value) else ""


# -- cutting -----------------------------------------------------------------------------------
DISCORD_LIMIT = 2000  # characters in one message Kindred sends
EMBED_DESCRIPTION = 4000  # characters Kindred puts in one embed's description (Discord: 4096)
EMBED_FIELD = 1024  # characters in one embed field's value

#: Where a piece may end, best first (each stays at the end of the piece before the cut).
SEPARATORS = ("\n\n", "\n", " ")


def _cut(window: str, start: int = 0) -> int:
    """Where to end the next piece inside ``window`` (a full-length one): after the best
    separator in its second half, else after the last separator at all, else at its end
    (never before ``start`` + 1)."""
    for least in (max(len(window) // 2, start + 1), start + 1):
        for sep in SEPARATORS:
            at = window.rfind(sep)
            if at >= least:
                return at + len(sep)
    return len(window)


#: Discord's markers that hide or set apart a passage: a cut inside one would show the rest of
#: a spoiler openly (and its markers bare), or the rest of a code block as ordinary text.
SPOILER, FENCE = "||", "```"
_FENCE_TAG = re.compile(r"[A-Za-z0-9_+#.-]{1,20}\n")  # a code block's language: ```py
_MARKED_LEAST = 80  # below this, pieces are cut plainly (no room to close and reopen)


def open_marks(text: str, end: int | None = None) -> tuple[str | None, bool, int]:
    """What is still open after ``text[:end]``: the code block's opening as written again
    (```` ```py\n ````) or None, whether a spoiler is, and where the last marker starts if it
    runs past ``end`` (else ``end``). Spoiler bars inside a code block are text, as Discord
    shows them."""
    end = len(text) if end is None else end
    code: str | None = None
    spoiler = False
    i = 0
    while i < end:
        if text.startswith(FENCE, i):
            tag = _FENCE_TAG.match(text, i + 3) if code is None else None
            size = 3 + (len(tag.group(0)) if tag else 0)
            if i + size > end:
                return code, spoiler, i
            code = None if code is not None else FENCE + (tag.group(0) if tag else "\n")
            i += size
        elif code is None and text.startswith(SPOILER, i):
            if i + 2 > end:
                return code, spoiler, i
            spoiler = not spoiler
            i += 2
        else:
            i += 1
    return code, spoiler, end


def _split_marked(text: str, limit: int) -> list[str]:
    """``split_text`` keeping spoilers and code blocks whole in every piece: one open at a
    cut is closed at the end of the piece and opened again at the start of the next."""
    pieces: list[str] = []
    rest, head = text, ""  # head: the markers opened again at the start of rest
    while len(rest) > limit:
        for room in (limit, limit - 6):  # 6: the longest closing, a code block and a spoiler
            cut = _cut(rest[:room], len(head))
            code, spoiler, cut = open_marks(rest, cut)
            piece = rest[:cut]
            close = _closing(piece, code) + (SPOILER if spoiler else "")
            if len(piece) + len(close) <= limit:
                break
        if piece[len(head) :].strip():
            pieces.append(piece + close)
        head = (SPOILER if spoiler else "") + (code or "")
        rest = head + rest[cut:]
    if rest[len(head) :].strip() or not head:
        pieces.append(rest)
    return [piece for piece in pieces if piece]


def _closing(piece: str, code: str | None) -> str:
    """What closes the code block open at the end of ``piece`` (nothing if none is). On its
    own line, unless the block has no line break yet: then a break would make the words after
    the opening fence its language tag (```` ```abc\n``` ```` shows an empty block), so the
    fence closes on the same line (```` ```abc``` ```` shows abc)."""
    if code is None:
        return ""
    if "\n" not in piece[piece.rfind(FENCE) + len(FENCE) :]:
        return FENCE
    return ("" if piece.endswith("\n") else "\n") + FENCE


def split_text(text: str, limit: int = DISCORD_LIMIT, *, marked: bool = False) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters; ``"".join`` gives it back.

    A piece ends after a blank line, else a line break, else a space; only a run with none of
    those (a very long word or link) is cut where the limit falls. No text, no pieces.
    ``marked`` (for text Discord shows as Markdown, ``limit`` of at least 80): a spoiler
    (``||…||``) or a code block open at a cut is closed before it and opened again after, so
    every piece hides and sets apart what its writer did; the join is then the text with
    those markers added (and pieces with nothing but them left out)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if marked and limit >= _MARKED_LEAST:
        return _split_marked(text, limit)
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut(rest[:limit])
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def prefixed_messages(prefix: str, text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, each starting with ``prefix``
    (so every part says whose words it carries). Whitespace at the cuts is trimmed and
    blank parts are left out (Discord refuses an empty message); every word is kept, and a
    spoiler or code block cut in two is closed and reopened, so it stays whole in each part."""
    room = limit - len(prefix)
    if room < 1:
        raise ValueError("the prefix leaves no room for text")
    pieces = split_text(text, room, marked=True)
    return [prefix + piece.strip() for piece in pieces if piece.strip()]


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut after a word (when one ends in
    the second half) and marked with "…", so a reader sees it was shortened. Only for text
    whose whole is shown elsewhere (a title, a name, a quoted message with its link)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at = cut.rfind(" ")
    if at >= (limit - 1) // 2:
        cut = cut[:at]
    return cut.rstrip() + "…"


def fit_lines(lines: list[str], limit: int, more: str = "…and {n} more.", sep: str = "\n") -> str:
    """As many whole lines as fit in ``limit`` characters (joined by ``sep``), then ``more``
    (with ``{n}``, how many were left out) if some did not: a list is never cut inside a
    line (a name, a mention), and says when it is not whole. A first line too long on its
    own is shortened visibly (``shorten``)."""
    out: list[str] = []
    for i, line in enumerate(lines):
        left = len(lines) - i - 1
        tail = len(sep) + len(more.format(n=left)) if left else 0
        if len(sep.join([*out, line])) + tail <= limit:
            out.append(line)
            continue
        if not out:  # nothing fits whole: the first line, shortened, says so itself
            note = sep + more.format(n=left) if left else ""
            return shorten(line, limit - len(note)) + note
        return sep.join([*out, more.format(n=len(lines) - i)])
    return sep.join(out)


def pings_and_text(mentions: list[str], body: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """Messages carrying ``body`` whole, under as many of ``mentions`` as fit in the first;
    the mentions that don't fit follow in messages of their own. An alert with many peers on
    duty loses neither its words nor a ping (a cut would take the end of the alert off)."""
    if len(body) > limit:
        raise ValueError("the body must fit in one message")
    head: list[str] = []
    rest = list(mentions)
    while rest and len(" ".join([*head, rest[0]])) + 1 + len(body) <= limit:
        head.append(rest.pop(0))
    first = (" ".join(head) + "\n" + body) if head else body
    return [first, *prefixed_messages("", " ".join(rest), limit)]
