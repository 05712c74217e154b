"""Crisis-language detector: phrase lists compiled into one Aho-Corasick automaton.

Pure Python (no discord imports).  ``Detector.default().detect(text)`` returns a frozen
:class:`Detection` ``(label, tier, phrase_ids)``; it never raises on a ``str`` and never
keeps or logs the message text.  Kindred never diagnoses: a detection only decides which
gentle, human-led response a peer supporter or moderator sees.

Pipeline
--------
1. ``normalize`` (see :mod:`bot.safety.normalize`) yields a canonical, padded string.
2. One automaton over every language's phrase keys finds all hits; a hit counts only
   on word boundaries (the characters before and after must not be alphanumeric).
   If the message contained letters spaced out with plain spaces ("k i l l m y s e l f"),
   a second pass matches the space-less "compact" keys (6+ characters) against the
   message with all spaces removed.
3. Hit resolution:

   * **Idioms mask overlaps only.**  An ``idiom`` hit ("died laughing", "suicide squad",
     "me muero de", "killing myself laughing") removes crisis/harassment/distress hits
     whose span overlaps it.  A separate crisis phrase elsewhere in the message is never
     masked ("i died laughing earlier but honestly i want to die" stays crisis).
   * **Longest match wins.**  A hit strictly inside a longer hit is dropped
     ("i want to kys" beats harassment "kys"; "kill myself tonight" (tier 3) beats
     "kill myself" (tier 2)).
   * **Reported harassment.**  A crisis or harassment hit directly after a reporting cue
     ("told me to", "telling me to", "said i should") is someone else's words aimed at
     the writer: label ``distress`` (the writer is the target and may need support; they
     are not the harasser and did not express intent).  "my friend told me to kys" →
     distress.
   * **First vs third person.**  Entries flagged ``subject`` are person-neutral
     ("want to die", "suicidal thoughts", "took something").  The last six words of the
     clause before the hit are scanned backwards; if a third-person (or second-person)
     word ("she", "my friend", "they", "you", "er", "ella", ...) is met before a
     first-person one ("i", "me", "ich", "je", ...), the hit becomes ``concern_other``.
     Explicitly third-person phrases ("kill himself", "wants to die", "se quiere matar")
     are ``concern_other`` directly.  A ``concern_other`` hit in a message that talks
     about a film/book/song/character (media markers) is dropped: fiction, not a person.
   * **Negation lowers but does not silence.**  If one of the last three words of the
     clause before a crisis hit is a negator ("not", "never", "dont", "no", "pas",
     "nicht", "nao"; "why not" excluded), a tier 2/3 hit drops to tier **1** and a tier-1
     hit drops to ``distress``.  So "I would never kill myself" → crisis_self tier 1 (a
     soft check-in; people often say this while the thought is present), and
     "I'm not going to kill myself, I just want the pain to stop" → crisis_self tier 1
     (the second clause is itself a tier-1 phrase).  Entries flagged ``nonegate``
     already contain their negation ("dont want to wake up").
   * **A milestone told is not a risk.**  A crisis hit that a ``recovery`` cue ends
     just before (same clause, at most five words between: "three years since i last had
     suicidal thoughts", "6 months clean from self harm", "seit zwei jahren keine
     suizidgedanken") becomes ``distress``: no phrase boost and no floor, the model still
     reads the words.  Not when a ``relapse`` cue ("again", "relapsed", "otra vez",
     "wieder", "rechute") is in the same clause: risk that came back stays crisis.
   * **Gaming / laughter banter.**  Only entries flagged ``banter`` ("kill me now",
     "just kill me", "kms") react to laughter or gaming markers ("lol", "lmao", "💀",
     "😂", "lag", "boss", "raid", ...) anywhere in the message: "kill me now"-type hits
     drop to ``banter_tier`` 0 (ignored) and "kms" drops to tier 1 (still a soft signal,
     since "lol" is also used to soften real disclosures).  The tier-3 plans with a time
     (``*.self.tonight``: "je me tue ce soir mdr") drop to tier 1 too, with laughter only
     (not gaming or school words: "kill myself tonight. we wiped on the raid" is no joke),
     and the Detection says so (``banter_plan``): assess keeps such a message at least at
     the soft level.
     Other phrases are never lowered by banter markers, and a banter hit never masks
     another phrase.

   * **Someone else's words.**  A ``crisis_self`` result for a message with words in
     quotation marks the writer attributes to another person ("when you said "..."",
     "she told me "..."", "« ... », m'a-t-elle dit"; see :mod:`bot.safety.quotes`)
     stands only if the writer's own words, read without them, are crisis too; otherwise
     it is ``concern_other`` (worry about the person quoted).  The writer's own thoughts
     in quotation marks ("I keep thinking "I want to die"") stay their own.

4. Precedence when several labels survive:
   ``crisis_self`` (highest tier wins) > ``concern_other`` > ``harassment`` >
   ``distress`` > ``none``.  ``phrase_ids`` lists the ids of all surviving hits, in
   order of appearance, for tests and moderators (never the text).
"""

