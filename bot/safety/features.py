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
from itertools import chain, repeat

__all__ = ["WordMemo"]

ROW_SHIFT = 24  # keys are (text << 24 | feature id); feature ids fit in 24 bits
FEATURE_MASK = (1 << ROW_SHIFT) - 1
#: New words whose tables are filled at once, between two of the worker's checkpoints: a batch
#: that brings thousands (a cold memo, a long message of new words) no longer fills them in
#: one stretch that keeps the event loop waiting (up to 9.4 ms measured in bursts).
SETTLE_SLICE = 256


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

    limit = 30_000  # words remembered before the memo starts again (~15 MB when full)

    def __init__(
        self,
        np,
        char_vocab: Sequence[str],
        word_vocab: Sequence[str],
        idf,
        weights,
        char_range: tuple[int, int],
        normalize_word: Callable[[str], str],
    ) -> None:
        self.np = np
        self._normalize_word = normalize_word  # a raw word → its normalised word(s)
        self._char_range = char_range  # char_wb n-gram lengths, as the model was trained
        self.n_char = len(char_vocab)
        if len(idf) > FEATURE_MASK:
            raise ValueError("the model has more features than the feature keys can hold")
        self._hasher = _Hasher(np)
        self._hasher._powers(1 << 13)  # built once here, not inside a message's batch
        self._chars = _Table(np, [gram_hash(g) for g in char_vocab], 0)
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
        idf = np.asarray(idf, dtype=np.float64)
        # (features, outputs + 1): idf·w and idf², what one occurrence adds to a block;
        # written in place, without whole-size temporaries (the peak memory of loading)
        outputs = weights.shape[1]
        self._weighted = np.empty((len(idf), outputs + 1), dtype=np.float64)
        np.multiply(weights, idf[:, None], out=self._weighted[:, :outputs])
        np.multiply(idf, idf, out=self._weighted[:, outputs])
        self.width = outputs + 1
        self.lock = threading.Lock()
        self._reset()

    def word_idf(self, word: str) -> float | None:
        """The idf of a normalised word the model knows as a word of its own, else None
        (read-only after loading: safe from any thread without the lock)."""
        index = self._unigram.get(word)
        return None if index is None else float(self._weighted[index, -1]) ** 0.5

    def _reset(self) -> None:
        """An empty memo, its tables sized for ``limit`` words (and a last batch's worth
        beyond it) at once: zero-filled arrays take memory only as rows are written, and a
        message of new words never waits for a table to be copied into a bigger one."""
        np = self.np
        capacity = self.limit + 8192
        self._index = _Index()
        self._index.learn = self._learn
        self._raw = _RawIndex()
        self._raw.index = self._index
        self._raw.normalize = self._normalize_word
        self._count = 0
        self._pending: list[str] = []  # words given a row, their tables not filled yet
        # per word: [Σ idf·w, Σ idf² of its char n-grams | the same for its unigram]
        self._sums = np.zeros((capacity, 2 * self.width), dtype=np.float64)
        self._word = np.full((capacity, 2), -1, dtype=np.int64)  # unigram id, bigram slot
        self._ptr = np.zeros(capacity + 1, dtype=np.int64)  # its char ids: _ids[ptr[i]:ptr[i+1]]
        self._ids = np.zeros(capacity * 16, dtype=np.int32)

    def __len__(self) -> int:
        return self._count

    # ------------------------------------------------------------------ new words
    def _learn(self, word: str) -> int:
        """Give a new word its row; its tables are filled for all new words at once."""
        row = self._count
        self._index[word] = row
        self._pending.append(word)
        self._count = row + 1
        return row

    def _settle(self, pause: Callable[[], object] | None = None) -> None:
        """Fill the tables of the words learnt since the last batch (a few numpy calls for
        all of them: a message of 4,000 characters of new words stays cheap); with ``pause``
        (the worker's checkpoint), ``SETTLE_SLICE`` words at a time with a pause between."""
        np = self.np
        words, self._pending = self._pending, []
        first = self._count - len(words)
        while self._count > len(self._word):
            self._sums = np.concatenate([self._sums, np.zeros_like(self._sums)])
            self._word = np.concatenate([self._word, np.full_like(self._word, -1)])
            self._ptr = np.concatenate([self._ptr, np.zeros(len(self._ptr) - 1, np.int64)])
        if pause is None:  # no checkpoints wanted: at once, a few numpy calls the fewer
            self._fill_tables(words, first)
            return
        for at in range(0, len(words), SETTLE_SLICE):
            if at:
                pause()
            self._fill_tables(words[at : at + SETTLE_SLICE], first + at)

    def _fill_tables(self, words: list[str], first: int) -> None:
        """The tables of ``words``, the memo's rows ``first`` onwards, in order (the rows
        before them filled already)."""
        np = self.np
        last = first + len(words)
        word_of, flat = self._char_ngram_ids(words)
        order = np.argsort(word_of, kind="stable")  # each word's ids together
        flat = flat[order].astype(np.int64)
        counts = np.bincount(word_of, minlength=len(words))
        start = int(self._ptr[first])
        end = start + len(flat)
        while end > len(self._ids):
            self._ids = np.concatenate([self._ids, np.zeros_like(self._ids)])
        self._ids[start:end] = flat
        self._ptr[first + 1 : last + 1] = start + np.cumsum(counts)
        some = np.flatnonzero(counts)
        if len(some):
            offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))[some]
            self._sums[first + some, : self.width] = np.add.reduceat(
                self._weighted[flat], offsets, axis=0
            )
        unigram = np.fromiter(
            map(self._unigram.get, words, repeat(-1)), dtype=np.int64, count=len(words)
        )
        known = np.flatnonzero(unigram >= 0)
        self._sums[first + known, self.width :] = self._weighted[unigram[known]]
        self._word[first:last, 0] = unigram
        self._word[first:last, 1] = list(map(self._slots.get, words, repeat(-1)))

    def _char_ngram_ids(self, words: list[str]):
        """(word index, char n-gram id) of every known char_wb n-gram of each word, all
        hashed at once with numpy: the words laid end to end as `` w1  w2 `` (so no n-gram
        crosses two), every n-gram with no space inside hashed from two prefix arrays and
        looked up in the vocabulary's hash table."""
        np = self.np
        parts = [" " + w + " " for w in words]
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        word_at = np.repeat(np.arange(len(parts)), lengths)  # the word of each position
        codes = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64)
        size = len(codes)
        g = self._hasher.prefix(codes)
        spaces = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(codes == 32, out=spaces[1:])
        rows_out, ids_out = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int32)]
        for n in range(self._char_range[0], self._char_range[1] + 1):
            if size < n:
                break
            # n-grams starting at i with no space strictly inside: spaces[i+n-1] == spaces[i+1]
            i = np.flatnonzero(spaces[n - 1 : size] == spaces[1 : size - n + 2])
            found, ids = self._chars.lookup(self._hasher.span(g, i, i + n))
            rows_out.append(word_at[i[found]])
            ids_out.append(ids)
        return np.concatenate(rows_out), np.concatenate(ids_out)

    # ------------------------------------------------------------------ a batch
    # The caller holds ``lock`` from ``begin`` until ``batch`` returns: rows stay valid.
    def begin(self) -> None:
        """Start a batch: a memo grown past ``limit`` starts again here, never inside."""
        if self._count > self.limit:
            self._reset()

    def rows_of_raw(self, raw_words: list[str]) -> list[int]:
        """The memo rows of a message's normalised words, from its raw words."""
        raw = self._raw
        if len(raw_words) > 64:  # a long message: its new words at once, not one by one
            new = [w for w in dict.fromkeys(raw_words) if w not in raw]
            if new:
                self._learn_raw(new)
        return list(chain.from_iterable(map(raw.__getitem__, raw_words)))

    def _learn_raw(self, new: list[str]) -> None:
        """What ``_RawIndex.__missing__`` and ``_learn`` do word by word, for many distinct
        raw words at once (the same rows in the same order)."""
        index = self._index
        words = [self._normalize_word(w).split() for w in new]
        fresh = [w for w in dict.fromkeys(chain.from_iterable(words)) if w not in index]
        if fresh:
            first = self._count
            index.update(zip(fresh, range(first, first + len(fresh)), strict=True))
            self._pending.extend(fresh)
            self._count = first + len(fresh)
        get = index.__getitem__
        self._raw.update(zip(new, (tuple(map(get, w)) for w in words), strict=True))

    def rows_of(self, words: list[str]) -> list[int]:
        """The memo rows of normalised words."""
        return list(map(self._index.__getitem__, words))

    def batch(self, texts: Sequence[list[int]], pause: Callable[[], object] | None = None):
        """``(blocks, keys)`` for texts given as memo rows (at least one each): the sorted
        keys of every known n-gram occurrence, and per text the two TF-IDF blocks'
        ``Σ tfidf·w`` and ``Σ tfidf²``, an array of shape ``(2 · texts, outputs + 1)``
        (line ``2t`` the characters and ``2t + 1`` the words of text ``t``). ``pause`` is
        called between slices of new words, once their tables are filled, and before the keys
        are sorted (the worker's checkpoints)."""
        np = self.np
        if self._pending:
            self._settle(pause)
            if pause is not None:
                pause()
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
        keys = np.concatenate(keys)
        if pause is not None:
            pause()
        if rows <= 1 << (32 - ROW_SHIFT):  # the keys fit 32 bits: half the bytes to sort
            keys = np.sort(keys.astype(np.uint32)).astype(np.int64)
        else:
            keys = np.sort(keys)
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


