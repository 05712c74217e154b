"""The detector's prefilter: a cheap, exact-safe test run before the automaton.

Most chat messages cannot contain a phrase that changes the result; this memo of words tells
so without normalising and matching the whole message.  Pure Python, no discord imports.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.safety.normalize import normalize_word, normalize_words

__all__ = ["Prefilter"]

# The maximal runs of alphanumeric characters: ``\w`` is exactly ``str.isalnum()`` plus
# the underscore, so this splits a word where ``isalnum()`` is false, with the regex
# engine instead of a Python loop over its characters (a message of new words pays it
# once per word).
_ALNUM_RUN = re.compile(r"[^\W_]+")


class Prefilter(dict[str, frozenset]):
    """Cheap, exact-safe test: can this message contain a hit that changes the result?

    A key matched on word boundaries in the normalised message is a run of whole
    alphanumeric pieces, so each of its alphanumeric words is exactly one maximal
    alphanumeric piece of one normalised word.  This memo maps a *raw* word (as split
    from the message, before leet/punctuation/squeeze) to the key words among the pieces
    of its normalised form; a crisis, concern, harassment or distress key can only hit
    if the message's words cover all of its alphanumeric words.  Keys are grouped by one
    "anchor" word (the one fewest keys share) so only a few are tested per message.
    Keys of the ``quiet`` categories (idioms, reporting cues) need no test: on their own
    they resolve to ``none``.
    A key with no alphanumeric word (none today) is tested as substrings instead.
    """

    __slots__ = ("anchors", "groups", "substrings", "vocabulary")
    limit = 100_000

    def __init__(
        self,
        keys: dict[str, list[tuple[int, int, bool]]],
        categories: list[str],
        *,
        quiet: Collection[str],
    ) -> None:
        super().__init__()
        share: dict[str, int] = {}
        for key in keys:
            for word in set(key.split()):
                share[word] = share.get(word, 0) + 1
        self.substrings: list[str] = []
        groups: dict[str, set[frozenset[str]]] = {}
        for key, values in keys.items():
            if not any(not compact and categories[i] not in quiet for i, _, compact in values):
                continue
            words = key.split()
            alnum = frozenset(w for w in words if w.isalnum())
            if not alnum:
                # Marked by the word itself with a NUL prefix (never a real piece).
                self.substrings.extend(words)
                alnum = frozenset("\0" + w for w in words)
            anchor = min(alnum, key=lambda w: (share.get(w, 0), -len(w), w))
            groups.setdefault(anchor, set()).add(alnum)
        self.groups = {a: tuple(g) for a, g in groups.items()}
        self.anchors = frozenset(self.groups)
        self.vocabulary = frozenset().union(*(w for g in self.groups.values() for w in g))

    def __missing__(self, word: str) -> frozenset:
        if len(self) >= self.limit:
            self.clear()
        # most words are in no key: they share one empty set
        value = self[word] = self._found(normalize_word(word))
        return value

    def _learn_many(self, tokens: list[str]) -> None:
        """What ``__missing__`` does word by word, for a long message's new words at once:
        normalised together, and when none of them holds a key word (almost always for
        words never seen) they share the empty set without a look at each."""
        new = [w for w in dict.fromkeys(tokens) if w not in self]
        if not new:
            return
        if len(self) + len(new) >= self.limit:
            self.clear()
        norms = normalize_words(new)
        if self.substrings or self.vocabulary.intersection(_ALNUM_RUN.findall(" ".join(norms))):
            for word, norm in zip(new, norms, strict=True):
                self[word] = self._found(norm)
        else:
            self.update(dict.fromkeys(new, _EMPTY))

    def _found(self, norm: str) -> frozenset:
        found = self.vocabulary.intersection(_ALNUM_RUN.findall(norm))
        if self.substrings:
            found = found.union("\0" + s for s in self.substrings if s in norm)
        return found or _EMPTY

    def may_hit(self, tokens: list[str]) -> bool:
        if len(tokens) > 64:  # a long message: its new words at once, not one by one
            self._learn_many(tokens)
        seen = _EMPTY.union(*map(self.__getitem__, tokens))
        for anchor in self.anchors.intersection(seen):
            for words in self.groups[anchor]:
                if words <= seen:
                    return True
        return False


_EMPTY: frozenset[str] = frozenset()
