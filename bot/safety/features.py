"""The model's TF-IDF logits for a batch of prepared texts, from a memo of words.

scikit-learn's ``char_wb`` n-grams never cross a word, so a word's character n-grams, and
their weighted sum ``Σ idf·w`` over the model's outputs, are the same wherever the word
appears; so are its unigram's. Each distinct word is worked out once (its known n-gram ids,
those sums, ``Σ idf²``) into growing tables; a batch then costs one dictionary look-up per
word and a fixed number of numpy calls, whatever its size. Exact TF-IDF needs each n-gram's
count in the text (sublinear ``1 + ln c``, then each block L2-normalised): the per-word sums
count every occurrence once, so the n-grams that occur more than once in a text (found by
sorting the batch's ids) are corrected to ``1 + ln c`` afterwards. Word bigrams (a few dozen
a text) are looked up pair by pair in a sorted table.

Pure numpy; thread-safe (one lock around the memo); keeps no text beyond the memo of words
(bounded: started again once it passes ``limit`` words), logs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from itertools import chain

__all__ = ["WordMemo"]

ROW_SHIFT = 24  # keys are (text << 24 | feature id); feature ids fit in 24 bits
FEATURE_MASK = (1 << ROW_SHIFT) - 1


class _Index(dict[str, int]):
    """word → its row in the memo's tables; a new word is worked out on first sight."""

    __slots__ = ("learn",)

    def __missing__(self, word: str) -> int:
        return self.learn(word)


class _RawIndex(dict[str, tuple[int, ...]]):
    """A raw word as split from a message (before leet, punctuation and squeezing) → the
    rows of the words it normalises to (none, one, or a few: ``"tired,"`` is ``tired .``)."""

    __slots__ = ("index", "normalize")

    def __missing__(self, raw: str) -> tuple[int, ...]:
        value = self[raw] = tuple(map(self.index.__getitem__, self.normalize(raw).split()))
        return value


