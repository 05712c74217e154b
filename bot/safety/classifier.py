"""The learned half of the crisis detector: a fastText model over normalised text.

Pure Python (no discord imports).  The model is one supervised fastText file trained with a
one-vs-all loss, so every label has its own independent probability:

* ``none, distress, concern_other, harassment, crisis_1, crisis_2, crisis_3``: what the
  message signals (``crisis_N`` is crisis about the writer at tier N);
* ``need_respite, need_warmline, need_peer``: a resource the writer asks for;
* ``lang_en, lang_es, lang_fr, lang_de, lang_pt``: the message's language.

Text goes through the same :func:`bot.safety.normalize.normalize` the phrase engine uses
(markup, quotes and code dropped, leetspeak, homoglyphs, spacing), so both halves read the
same words.  A long message is also scored sentence window by sentence window and each risk
label keeps its highest score, so one heavy sentence in a long post is not averaged away.

The model file and its metadata (``data/models/detector.ftz`` and ``detector.json``) are built
from the repository by ``make train`` (:mod:`bot.safety.training`); nothing is downloaded.
Prediction never raises on a ``str``, keeps nothing and logs no text.
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
    "default_model_path",
    "prepare",
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
MIN_WINDOWED = 40  # messages shorter than this many tokens are scored whole only


@dataclass(frozen=True, slots=True)
class Scores:
    """Independent probabilities from the model (each in [0, 1])."""

    classes: dict[str, float]
    needs: dict[str, float]
    lang: str
    lang_score: float = 0.0

    @property
    def crisis(self) -> float:
        """Probability that this is crisis about the writer, any tier."""
        c = self.classes
        return max(c["crisis_1"], c["crisis_2"], c["crisis_3"])

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
    """The model's view of a message: normalised, one line, clause marks kept as tokens."""
    return normalize(text).strip()


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


def default_model_path() -> Path:
    from bot.safety.detector import project_root

    return project_root() / "data" / "models" / "detector.ftz"


class Classifier:
    """A loaded fastText model.  Thread-safe for prediction; immutable after loading."""

    _default: Classifier | None = None
    _default_lock = threading.Lock()

    def __init__(self, model, version: str, meta: dict | None = None) -> None:
        self._model = model
        self.version = version
        self.meta = meta or {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path) -> Classifier:
        import fasttext

        path = Path(path)
        # fastText prints a warning to stderr when loading; the model object is what we need.
        model = fasttext.load_model(str(path))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls(model, f"ft-{digest}", meta)

    @classmethod
    def default(cls) -> Classifier | None:
        """The shipped model, loaded once per process; None (phrase engine only) if absent."""
        with cls._default_lock:
            if cls._default is None:
                path = default_model_path()
                if not path.exists():
                    log.warning("detector model %s missing: phrase engine only", path.name)
                    return None
                cls._default = cls.load(path)
            return cls._default

    # ------------------------------------------------------------------ prediction
    def _raw(self, prepared: str) -> dict[str, float]:
        # The C++ binding directly: fastText's Python wrapper breaks on numpy 2.
        pairs = self._model.f.predict(prepared + "\n", -1, 0.0, "strict")
        return {label[9:]: prob for prob, label in pairs}  # strip "__label__"

    def scores(self, text: str) -> Scores:
        prepared = prepare(text)
        if not prepared or prepared == ".":
            return EMPTY
        raw = self._raw(prepared)
        for window in _windows(prepared):
            part = self._raw(window)
            for key in RISK:
                raw[key] = max(raw.get(key, 0.0), part.get(key, 0.0))
            for need in NEEDS:
                key = f"need_{need}"
                raw[key] = max(raw.get(key, 0.0), part.get(key, 0.0))
        lang = max(LANGS, key=lambda code: raw.get(f"lang_{code}", 0.0))
        return Scores(
            classes={name: raw.get(name, 0.0) for name in CLASSES},
            needs={need: raw.get(f"need_{need}", 0.0) for need in NEEDS},
            lang=lang,
            lang_score=raw.get(f"lang_{lang}", 0.0),
        )

    def scores_batch(self, texts: Sequence[str] | Iterable[str]) -> list[Scores]:
        return [self.scores(t) for t in texts]
