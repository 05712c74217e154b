"""Word breaks for letters spaced out one by one, so the model can read them.

The normaliser joins a run of single letters ("i w a n t t o d i e") into one word: the
phrase engine matches its space-less keys against it (``Detector._compact_pass``), but the
model reads words and their n-grams, and "iwanttodie" is a word it never met. Its scores
stayed those of ordinary chat, so a crisis phrase spelt out letter by letter got no response
at all (the phrase boost alone does not reach the gentle check-in).

:func:`segment` finds the split of such a run into words the model knows with the least
total cost, a word's cost being its idf (common words are cheap, rare ones dear) plus
``PIECE``, so fewer, longer words win over strings of letters: "iwanttodie" → "i want to die",
"quieromorir" → "quiero morir". Dynamic programming over the run's characters: a run of
``n`` characters costs at most ``n · MAX_WORD`` lookups (a piece with no doubled letter and
no leet character is its own normalised form and is looked up as it is; the others are
normalised first, about a microsecond each).

A piece the model does not know may stand in a split too, at a price that grows quickly with
its length (``UNKNOWN_BASE`` + ``UNKNOWN_CHAR`` a character, ``MIN_UNKNOWN`` characters at
least), so one word the model never met is read whole, by its character n-grams, instead of
as a string of short words that happen to spell it: "trocosabado" → "troco sabado", not
"tr o co sabado". An unknown piece is never split into unknown pieces (each costs the base).

A message is split only up to ``BUDGET`` characters of runs, the first runs first: a
spaced-out crisis line is short, and 4,000 pasted characters of spaced letters must not hold
the worker (and the event loop's turn) for tens of milliseconds (44 ms measured without the
budget; tests/safety/test_segment.py counts the work, bench_classifier.py times it). Only
what the model reads of a message with spaced-out letters changes
(:meth:`Classifier.readable`); the phrase engine, training and every other message are
unaffected.
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = [
    "BUDGET",
    "MAX_RUN",
    "MAX_WORD",
    "MIN_RUN",
    "MIN_UNKNOWN",
    "PIECE",
    "UNKNOWN_BASE",
    "UNKNOWN_CHAR",
    "segment",
    "unknown_cost",
]

MIN_RUN = 5  # a shorter joined run ("kys", "omg") is left as it is
MAX_RUN = 48  # longer runs are left whole: a message of them is not chat a member types
BUDGET = 48  # characters of runs split in one message, at most
MAX_WORD = 16  # the longest word tried
# What each piece of a split costs beyond its idf. 1.0 until the nineteenth session; 1.5 then,
# chosen among 1, 1.25, 1.5 and 2 on the TRAINING set's ordinary lines of up to 60 characters
# spaced out (4,645): an alert their plain words do not get 20, 18, 17, 17 times; of the 1,625
# short training positives the plain text alerts on, spaced out, 1,589 (2: 1,588) still got
# a response. A validation line had shown the fault: "mathe ex" (2 pieces) lost to "ma the ex"
# (3 short ones, "the" English in a German line) by 0.12 and read as a farewell.
PIECE = 1.5
# What a piece the model does not know costs (beside PIECE): twenty-eighth session, chosen on
# the TRAINING set as PIECE was. Of its 5,002 ordinary lines of up to 60 characters spaced
# out, an alert their plain words do not get: 27 with no unknown pieces, 25 with these (a
# grid of base 4-7 and 2.5-3.5 a character gave 24-27); of the 1,774 short training
# positives the plain text alerts on, spaced out, 1,743 got a response (1,740 before) and
# 1,684 an alert (1,676 before). A validation line had shown the fault: a Portuguese word
# the model never met, "troco", read as "tr o co".
UNKNOWN_BASE = 5.0
UNKNOWN_CHAR = 3.0
MIN_UNKNOWN = 4  # a shorter unknown piece never stands in a split


def unknown_cost(size: int) -> float | None:
    """What a piece of ``size`` characters the model does not know costs, or None."""
    return UNKNOWN_BASE + UNKNOWN_CHAR * size if size >= MIN_UNKNOWN else None


def segment(
    run: str,
    cost: Callable[[int, int], float | None],
    unknown: Callable[[int], float | None] | None = None,
) -> list[str] | None:
    """The cheapest split of ``run`` into at least two words, or None.

    ``cost(start, end)`` is the cost of ``run[start:end]`` when the model knows it as one
    word, else None; then ``unknown(end - start)``, if given, is its cost as a word the
    model does not know (None: not allowed). The pieces returned are slices of ``run``, in
    order, and join back to it."""
    size = len(run)
    if not MIN_RUN <= size <= MAX_RUN:
        return None
    best = [0.0] + [math.inf] * size
    back = [0] * (size + 1)
    for end in range(1, size + 1):
        for start in range(max(0, end - MAX_WORD), end):
            before = best[start]
            if before == math.inf:
                continue
            price = cost(start, end)
            if price is None and unknown is not None:
                price = unknown(end - start)
            if price is not None and before + price + PIECE < best[end]:
                best[end] = before + price + PIECE
                back[end] = start
    if best[size] == math.inf:
        return None
    pieces: list[str] = []
    end = size
    while end:
        start = back[end]
        pieces.append(run[start:end])
        end = start
    return pieces[::-1] if len(pieces) > 1 else None