class WordMemo:
    """Known words → their n-gram ids and weighted sums (see the module)."""

    limit = 50_000  # words remembered before the memo starts again

    def __init__(
        self,
        np,
        char_vocab: Sequence[str],
        word_vocab: Sequence[str],
        idf,
        weights,
        char_ngrams: Callable[[str], list[str]],
        normalize_word: Callable[[str], str],
    ) -> None:
        self.np = np
        self._normalize_word = normalize_word  # a raw word → its normalised word(s)
        self._char_ngrams = char_ngrams  # one word → its char_wb n-grams (with repeats)
        self.n_char = len(char_vocab)
        if len(idf) > FEATURE_MASK:
            raise ValueError("the model has more features than the feature keys can hold")
        self._char_ids = {g: i for i, g in enumerate(char_vocab)}
        self._unigram: dict[str, int] = {}
        slots: dict[str, int] = {}
        pairs: list[tuple[int, int, int]] = []
        for i, gram in enumerate(word_vocab, start=self.n_char):
            parts = gram.split(" ")
            if len(parts) == 1:
                self._unigram[gram] = i
            elif len(parts) == 2:
                a, b = (slots.setdefault(p, len(slots)) for p in parts)
                pairs.append((a, b, i))
            else:
                raise ValueError("word n-grams longer than two words are not supported")
        self._slots = slots
        self._base = max(len(slots), 1)
        keys = np.array([a * self._base + b for a, b, _ in pairs], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._pair_keys = keys[order]
        self._pair_ids = np.array([i for _, _, i in pairs], dtype=np.int64)[order]
        self.idf = np.asarray(idf, dtype=np.float64)
        # (features, outputs + 1): idf·w and idf², what one occurrence adds to a block
        self._weighted = np.hstack(
            [np.asarray(weights, dtype=np.float64) * self.idf[:, None], (self.idf**2)[:, None]]
        )
        self.width = self._weighted.shape[1]  # outputs + 1
        self.lock = threading.Lock()
        self._reset(1024)

    def _reset(self, capacity: int) -> None:
        np = self.np
        self._index = _Index()
        self._index.learn = self._learn
        self._raw = _RawIndex()
        self._raw.index = self._index
        self._raw.normalize = self._normalize_word
        self._count = 0
        # per word: [Σ idf·w, Σ idf² of its char n-grams | the same for its unigram]
        self._sums = np.zeros((capacity, 2 * self.width), dtype=np.float64)
        self._word = np.full((capacity, 2), -1, dtype=np.int64)  # unigram id, bigram slot
        self._ptr = np.zeros(capacity + 1, dtype=np.int64)  # its char ids: _ids[ptr[i]:ptr[i+1]]
        self._ids = np.zeros(capacity * 16, dtype=np.int64)

    def __len__(self) -> int:
        return self._count

    # ------------------------------------------------------------------ new words
    def _learn(self, word: str) -> int:
        np = self.np
        row = self._count
        if row == len(self._word):
            self._sums = np.concatenate([self._sums, np.zeros_like(self._sums)])
            self._word = np.concatenate([self._word, np.full_like(self._word, -1)])
            self._ptr = np.concatenate([self._ptr, np.zeros(row, dtype=np.int64)])
        ids = [i for i in map(self._char_ids.get, self._char_ngrams(word)) if i is not None]
        start = int(self._ptr[row])
        end = start + len(ids)
        if end > len(self._ids):
            self._ids = np.concatenate([self._ids, np.zeros(max(end, len(self._ids)), np.int64)])
        self._ids[start:end] = ids
        self._ptr[row + 1] = end
        if ids:
            self._sums[row, : self.width] = self._weighted[ids].sum(axis=0)
        unigram = self._unigram.get(word, -1)
        if unigram >= 0:
            self._sums[row, self.width :] = self._weighted[unigram]
        self._word[row] = unigram, self._slots.get(word, -1)
        self._index[word] = row
        self._count = row + 1
        return row

    # ------------------------------------------------------------------ a batch
    # The caller holds ``lock`` from ``begin`` until ``batch`` returns: rows stay valid.
    def begin(self) -> None:
        """Start a batch: a memo grown past ``limit`` starts again here, never inside."""
        if self._count > self.limit:
            self._reset(1024)

    def rows_of_raw(self, raw_words: list[str]) -> list[int]:
        """The memo rows of a message's normalised words, from its raw words."""
        return list(chain.from_iterable(map(self._raw.__getitem__, raw_words)))

    def rows_of(self, words: list[str]) -> list[int]:
        """The memo rows of normalised words."""
        return list(map(self._index.__getitem__, words))

    def batch(self, texts: Sequence[list[int]]):
        """``(blocks, keys)`` for texts given as memo rows (at least one each): the sorted
        keys of every known n-gram occurrence, and per text the two TF-IDF blocks'
        ``Σ tfidf·w`` and ``Σ tfidf²``, an array of shape ``(2 · texts, outputs + 1)``
        (line ``2t`` the characters and ``2t + 1`` the words of text ``t``)."""
        np = self.np
        rows = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=rows)
        wids = np.fromiter(chain.from_iterable(texts), dtype=np.int64, count=int(lengths.sum()))
        sums = np.take(self._sums, wids, axis=0)
        first = self._ptr[wids]
        count = self._ptr[wids + 1] - first
        word = np.take(self._word, wids, axis=0)
        char_ids = self._ids[_ranges(np, first, count)]
        starts = np.zeros(rows, dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        out = np.add.reduceat(sums, starts, axis=0).reshape(2 * rows, self.width)
        row_of = np.repeat(np.arange(rows, dtype=np.int64), lengths)
        keys = [np.repeat(row_of << ROW_SHIFT, count) | char_ids]
        unigram, slot = word[:, 0], word[:, 1]
        known = unigram >= 0
        keys.append((row_of[known] << ROW_SHIFT) | unigram[known])
        bigrams = self._bigrams(row_of, slot)
        if bigrams is not None:
            keys.append(bigrams)
            rows_b = bigrams >> ROW_SHIFT
            order = np.argsort(rows_b, kind="stable")
            _add_rows(np, out, 2 * rows_b[order] + 1, self._weighted[bigrams[order] & FEATURE_MASK])
        keys = np.sort(np.concatenate(keys))
        self._correct_repeats(out, keys)
        return out, keys

    def _bigrams(self, row_of, slot):
        """Keys of the known word bigrams, or None."""
        np = self.np
        if len(slot) < 2 or not len(self._pair_keys):
            return None
        a, b = slot[:-1], slot[1:]
        ok = (row_of[:-1] == row_of[1:]) & (a >= 0) & (b >= 0)
        if not ok.any():
            return None
        key = a[ok] * self._base + b[ok]
        at = np.searchsorted(self._pair_keys, key)
        at[at == len(self._pair_keys)] = 0
        hit = self._pair_keys[at] == key
        if not hit.any():
            return None
        return (row_of[:-1][ok][hit] << ROW_SHIFT) | self._pair_ids[at[hit]]

    def _correct_repeats(self, out, keys) -> None:
        """An n-gram seen c > 1 times in a text was summed c times; TF-IDF wants
        ``1 + ln c`` (and ``(1 + ln c)²`` in the norm)."""
        np = self.np
        if len(keys) < 2:
            return
        same = keys[1:] == keys[:-1]
        if not same.any():
            return
        extra = keys[1:][same]  # one entry per occurrence after the first, still sorted
        starts = np.flatnonzero(np.concatenate(([True], extra[1:] != extra[:-1])))
        repeated = extra[starts]
        c = np.diff(np.append(starts, len(extra))) + 1.0
        feature, row = repeated & FEATURE_MASK, repeated >> ROW_SHIFT
        log_c = np.log(c)
        line = 2 * row + (feature >= self.n_char)  # sorted, as the keys are
        weighted = self._weighted[feature]
        weighted[:, :-1] *= (c - 1.0 - log_c)[:, None]
        weighted[:, -1] *= c - (1.0 + log_c) ** 2
        _add_rows(np, out, line, -weighted)


def _ranges(np, first, count):
    """Concatenated ``arange(first[i], first[i] + count[i])`` for every i."""
    total = int(count.sum())
    ends = np.cumsum(count)
    return np.arange(total, dtype=np.int64) + np.repeat(first - (ends - count), count)


def _add_rows(np, out, line, values) -> None:
    """``out[line[i]] += values[i]`` for a sorted ``line``."""
    if not len(line):
        return
    starts = np.flatnonzero(np.concatenate(([True], line[1:] != line[:-1])))
    out[line[starts]] += np.add.reduceat(values, starts, axis=0)