from __future__ import annotations

import logging
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import ahocorasick

from bot.safety.hits import (
    IDIOM,
    after_cue,
    longest,
    negated,
    recovered,
    someone_else,
    unmasked,
)
from bot.safety.normalize import (
    LAUGHTER_EMOJI,
    join_tokens,
    normalize,
    split_tokens,
    squeeze,
)
from bot.safety.prefilter import Prefilter
from bot.safety.quotes import split_attributed

__all__ = ["Detection", "Detector", "Label", "PhraseEntry", "PhraseListError"]

log = logging.getLogger(__name__)

COMPACT_MIN = 6
_CONTEXT_CHARS = 80
_EMOJI_LAUGHTER = LAUGHTER_EMOJI


class Label(StrEnum):
    CRISIS_SELF = "crisis_self"
    CONCERN_OTHER = "concern_other"
    HARASSMENT = "harassment"
    DISTRESS = "distress"
    NONE = "none"


_PRIORITY = {
    Label.CRISIS_SELF: 4,
    Label.CONCERN_OTHER: 3,
    Label.HARASSMENT: 2,
    Label.DISTRESS: 1,
    Label.NONE: 0,
}

# Non-output categories used while resolving hits.
_REPORTED = "reported"
_RECOVERY = "recovery"
_RELAPSE = "relapse"
_CUES = (_REPORTED, _RECOVERY, _RELAPSE)
_CATEGORIES = {*(label.value for label in Label if label is not Label.NONE), IDIOM, *_CUES}
_FLAGS = {"subject", "banter", "nonegate"}


@dataclass(frozen=True, slots=True)
class Detection:
    label: Label
    tier: int = 0
    phrase_ids: tuple[str, ...] = ()
    # a tier-3 plan ("kill myself tonight") lowered by banter markers: assess keeps such a
    # message at least at the soft level (a joke can mask a real plan)
    banter_plan: bool = False
    # a milestone told and nothing more ("seit zwei jahren keine suizidgedanken mehr"): every
    # hit still standing is a crisis hit a recovery cue made distress (no other distress either).
    # assess gives the model's crisis score no gentle check-in for it (only an alert counts)
    milestone: bool = False

    def __post_init__(self) -> None:
        if self.label is Label.CRISIS_SELF:
            if self.tier not in (1, 2, 3):
                raise ValueError("crisis_self needs tier 1-3")
        elif self.tier != 0:
            raise ValueError("only crisis_self carries a tier")

    @property
    def is_crisis(self) -> bool:
        return self.label is Label.CRISIS_SELF


NO_DETECTION = Detection(Label.NONE)


class PhraseListError(ValueError):
    """A phrase file is malformed (bad label, tier, flag, duplicate id...)."""


@dataclass(frozen=True, slots=True)
class PhraseEntry:
    id: str
    category: str
    tier: int = 0
    flags: frozenset[str] = field(default_factory=frozenset)
    banter_tier: int = 0
    lang: str = ""


@dataclass(slots=True)
class _Markers:
    negators: set[str] = field(default_factory=set)
    first_person: set[str] = field(default_factory=set)
    third_person: set[str] = field(default_factory=set)
    laughter: set[str] = field(default_factory=set)
    gaming: set[str] = field(default_factory=set)
    media: set[str] = field(default_factory=set)


