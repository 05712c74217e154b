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


class Classifier:
    """The loaded model.  Thread-safe for prediction; immutable after loading."""

    _default: Classifier | None = None
    _default_lock = threading.Lock()

    def __init__(self, arrays: dict, version: str = "", meta: dict | None = None) -> None:
        import ahocorasick
        import numpy as np

        self.np = np
        self.version = version
        self.meta = meta or {}
        self._char = ahocorasick.Automaton()
        for i, gram in enumerate(arrays["char_vocab"]):
            self._char.add_word(str(gram), i)
        self.n_char = len(arrays["char_vocab"])
        self._word = ahocorasick.Automaton()
        for i, gram in enumerate(arrays["word_vocab"]):
            self._word.add_word(f" {gram} ", i + self.n_char)
        for automaton in (self._char, self._word):
            if len(automaton):
                automaton.make_automaton()
        self.idf = np.asarray(arrays["idf"], dtype=np.float64)
        # (features × outputs): classes, needs, languages; gathered by row at once
        self.weights = np.ascontiguousarray(
            np.hstack([arrays["coef"].T, arrays["need_coef"].T, arrays["lang_coef"].T]).astype(
                np.float64
            )
        )
        self.bias = np.concatenate(
            [arrays["intercept"], arrays["need_intercept"], arrays["lang_intercept"]]
        ).astype(np.float64)
        self._split = (len(CLASSES), len(CLASSES) + len(NEEDS))

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

    # ------------------------------------------------------------------ prediction
    def features(self, prepared: str):
        """(feature ids, TF-IDF values), each kind L2-normalised, as scikit-learn does."""
        np = self.np
        tokens = prepared.split()
        parts = []
        for automaton, text in (
            (self._char, " " + "  ".join(tokens) + " "),
            (self._word, " " + " ".join(tokens) + " "),
        ):
            found = [i for _, i in automaton.iter(text)] if tokens else []
            if not found:
                continue
            ids, counts = np.unique(np.array(found, dtype=np.int64), return_counts=True)
            values = (1.0 + np.log(counts)) * self.idf[ids]
            values /= np.sqrt(values @ values)
            parts.append((ids, values))
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _predict(self, prepared: str):
        np = self.np
        ids, values = self.features(prepared)
        total = self.bias + values @ self.weights[ids] if len(ids) else self.bias.copy()
        a, b = self._split
        logits = total[:a]
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        needs = 1.0 / (1.0 + np.exp(-total[a:b]))
        langs = np.exp(total[b:] - total[b:].max())
        langs /= langs.sum()
        return probs, needs, langs

    def scores(self, text: str) -> Scores:
        """Probabilities for one message."""
        prepared = prepare(text)
        if not prepared or prepared == ".":
            return EMPTY
        probs, needs, langs = self._predict(prepared)
        classes = {name: float(p) for name, p in zip(CLASSES, probs, strict=True)}
        need_scores = {name: float(p) for name, p in zip(NEEDS, needs, strict=True)}
        for window in _windows(prepared):
            part, part_needs, _ = self._predict(window)
            for i, name in enumerate(CLASSES):
                if name in RISK:
                    classes[name] = max(classes[name], float(part[i]))
            for i, name in enumerate(NEEDS):
                need_scores[name] = max(need_scores[name], float(part_needs[i]))
        best = int(langs.argmax())
        return Scores(classes, need_scores, LANGS[best], float(langs[best]))

    def scores_batch(self, texts: Sequence[str] | Iterable[str]) -> list[Scores]:
        """Scores for many messages at once: the n-grams are found message by message, the
        arithmetic is done once for the whole batch (what the worker thread calls)."""
        np = self.np
        prepared = [prepare(t) for t in texts]
        out: list[Scores | None] = [None] * len(prepared)
        keys: list[np.ndarray] = []
        rows: list[int] = []
        width = len(self.idf)
        for row, text in enumerate(prepared):
            tokens = text.split()
            if not tokens or text == ".":
                out[row] = EMPTY
                continue
            if len(tokens) >= MIN_WINDOWED:
                out[row] = self.scores(text)  # long: judged window by window, on its own
                continue
            found = [i for _, i in self._char.iter(" " + "  ".join(tokens) + " ")]
            found += [i for _, i in self._word.iter(" " + " ".join(tokens) + " ")]
            keys.append(np.array(found, dtype=np.int64) + row * width)
            rows.append(row)
        if rows:
            totals = self._batch_totals(np.concatenate(keys), rows, width)
            a, b = self._split
            logits = totals[:, :a]
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            needs = 1.0 / (1.0 + np.exp(-totals[:, a:b]))
            langs = totals[:, b:].argmax(axis=1)
            lang_logits = totals[:, b:]
            lang_p = np.exp(lang_logits - lang_logits.max(axis=1, keepdims=True))
            lang_p /= lang_p.sum(axis=1, keepdims=True)
            for k, row in enumerate(rows):
                out[row] = Scores(
                    dict(zip(CLASSES, probs[k].tolist(), strict=True)),
                    dict(zip(NEEDS, needs[k].tolist(), strict=True)),
                    LANGS[int(langs[k])],
                    float(lang_p[k, langs[k]]),
                )
        return [s if s is not None else EMPTY for s in out]

    def _batch_totals(self, keys, rows: list[int], width: int):
        """Output logits (one row per message in ``rows``) from (row * width + feature) keys."""
        np = self.np
        uniq, counts = np.unique(keys, return_counts=True)
        row_of, feature = np.divmod(uniq, width)
        values = (1.0 + np.log(counts)) * self.idf[feature]
        # L2-normalise each message's character part and word part separately
        segment = row_of * 2 + (feature >= self.n_char)
        norms = np.sqrt(np.bincount(segment, weights=values * values))
        values /= norms[segment]
        contrib = self.weights[feature] * values[:, None]
        # keys are sorted, so each message's features are one contiguous run
        wanted = np.asarray(rows, dtype=np.int64)
        starts = np.searchsorted(row_of, wanted, side="left")
        ends = np.searchsorted(row_of, wanted, side="right")
        totals = np.zeros((len(rows), self.weights.shape[1]))
        present = ends > starts
        if present.any():
            totals[present] = np.add.reduceat(contrib, starts[present], axis=0)
        return totals + self.bias
