"""The learned half of the crisis detector: a linear model over character and word n-grams.

Pure Python + numpy + pyahocorasick (no discord imports, no scikit-learn at run time).  The
model is built from the repository by ``make train`` (:mod:`bot.safety.training`), nothing
is downloaded: multinomial logistic regressions over TF-IDF character n-grams (3-5, inside
word boundaries, scikit-learn's ``char_wb``) and word n-grams (1-2), trained with
scikit-learn and stored as plain arrays (``data/models/detector.npz``).  Outputs:

* ``none, distress, concern_other, harassment, crisis_1, crisis_2, crisis_3`` (softmax;
  ``crisis_N`` is crisis about the writer at tier N);
* ``respite, warmline, peer`` (one-vs-rest: resources the writer asks for);
* ``en, es, fr, de, pt`` (softmax: the message's language, which picks the reply catalogue).

Inference finds every known n-gram in one pass of an Aho-Corasick automaton per kind (in C),
then does the TF-IDF weighting and the dot products with numpy: ~10x faster than
re-creating scikit-learn's vectorizers, and without importing scikit-learn (~85 MB of
memory).  A test checks that these features equal scikit-learn's on every line of the data.

Text goes through the same :func:`bot.safety.normalize.normalize` the phrase engine uses
(markup, quotes and code dropped, leetspeak, homoglyphs, spacing), so both layers read the
same words.  A long message is also judged sentence window by sentence window and each risk
label keeps its highest probability, so one heavy sentence in a long post is not averaged
away.  Prediction never raises on a ``str``, keeps nothing and logs no text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.safety.normalize import normalize

__all__ = [
    "CLASSES",
    "LANGS",
    "NEEDS",
    "Classifier",
    "Scores",
    "char_wb_ngrams",
    "default_model_dir",
    "prepare",
    "word_ngrams",
]

log = logging.getLogger(__name__)

CLASSES = (
    "none",
    "distress",
    "concern_other",
    "harassment",
    "crisis_1",
    "crisis_2",
    "crisis_3",
)
NEEDS = ("respite", "warmline", "peer")
LANGS = ("en", "es", "fr", "de", "pt")
RISK = ("concern_other", "harassment", "crisis_1", "crisis_2", "crisis_3")
WINDOW_TOKENS = 28  # sentences are grouped into windows of about this many tokens
MIN_WINDOWED = 40  # messages shorter than this many tokens are judged whole only
CHAR_RANGE = (3, 5)
WORD_RANGE = (1, 2)
MODEL_FILE = "detector.npz"
META_FILE = "detector.json"


@dataclass(frozen=True, slots=True)
class Scores:
    """Probabilities from the model (each in [0, 1]); ``judged`` says the judge ran."""

    classes: dict[str, float]
    needs: dict[str, float]
    lang: str
    lang_score: float = 0.0

    @property
    def crisis(self) -> float:
        """Probability that this is crisis about the writer, any tier."""
        c = self.classes
        return c["crisis_1"] + c["crisis_2"] + c["crisis_3"]

    @property
    def tier(self) -> int:
        c = self.classes
        return max((1, 2, 3), key=lambda t: c[f"crisis_{t}"])


EMPTY = Scores(
    classes={name: (1.0 if name == "none" else 0.0) for name in CLASSES},
    needs=dict.fromkeys(NEEDS, 0.0),
    lang="en",
)


def prepare(text: str) -> str:
    """The models' view of a message: normalised, one line, clause marks kept as tokens."""
    return normalize(text).strip()


def char_wb_ngrams(text: str, lo: int = CHAR_RANGE[0], hi: int = CHAR_RANGE[1]) -> list[str]:
    """scikit-learn's ``analyzer="char_wb"`` n-grams (same multiset, any order)."""
    grams: list[str] = []
    extend = grams.extend
    for word in text.split():
        w = " " + word + " "
        size = len(w)
        for n in range(lo, hi + 1):
            if size <= n:
                grams.append(w)  # a short word counts once, whole
                break
            extend([w[i : i + n] for i in range(size - n + 1)])
    return grams


