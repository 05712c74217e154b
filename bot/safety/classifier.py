"""The learned half of the crisis detector: a linear model over character and word n-grams.

Pure Python + numpy (no discord imports, no scikit-learn at run time).  The
model is built from the repository by ``make train`` (:mod:`bot.safety.training`), nothing
is downloaded: multinomial logistic regressions over TF-IDF character n-grams (3-5, inside
word boundaries, scikit-learn's ``char_wb``) and word n-grams (1-2), trained with
scikit-learn and stored as plain arrays (``data/models/detector.npz``).  Outputs:

* ``none, distress, concern_other, harassment, crisis_1, crisis_2, crisis_3`` (softmax;
  ``crisis_N`` is crisis about the writer at tier N);
* ``respite, warmline, peer`` (one-vs-rest: resources the writer asks for);
* ``en, es, fr, de, pt`` (softmax: the message's language, which picks the reply catalogue).

Inference works word by word (:mod:`bot.safety.features`): each distinct word's n-gram ids
and TF-IDF-weighted sums are worked out once and remembered, a batch adds them up with a
few numpy calls and corrects the n-grams a message repeats; no scikit-learn at run time
(~85 MB of memory).  Tests check that these features equal scikit-learn's on every line of
the data and that the probabilities equal scikit-learn's pipeline.

Text goes through the same normalisation (:mod:`bot.safety.normalize`) the phrase engine uses
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
from collections.abc import Callable, Collection, Iterable, Sequence
from itertools import chain, pairwise
from pathlib import Path
from typing import NamedTuple, TypeVar

from bot.safety.features import FEATURE_MASK, ROW_SHIFT, WordMemo
from bot.safety.normalize import (
    has_leet,
    normalize,
    normalize_word,
    normalize_word_once,
    split_tokens,
)
from bot.safety.segment import BUDGET, MIN_RUN, segment, unknown_cost

__all__ = [
    "CLASSES",
    "LANGS",
    "NEEDS",
    "QUIET",
    "Classifier",
    "Quiet",
    "Scores",
    "char_wb_ngrams",
    "default_model_dir",
    "prepare",
    "word_ngrams",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
Pause = Callable[[], object] | None  # the worker's pacer (bot.safety.worker), at checkpoints
_UNITS_PAUSE = 32  # messages turned into memo rows between two of the pacer's checkpoints

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
_RISK = [CLASSES.index(name) for name in RISK]
WINDOW_TOKENS = 28  # sentences are grouped into windows of about this many tokens
MIN_WINDOWED = 40  # messages shorter than this many tokens are judged whole only
CHAR_RANGE = (3, 5)
WORD_RANGE = (1, 2)
MODEL_FILE = "detector.npz"
META_FILE = "detector.json"


class Scores(NamedTuple):
    """Probabilities from the model (each in [0, 1]).  A named tuple: immutable, and about
    five times cheaper to make than a frozen dataclass (one per message)."""

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


QUIET = Scores(classes={}, needs={}, lang="")  # "under every limit": see Quiet


class Quiet(NamedTuple):
    """Limits under which a message needs no look at all (every class and need score
    strictly below its limit), and which messages may be answered so (``eligible``)."""

    crisis: float  # crisis_1 + crisis_2 + crisis_3
    concern: float
    crisis_3: float
    harassment: float
    distress: float
    need: float
    eligible: Sequence[bool]

    def under(self, classes, needs):
        """Per row of ``classes`` (probabilities in CLASSES order) and ``needs``: True when
        every score is under its limit (the same sums and comparisons as in Python)."""
        c1, c2, c3 = (CLASSES.index(f"crisis_{t}") for t in (1, 2, 3))
        crisis = classes[:, c1] + classes[:, c2] + classes[:, c3]
        return (
            (crisis < self.crisis)
            & (classes[:, CLASSES.index("concern_other")] < self.concern)
            & (classes[:, c3] < self.crisis_3)
            & (classes[:, CLASSES.index("harassment")] < self.harassment)
            & (classes[:, CLASSES.index("distress")] < self.distress)
            & (needs.max(axis=1) < self.need)
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


def _windows(tokens: list[T], dot: T) -> list[list[T]]:
    """Sentence windows of a long text's prepared tokens, or of their memo rows (``dot``
    is the sentence mark, ``"."`` or its row); empty for short texts. Each window is a
    run of tokens: a sentence once it has half a window, else ``WINDOW_TOKENS`` tokens,
    the next starting 4 tokens back so a phrase cut in two is seen whole."""
    if len(tokens) < MIN_WINDOWED:
        return []
    windows: list[list[T]] = []
    start = 0
    for end, token in enumerate(tokens, start=1):
        size = end - start
        if token == dot and size >= WINDOW_TOKENS // 2:
            windows.append(tokens[start:end])
            start = end
        elif size >= WINDOW_TOKENS:
            windows.append(tokens[start:end])
            start = end - 4
    if len(tokens) - start > 4:
        windows.append(tokens[start:])
    return windows


def _piece_cost(run: str, idf: Callable[[str], float | None]) -> Callable[[int, int], float | None]:
    """``cost(start, end)`` for :func:`bot.safety.segment.segment`: the idf of the word
    ``run[start:end]`` normalises to, if the model knows it. Normalising changes only a
    piece with a leet character or a doubled letter (squeezed), so the others, most pieces,
    are looked up as they are."""
    leet = has_leet(run)
    doubled = [0]  # doubled[k]: how many k' < k have run[k'] == run[k' + 1]
    for a, b in pairwise(run):
        doubled.append(doubled[-1] + (a == b))

    def cost(start: int, end: int) -> float | None:
        piece = run[start:end]
        if not leet and doubled[end - 1] == doubled[start]:
            return idf(piece)
        word = normalize_word_once(piece)
        return idf(word) if word and " " not in word else None

    return cost


# The extra cost of a piece that ends in a doubled letter and is not the run's last: that
# letter may be the next word's first ("ughhate" is "ugh hate", not "ughh ate", which the
# doubled letter squeezed reads as "ugh ate"). It decides only near ties: "itstoomuch" still
# reads "its too much", as no split without such a piece is near in cost.
SQUEEZED_END = 1.0


def _letter_as_typed(
    run: str, cost: Callable[[int, int], float | None]
) -> Callable[[int, int], float | None]:
    """``cost`` with ``SQUEEZED_END`` added to every known piece that ends in a doubled letter
    before the run's end, so a split that reads each typed letter once wins a near tie."""
    last = len(run)

    def priced(start: int, end: int) -> float | None:
        price = cost(start, end)
        if price is not None and end < last and end - start > 2 and run[end - 1] == run[end - 2]:
            return price + SQUEEZED_END
        return price

    return priced