def _token(word: str) -> str:
    return normalize(word).strip()


class Detector:
    """Compiled phrase automaton.  Immutable after construction and thread-safe."""

    _default: Detector | None = None
    _default_lock = threading.Lock()

    def __init__(self, documents: Iterable[dict]) -> None:
        self.entries: list[PhraseEntry] = []
        self.markers = _Markers()
        keys: dict[str, list[tuple[int, int, bool]]] = {}
        seen_ids: set[str] = set()
        for doc in documents:
            lang = str(doc.get("lang", ""))
            self._load_markers(doc.get("markers", {}))
            for raw in doc.get("phrase", []):
                entry = self._parse_entry(raw, lang)
                if entry.id in seen_ids:
                    raise PhraseListError(f"duplicate phrase id {entry.id!r}")
                seen_ids.add(entry.id)
                index = len(self.entries)
                self.entries.append(entry)
                for pattern in raw.get("patterns", []):
                    key = normalize(str(pattern)).strip()
                    if not key:
                        raise PhraseListError(f"{entry.id}: empty pattern {pattern!r}")
                    keys.setdefault(key, []).append((index, len(key), False))
                    compact = normalize(key.replace(" ", "")).strip()
                    if len(compact) >= COMPACT_MIN:
                        keys.setdefault(compact, []).append((index, len(compact), True))
        self.automaton = ahocorasick.Automaton()
        for key, values in keys.items():
            unique = dict.fromkeys(values)  # same entry reached through two spellings
            # (entry index, key length, category, tier): everything a hit needs, so the
            # per-hit loop does no further lookups.
            regular = tuple(
                (i, n, self.entries[i].category, self.entries[i].tier)
                for i, n, compact in unique
                if not compact
            )
            squashed = tuple(
                (i, n, self.entries[i].category, self.entries[i].tier)
                for i, n, compact in unique
                if compact
            )
            self.automaton.add_word(key, (regular, squashed))
        if not keys:
            raise PhraseListError("no phrases loaded")
        self.automaton.make_automaton()
        self.flat_patterns: tuple[str, ...] = tuple(
            k for k, v in keys.items() if any(not compact for _, _, compact in v)
        )
        self._categories = [e.category for e in self.entries]
        self._tiers = [e.tier for e in self.entries]
        self._detections: dict[tuple, Detection] = {}
        self._banter_words = frozenset(self.markers.laughter | self.markers.gaming)
        self._laughter_words = frozenset(self.markers.laughter)
        self._prefilter = Prefilter(keys, self._categories, quiet=(IDIOM, *_CUES))

    # ------------------------------------------------------------------ loading

    def _load_markers(self, markers: dict) -> None:
        for name in ("negators", "first_person", "third_person", "laughter", "gaming", "media"):
            words = markers.get(name, [])
            target: set[str] = getattr(self.markers, name)
            target.update(t for t in (_token(str(w)) for w in words) if t)

    @staticmethod
    def _parse_entry(raw: dict, lang: str) -> PhraseEntry:
        try:
            pid = str(raw["id"])
            category = str(raw["label"])
        except KeyError as exc:
            raise PhraseListError(f"phrase entry missing {exc}") from None
        if category not in _CATEGORIES:
            raise PhraseListError(f"{pid}: unknown label {category!r}")
        tier = int(raw.get("tier", 0))
        if category == Label.CRISIS_SELF.value:
            if tier not in (1, 2, 3):
                raise PhraseListError(f"{pid}: crisis_self needs tier 1-3")
        elif tier:
            raise PhraseListError(f"{pid}: only crisis_self carries a tier")
        flags = frozenset(str(f) for f in raw.get("flags", []))
        if flags - _FLAGS:
            raise PhraseListError(f"{pid}: unknown flags {sorted(flags - _FLAGS)}")
        return PhraseEntry(
            id=pid,
            category=category,
            tier=tier,
            flags=flags,
            banter_tier=int(raw.get("banter_tier", 0)),
            lang=lang,
        )

    @classmethod
    def from_directory(cls, path: str | Path) -> Detector:
        directory = Path(path)
        files = sorted(directory.glob("*.toml"))
        if not files:
            raise PhraseListError(f"no phrase files in {directory}")
        documents = []
        for file in files:
            with file.open("rb") as fh:
                try:
                    documents.append(tomllib.load(fh))
                except tomllib.TOMLDecodeError as exc:
                    raise PhraseListError(f"{file.name}: {exc}") from None
        return cls(documents)

    @classmethod
    def default(cls) -> Detector:
        """The detector for ``<project root>/data/phrases``, compiled once per process."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls.from_directory(default_phrase_dir())
        return cls._default

    # ------------------------------------------------------------------ matching

    def detect(self, text: str) -> Detection:
        try:
            return self._detect(text)
        except Exception:  # never raise into the message pipeline; never log the text
            log.exception("crisis detector failed on a message (text not logged)")
            return NO_DETECTION

    def detect_many(self, texts: Iterable[str]) -> list[Detection]:
        return [self.detect(t) for t in texts]

    def detect_tokens(self, tokens: list[str], spaced: frozenset[str]) -> Detection:
        """:meth:`detect` for a message already split by
        :func:`bot.safety.normalize.split_tokens` (the model reads the same split);
        ``spaced``: its words joined from spaced letters (empty when none)."""
        try:
            return self._detect_tokens(tokens, spaced)
        except Exception:  # never raise into the message pipeline; never log the text
            log.exception("crisis detector failed on a message (text not logged)")
            return NO_DETECTION

    def _detect(self, text: str) -> Detection:
        detection = self._detect_tokens(*split_tokens(text))
        if detection.label is not Label.CRISIS_SELF:
            return detection
        own, quoted = split_attributed(text)
        if not quoted or self._detect_tokens(*split_tokens(own)).is_crisis:
            return detection
        # the crisis words are someone else's, quoted: worry about them
        return Detection(Label.CONCERN_OTHER, 0, detection.phrase_ids)

    def _detect_tokens(self, tokens: list[str], spaced: frozenset[str]) -> Detection:
        if not spaced and not self._prefilter.may_hit(tokens):
            # No crisis/concern/harassment/distress key can match, so only idiom or
            # reporting-cue hits are possible, and those alone resolve to none.
            return NO_DETECTION
        norm = join_tokens(tokens)
        hits: list[list] = []  # [start, end, entry_index, category, tier]
        for end, (regular, _) in self.automaton.iter(norm):
            for index, length, category, tier in regular:
                start = end - length + 1
                if norm[start - 1].isalnum() or norm[end + 1].isalnum():
                    continue
                hits.append([start, end, index, category, tier])
        if spaced:
            return self._best(self._resolve(norm, hits), self._compact_pass(norm))
        if not hits:
            return NO_DETECTION
        return self._resolve(norm, hits)

    def _compact_pass(self, norm: str) -> Detection:
        # squeezed again, as the space-less keys were: "want" + "to" makes a doubled t
        squashed = " " + squeeze(norm.replace(" ", "")) + " "
        hits: list[list] = []
        for end, (_, compact) in self.automaton.iter(squashed):
            for index, length, category, tier in compact:
                hits.append([end - length + 1, end, index, category, tier])
        if not hits:
            return NO_DETECTION
        return self._resolve(squashed, hits, modifiers=False)

    @staticmethod
    def _best(a: Detection, b: Detection) -> Detection:
        ka = (_PRIORITY[a.label], a.tier)
        kb = (_PRIORITY[b.label], b.tier)
        return a if ka >= kb else b

    def _resolve(self, norm: str, hits: list[list], *, modifiers: bool = True) -> Detection:
        hits = unmasked(hits)
        if not hits:
            return NO_DETECTION
        hits = longest(hits)
        cues: dict[str, list[list]] = {}
        if any(h[3] in _CUES for h in hits):
            for h in hits:
                if h[3] in _CUES:
                    cues.setdefault(h[3], []).append(h)
            hits = [h for h in hits if h[3] not in _CUES]
        if modifiers:
            told = recovered(norm, hits, cues.get(_RECOVERY), cues.get(_RELAPSE))
            banter_plan = self._apply_modifiers(norm, hits, cues.get(_REPORTED, []))
            # a milestone and nothing more: every hit still standing is one it made
            milestone = bool(told) and all(
                any(h is t for t in told) for h in hits if h[3] is not None
            )
        else:
            banter_plan = milestone = False
        return self._precedence(hits, banter_plan, milestone)

    def _precedence(
        self, hits: list[list], banter_plan: bool = False, milestone: bool = False
    ) -> Detection:
        """The surviving hits' label (highest priority, then tier) and ids, memoised;
        ``banter_plan`` (a tier-3 plan lowered by banter) is kept for a crisis_self one;
        ``milestone`` as the caller found it (every hit left is a milestone, so distress)."""
        best_label = Label.NONE
        best_tier = 0
        ids: list[str] = []
        for h in hits:
            category = h[3]
            if category is None:
                continue
            label = Label(category)
            tier = h[4] if label is Label.CRISIS_SELF else 0
            if label is Label.CRISIS_SELF and tier == 0:
                continue
            pid = self.entries[h[2]].id
            if pid not in ids:
                ids.append(pid)
            if (_PRIORITY[label], tier) > (_PRIORITY[best_label], best_tier):
                best_label, best_tier = label, tier
        if best_label is Label.NONE:
            return NO_DETECTION
        banter_plan = banter_plan and best_label is Label.CRISIS_SELF
        key = (best_label, best_tier, banter_plan, milestone, *ids)
        detection = self._detections.get(key)
        if detection is None:
            if len(self._detections) > 4096:
                self._detections.clear()
            detection = self._detections[key] = Detection(
                best_label, best_tier, tuple(ids), banter_plan, milestone
            )
        return detection

    # ------------------------------------------------------------------ context rules

    def _apply_modifiers(self, norm: str, hits: list[list], reported: list[list]) -> bool:
        """Reported speech, person, media, negation and banter, applied to each hit in place
        (``h[3]`` the category, ``None`` once dropped; ``h[4]`` the tier).  True when banter
        lowered a first-person tier-3 plan that was not negated (``Detection.banter_plan``)."""
        markers = self.markers
        banter_plan = False
        tokens: frozenset[str] | None = None  # the message's words, built on first need
        for h in hits:
            if h[3] not in ("crisis_self", "harassment", "concern_other"):
                continue
            entry = self.entries[h[2]]
            check = self._person_and_negation(norm, h, entry, reported)
            if check is None:
                continue
            if tokens is None:
                tokens = frozenset(norm.split())
            if check == "media":
                if tokens & markers.media:
                    h[3] = None
            elif tokens & (self._laughter_words if entry.tier == 3 else self._banter_words) or any(
                e in norm for e in _EMOJI_LAUGHTER
            ):
                # a plan is lowered by laughter only: "raid", "boss" or "exam" in the
                # same message are no joke marker for "kill myself tonight"
                if h[4] == 3 and entry.banter_tier < 3:
                    banter_plan = True
                h[4] = min(h[4], entry.banter_tier)
                if h[4] == 0:
                    h[3] = None
        return banter_plan

    def _person_and_negation(
        self, norm: str, h: list, entry: PhraseEntry, reported: list[list]
    ) -> str | None:
        """The rules that read the words just before a hit; then which check on the whole
        message's words is still due: ``"media"``, ``"banter"`` or None."""
        category = h[3]
        start = h[0]
        # reported harassment: cue immediately before (at most one word between)
        if category != "concern_other" and reported and after_cue(norm, start, reported):
            h[3] = Label.DISTRESS.value
            h[4] = 0
            return None
        before = norm[max(0, start - _CONTEXT_CHARS) : start]
        clause = before.rsplit(" . ", 1)[-1].split()
        if (
            "subject" in entry.flags
            and category != "concern_other"
            and someone_else(clause, self.markers.first_person, self.markers.third_person)
        ):
            h[3] = category = Label.CONCERN_OTHER.value
            h[4] = 0
        if category == "concern_other":
            return "media"
        if category != "crisis_self":
            return None
        if "nonegate" not in entry.flags and negated(clause, self.markers.negators):
            if h[4] >= 2:
                h[4] = 1
            else:
                h[3] = Label.DISTRESS.value
                h[4] = 0
                return None
        return "banter" if "banter" in entry.flags else None


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def default_phrase_dir() -> Path:
    return project_root() / "data" / "phrases"