def word_ngrams(text: str, lo: int = WORD_RANGE[0], hi: int = WORD_RANGE[1]) -> list[str]:
    """scikit-learn's word n-grams for ``token_pattern=r"\\S+"`` (lowercase text)."""
    tokens = text.split()
    grams = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _windows(prepared: str) -> list[str]:
    """Sentence windows of a long prepared text (empty for short texts)."""
    tokens = prepared.split()
    if len(tokens) < MIN_WINDOWED:
        return []
    windows: list[str] = []
    current: list[str] = []
    for token in tokens:
        current.append(token)
        if token == "." and len(current) >= WINDOW_TOKENS // 2:
            windows.append(" ".join(current))
            current = []
        elif len(current) >= WINDOW_TOKENS:
            windows.append(" ".join(current))
            current = current[-4:]  # a little overlap so a phrase cut in two is seen whole
    if len(current) > 4:
        windows.append(" ".join(current))
    return windows


def default_model_dir() -> Path:
    from bot.safety.detector import project_root

    return project_root() / "data" / "models"


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

    BITS = 18

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
        self.id1 = np.full(size, -1, dtype=np.int64)
        self.key2 = np.zeros(size, dtype=np.uint64)
        self.id2 = np.full(size, -1, dtype=np.int64)
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
        self.rest_ids = np.array(rest_ids, dtype=np.int64)[order]

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