_MASK = (1 << 64) - 1
_P = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_Q = pow(_P, -1, 1 << 64)


def gram_hash(gram: str) -> int:
    """64-bit polynomial hash of a string (Horner, modulo 2**64)."""
    h = 0
    for ch in gram:
        h = (h * _P + ord(ch)) & _MASK
    return h


class _Hasher:
    """Every substring hash of a long text from two prefix arrays, with numpy.

    With ``G[i] = Σ_{k<i} c_k Q^k`` (``Q = P⁻¹`` mod 2**64), the hash of ``text[i:j]`` is
    ``P^(j-1) · (G[j] - G[i])``: the same value :func:`gram_hash` gives the substring alone.
    """

    def __init__(self, np) -> None:
        self.np = np
        self._pow_p = np.ones(1, dtype=np.uint64)
        self._pow_q = np.ones(1, dtype=np.uint64)

    def _powers(self, n: int) -> None:
        np = self.np
        if len(self._pow_p) >= n:
            return
        size = max(n, 2 * len(self._pow_p), 4096)
        p = np.full(size, _P, dtype=np.uint64)
        p[0] = 1
        q = np.full(size, _Q, dtype=np.uint64)
        q[0] = 1
        self._pow_p = np.cumprod(p, dtype=np.uint64)  # wraps modulo 2**64, as intended
        self._pow_q = np.cumprod(q, dtype=np.uint64)

    def prefix(self, codes):
        np = self.np
        self._powers(len(codes) + 1)
        g = np.zeros(len(codes) + 1, dtype=np.uint64)
        np.cumsum(codes * self._pow_q[: len(codes)], dtype=np.uint64, out=g[1:])
        return g

    def span(self, g, start, end):
        return self._pow_p[end - 1] * (g[end] - g[start])