def _joinable(word: str, runs: Collection[str]) -> bool:
    """A word joined from spaced letters, or a single letter that may belong to one."""
    return word.isalnum() and (word in runs or len(word) == 1)


def default_model_dir() -> Path:
    from bot.safety.detector import project_root

    return project_root() / "data" / "models"


class Classifier:
    """The loaded model.  Thread-safe for prediction; immutable after loading."""

    _default: Classifier | None = None
    _default_lock = threading.Lock()

    def __init__(self, arrays: dict, version: str = "", meta: dict | None = None) -> None:
        import numpy as np

        self.np = np
        self.version = version
        self.meta = meta or {}
        char_vocab = [str(g) for g in arrays["char_vocab"]]
        word_vocab = [str(g) for g in arrays["word_vocab"]]
        self.n_char = len(char_vocab)
        idf = np.asarray(arrays["idf"], dtype=np.float32)
        # (features × outputs): classes, needs, languages, gathered by row at once. Filled one
        # block at a time, and not kept here once the memo has folded it with the idf: the
        # peak memory of loading is what a small host must have free (docs/detector.md).
        blocks = (("coef", len(CLASSES)), ("need_coef", len(NEEDS)), ("lang_coef", len(LANGS)))
        weights = np.empty((len(idf), sum(n for _, n in blocks)), dtype=np.float32)
        start = 0
        for key, width in blocks:
            weights[:, start : start + width] = np.asarray(arrays[key]).T
            start += width
        self.bias = np.concatenate(
            [arrays["intercept"], arrays["need_intercept"], arrays["lang_intercept"]]
        ).astype(np.float64)
        self._split = (len(CLASSES), len(CLASSES) + len(NEEDS))
        self._words = WordMemo(np, char_vocab, word_vocab, idf, weights, CHAR_RANGE, normalize_word)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path) -> Classifier:
        import numpy as np

        path = Path(path)
        with path.open("rb") as fh:  # hashed in chunks: the whole file is never held
            version = f"lr-{hashlib.file_digest(fh, 'sha256').hexdigest()[:10]}"
        meta_path = path.with_name(META_FILE)
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        # each array is read from the archive when the model asks for it, and let go after
        with np.load(path, allow_pickle=False) as data:
            return cls(data, version, meta)

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
    def readable(self, tokens: list[str], runs: Collection[str]) -> list[str]:
        """A message's words with letters spaced out one by one as the model can read them:
        each of its words joined from spaced letters (``runs``, as
        :func:`bot.safety.normalize.split_tokens` returns them) that is no word the model knows
        is split into words (:mod:`bot.safety.segment`: known ones, with a long word the model
        never met left whole among them), the first runs first up to
        ``BUDGET`` characters in all; every other word stays as written. Runs that follow
        one another, and single letters beside them ("s u i c i d 😭 a l": the emoji broke
        the run, leaving "a l" too short to be one), are read as one when they are not all
        known words, or when together they are one ("a 😭 d e u s" is "adeus", not "a deus")."""
        idf = self._words.word_idf
        budget = BUDGET

        def known(word: str) -> bool:
            return idf(normalize_word_once(word)) is not None

        def split(raw: str) -> list[str] | None:
            """``raw`` as known words, or None (then it stays as written)."""
            nonlocal budget
            if known(raw):
                return [raw]
            if not MIN_RUN <= len(raw) <= budget:
                return None
            budget -= len(raw)
            return segment(raw, _letter_as_typed(raw, _piece_cost(raw, idf)), unknown_cost)

        out: list[str] = []
        at, size = 0, len(tokens)
        while at < size:
            end = at
            while end < size and _joinable(tokens[end], runs):
                end += 1
            if end == at:  # an ordinary word
                out.append(tokens[at])
                at += 1
                continue
            group, at = tokens[at:end], end
            if not any(word in runs for word in group):
                out.extend(group)  # single letters alone
                continue
            if all(map(known, group)):
                # the writer's breaks are words, unless together they are one: "a 😭 d e u s"
                # (an emoji cut "adeus" into "a" and "deus") reads as it does without the emoji
                joined = "".join(group)
                out.extend([joined] if len(group) > 1 and known(joined) else group)
                continue
            read = split("".join(group))
            if read is None and len(group) > 1:  # each run on its own, then
                read = list(chain.from_iterable(split(raw) or (raw,) for raw in group))
            out.extend(read or group)
        return out

    def batch_ids(self, texts: Sequence[str]):
        """(row, feature id) of every known n-gram occurrence in each prepared text."""
        np = self.np
        memo = self._words
        with memo.lock:
            memo.begin()
            _, keys = memo.batch([memo.rows_of(t.split() or [""]) for t in texts])
        rows = keys >> ROW_SHIFT
        # a text with no word was given one empty word, which has no n-grams of its own
        keep = ~np.array([not t.split() for t in texts], dtype=bool)[rows]
        return rows[keep], keys[keep] & FEATURE_MASK

    def _totals(self, texts: Sequence[str]):
        """Output logits, one row per prepared (non-empty) text."""
        memo = self._words
        with memo.lock:
            memo.begin()
            return self._logits([memo.rows_of(t.split()) for t in texts])

    def _logits(self, units: Sequence[list[int]], pause: Pause = None):
        """Output logits, one row per text given as memo rows (the caller holds the memo's
        lock): each TF-IDF block (characters, words) L2-normalised, times the weights, plus
        the bias."""
        np = self.np
        blocks, _ = self._words.batch(units, pause)
        norms = np.sqrt(np.maximum(blocks[:, -1:], 0.0))
        scaled = np.divide(
            blocks[:, :-1], norms, out=np.zeros_like(blocks[:, :-1]), where=norms > 0
        )
        return scaled[0::2] + scaled[1::2] + self.bias

    # ------------------------------------------------------------------ prediction
    def scores(self, text: str) -> Scores:
        """Probabilities for one message."""
        return self.scores_batch([text])[0]

    def scores_batch(self, texts: Sequence[str] | Iterable[str]) -> list[Scores]:
        """Scores for many messages at once (what the worker thread calls)."""
        return self.scores_tokens([split_tokens(text)[0] for text in texts])

    def scores_tokens(
        self,
        token_lists: Sequence[list[str]],
        quiet: Quiet | None = None,
        pause: Pause = None,
    ) -> list[Scores]:
        """Scores for messages given as :func:`bot.safety.normalize.split_tokens` gives
        their words (the phrase engine splits them the same way, so both share it).

        With ``quiet``, a message it marks eligible whose every score is under its limits
        gets the shared :data:`QUIET` instead of its own Scores (checked on the arrays at
        once: most chat never becomes Python floats). ``pause`` is called between the
        stages (the worker's checkpoints, see :mod:`bot.safety.worker`)."""
        out: list[Scores] = [EMPTY] * len(token_lists)  # empty texts keep EMPTY
        memo = self._words
        with memo.lock:
            memo.begin()
            units, owner = self._units(token_lists, pause)
            if not units:
                return out
            totals = self._logits(units, pause)
        if pause is not None:
            pause()
        self._fill(out, totals, owner, quiet)
        if pause is not None:
            pause()
        return out

    def _units(
        self, token_lists: Sequence[list[str]], pause: Pause = None
    ) -> tuple[list[list[int]], list[int]]:
        """Each non-empty message as memo rows, then its sentence windows when it is long;
        and the message each unit belongs to (the caller holds the memo's lock). ``pause``
        every ``_UNITS_PAUSE`` messages: a message's new words are normalised here."""
        memo = self._words
        units: list[list[int]] = []
        owner: list[int] = []
        (dot,) = memo.rows_of(["."])
        for index, raw in enumerate(token_lists):
            if pause is not None and index and not index % _UNITS_PAUSE:
                pause()
            rows = memo.rows_of_raw(raw)
            if not rows or (len(rows) == 1 and rows[0] == dot):
                continue
            units.append(rows)
            owner.append(index)
            if len(rows) >= MIN_WINDOWED:
                # the rows are the prepared words' rows, in order: window them directly
                for window in _windows(rows, dot):
                    units.append(window)
                    owner.append(index)
        return units, owner

    def _fill(self, out: list[Scores], totals, owner: list[int], quiet: Quiet | None) -> None:
        """Probabilities from the logits, one Scores per message into ``out``."""
        np = self.np
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
        if len(owner) == len(set(owner)):  # no windows: one unit per message
            first, whole, need = np.arange(len(owner)), probs, needs
        else:
            first = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
            whole = probs[first]
            whole[:, _RISK] = np.maximum.reduceat(probs[:, _RISK], first, axis=0)
            need = np.maximum.reduceat(needs, first, axis=0)
        owners = owners[first]
        if quiet is not None:
            loud = ~(quiet.under(whole, need) & np.asarray(quiet.eligible, dtype=bool)[owners])
            for index in owners[~loud].tolist():
                out[index] = QUIET
            if not loud.all():
                owners, whole, need, first = owners[loud], whole[loud], need[loud], first[loud]
        lang = lang_p[first].argmax(axis=1)
        conf = lang_p[first, lang]
        rows = zip(
            owners.tolist(),
            whole.tolist(),
            need.tolist(),
            lang.tolist(),
            conf.tolist(),
            strict=True,
        )
        for index, classes, wanted, language, confidence in rows:
            out[index] = Scores(
                dict(zip(CLASSES, classes)),  # noqa: B905 (lengths fixed by the model)
                dict(zip(NEEDS, wanted)),  # noqa: B905
                LANGS[language],
                confidence,
            )