class Classifier:
    """The loaded model.  Thread-safe for prediction; immutable after loading."""

    _default: Classifier | None = None
    _default_lock = threading.Lock()

    def __init__(self, arrays: dict, version: str = "", meta: dict | None = None) -> None:
        import numpy as np

        self.np = np
        self.version = version
        self.meta = meta or {}
        self._hasher = _Hasher(np)
        self._hasher._powers(1 << 16)  # built once here, not inside a message's batch
        char_vocab = [str(g) for g in arrays["char_vocab"]]
        word_vocab = [str(g) for g in arrays["word_vocab"]]
        self.n_char = len(char_vocab)
        self._chars = self._table(char_vocab, 0)
        self._words = self._table(word_vocab, self.n_char)
        self.idf = np.asarray(arrays["idf"], dtype=np.float32)
        if len(self.idf) >= 1 << 24:
            raise ValueError("the model has more features than the feature keys can hold")
        # (features × outputs): classes, needs, languages; gathered by row at once
        self.weights = np.ascontiguousarray(
            np.hstack([arrays["coef"].T, arrays["need_coef"].T, arrays["lang_coef"].T]).astype(
                np.float32
            )
        )
        self.bias = np.concatenate(
            [arrays["intercept"], arrays["need_intercept"], arrays["lang_intercept"]]
        ).astype(np.float64)
        self._split = (len(CLASSES), len(CLASSES) + len(NEEDS))

    def _table(self, vocab: list[str], offset: int) -> _Table:
        return _Table(self.np, [gram_hash(g) for g in vocab], offset)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path) -> Classifier:
        import numpy as np

        path = Path(path)
        raw = path.read_bytes()
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta_path = path.with_name(META_FILE)
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls(arrays, f"lr-{hashlib.sha256(raw).hexdigest()[:10]}", meta)

    @classmethod
    def default(cls) -> Classifier | None:
        """The shipped model, loaded once per process; None (phrase engine only) if absent."""
        with cls._default_lock:
            if cls._default is None:
                path = default_model_dir() / MODEL_FILE
                if not path.exists():
                    log.warning("detector model %s missing: phrase engine only", path)
                    return None
                cls._default = cls.load(path)
            return cls._default

    # ------------------------------------------------------------------ features
    def _codes(self, text: str):
        np = self.np
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)

    def batch_ids(self, texts: Sequence[str]):
        """(row, feature id) of every known n-gram occurrence in each prepared text.

        The texts are laid end to end, words padded as scikit-learn's ``char_wb`` pads them
        (so no n-gram crosses a word or a message), and every n-gram is hashed at once.
        """
        np = self.np
        token_lists = [t.split() for t in texts]
        rows_out, ids_out = [], []
        # character n-grams: " w1  w2 " per message, n-grams with no space inside
        parts = [" " + "  ".join(tokens) + " " for tokens in token_lists]
        char_text = "".join(parts)
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        row_at = np.repeat(np.arange(len(parts)), lengths)  # the message of each position
        codes = self._codes(char_text)
        size = len(codes)
        g = self._hasher.prefix(codes)
        spaces = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(codes == 32, out=spaces[1:])
        for n in range(CHAR_RANGE[0], CHAR_RANGE[1] + 1):
            if size < n:
                break
            # n-grams starting at i with no space strictly inside: spaces[i+n-1] == spaces[i+1]
            i = np.flatnonzero(spaces[n - 1 : size] == spaces[1 : size - n + 2])
            found, ids = self._chars.lookup(self._hasher.span(g, i, i + n))
            rows_out.append(row_at[i[found]])
            ids_out.append(ids)
        # word n-grams: " w1 w2 " per message
        word_text = "".join(" " + " ".join(tokens) + " " for tokens in token_lists)
        codes = self._codes(word_text)
        if len(codes):
            g = self._hasher.prefix(codes)
            is_space = codes == 32
            edge = np.diff(is_space.astype(np.int8))
            w_start = np.flatnonzero(edge == -1) + 1
            w_end = np.flatnonzero(edge == 1) + 1
            w_row = np.repeat(np.arange(len(token_lists)), [len(t) for t in token_lists])
            spans = [(w_start, w_end, w_row)]
            if WORD_RANGE[1] >= 2 and len(w_start) > 1:
                same = w_row[:-1] == w_row[1:]
                spans.append((w_start[:-1][same], w_end[1:][same], w_row[:-1][same]))
            for lo, hi, rows in spans:
                found, ids = self._words.lookup(self._hasher.span(g, lo, hi))
                rows_out.append(rows[found])
                ids_out.append(ids)
        if not ids_out:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows_out).astype(np.int64), np.concatenate(ids_out)

    def _totals(self, texts: Sequence[str]):
        """Output logits, one row per prepared text."""
        np = self.np
        rows, ids = self.batch_ids(texts)
        totals = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        if len(ids):
            uniq, counts = np.unique((rows << 24) | ids, return_counts=True)
            row_of = uniq >> 24
            feature = uniq & 0xFFFFFF
            values = (1.0 + np.log(counts.astype(np.float32))) * self.idf[feature]
            # L2-normalise each text's character part and word part separately
            segment = (row_of << 1) | (feature >= self.n_char)
            norms = np.sqrt(np.bincount(segment, weights=values * values)).astype(np.float32)
            values /= norms[segment]
            contrib = np.take(self.weights, feature, axis=0)  # faster than fancy indexing
            contrib *= values[:, None]
            wanted = np.arange(len(texts))
            starts = np.searchsorted(row_of, wanted, side="left")
            ends = np.searchsorted(row_of, wanted, side="right")
            present = ends > starts
            if present.any():
                totals[present] = np.add.reduceat(contrib, starts[present], axis=0)
        return totals.astype(np.float64) + self.bias

    # ------------------------------------------------------------------ prediction
    def scores(self, text: str) -> Scores:
        """Probabilities for one message."""
        return self.scores_batch([text])[0]

    def scores_batch(self, texts: Sequence[str] | Iterable[str]) -> list[Scores]:
        """Scores for many messages at once (what the worker thread calls)."""
        np = self.np
        out: list[Scores] = []
        units: list[str] = []  # each message, then its sentence windows when it is long
        owner: list[int] = []
        for index, text in enumerate(texts):
            prepared = prepare(text)
            if not prepared or prepared == ".":
                out.append(EMPTY)
                continue
            out.append(EMPTY)  # placeholder, filled below
            for unit in (prepared, *_windows(prepared)):
                units.append(unit)
                owner.append(index)
        if not units:
            return out
        totals = self._totals(units)
        a, b = self._split
        logits = totals[:, :a]
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        needs = 1.0 / (1.0 + np.exp(-totals[:, a:b]))
        lang_logits = totals[:, b:]
        lang_p = np.exp(lang_logits - lang_logits.max(axis=1, keepdims=True))
        lang_p /= lang_p.sum(axis=1, keepdims=True)
        # one row per message: its whole text, with each risk class and need raised to the
        # highest any of its sentence windows reached (reduceat over each message's units)
        owners = np.asarray(owner)
        first = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        risk = [CLASSES.index(name) for name in RISK]
        whole = probs[first]
        whole[:, risk] = np.maximum.reduceat(probs[:, risk], first, axis=0)
        need = np.maximum.reduceat(needs, first, axis=0)
        lang = lang_p[first].argmax(axis=1)
        conf = lang_p[first, lang]
        rows = zip(
            owners[first].tolist(),
            whole.tolist(),
            need.tolist(),
            lang.tolist(),
            conf.tolist(),
            strict=True,
        )
        for index, classes, wanted, language, confidence in rows:
            out[index] = Scores(
                dict(zip(CLASSES, classes, strict=True)),
                dict(zip(NEEDS, wanted, strict=True)),
                LANGS[language],
                confidence,
            )
        return out