class _Table:
    """Feature ids by 64-bit n-gram hash: two direct-address tables (one random read per
    n-gram for almost every lookup) and a sorted overflow for keys that collide in both."""

    BITS = 17

    def __init__(self, np, hashes: list[int], offset: int) -> None:
        self.np = np
        size = 1 << self.BITS
        self.mask = np.uint64(size - 1)
        self.shift = np.uint64(64 - self.BITS)
        keys = np.array(hashes, dtype=np.uint64)
        if len(keys) > 1 and len(np.unique(keys)) != len(keys):
            raise ValueError("two n-grams of the model share a 64-bit hash")
        ids = np.arange(len(keys), dtype=np.int64) + offset
        self.key1 = np.zeros(size, dtype=np.uint64)
        self.id1 = np.full(size, -1, dtype=np.int32)
        self.key2 = np.zeros(size, dtype=np.uint64)
        self.id2 = np.full(size, -1, dtype=np.int32)
        rest_keys, rest_ids = [], []
        for key, ident in zip(keys.tolist(), ids.tolist(), strict=True):
            a, b = key & (size - 1), key >> (64 - self.BITS)
            if self.id1[a] < 0:
                self.key1[a], self.id1[a] = key, ident
            elif self.id2[b] < 0:
                self.key2[b], self.id2[b] = key, ident
            else:
                rest_keys.append(key)
                rest_ids.append(ident)
        order = np.argsort(np.array(rest_keys, dtype=np.uint64), kind="stable")
        self.rest_keys = np.array(rest_keys, dtype=np.uint64)[order]
        self.rest_ids = np.array(rest_ids, dtype=np.int32)[order]

    def lookup(self, hashes):
        """(found mask, feature ids of the found hashes, in order)."""
        np = self.np
        slot = hashes & self.mask
        out = self.id1[slot]
        taken = out >= 0
        hit = taken & (self.key1[slot] == hashes)
        # a key is only ever placed elsewhere when its first slot is taken: an empty first
        # slot means "not in the model" without a second look
        miss = taken & ~hit
        if miss.any():
            h = hashes[miss]
            slot = h >> self.shift
            second = (self.id2[slot] >= 0) & (self.key2[slot] == h)
            ids = np.where(second, self.id2[slot], -1)
            if len(self.rest_keys):
                pos = np.searchsorted(self.rest_keys, h)
                pos[pos == len(self.rest_keys)] = 0
                third = ~second & (self.rest_keys[pos] == h)
                ids = np.where(third, self.rest_ids[pos], ids)
            out = np.where(hit, out, -1)
            out[miss] = ids
            hit = out >= 0
        return hit, out[hit]


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
