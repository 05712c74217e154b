"""What Kindred would do about a message: the assessment, its levels and thresholds.

Pure data (no discord imports), shared by the combiner (:mod:`bot.safety.assess`) and the
rules around it (:mod:`bot.safety.attribution`); importable from :mod:`bot.safety.assess`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.safety.detector import Label

__all__ = ["NOTHING", "Assessment", "Level", "Thresholds"]


class Level:
    ALERT = "alert"
    SOFT = "soft"
    HARASSMENT = "harassment"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Thresholds:
    alert: float = 0.5
    concern: float = 0.5
    harassment: float = 0.5
    soft: float = 0.25
    distress: float = 0.5
    tier3: float = 0.5
    imminent: float = 1.01  # crisis_3 alone at least this → alert (off above 1)
    need: float = 0.5
    phrase_boost: float = 0.3

    @classmethod
    def from_meta(cls, meta: dict) -> Thresholds:
        values = meta.get("thresholds", {})
        known = {k: float(v) for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Assessment:
    label: Label
    tier: int = 0
    level: str = Level.NONE
    confidence: float = 1.0
    needs: tuple[str, ...] = ()
    lang: str = "en"
    phrase_ids: tuple[str, ...] = ()
    model_version: str = ""
    risk: float = 0.0  # the highest crisis/concern score: what context remembers
    sources: tuple[str, ...] = field(default=())  # "phrase", "model", "context"
    possible_concern: bool = False  # soft level reached by a crisis/concern signal

    @property
    def is_alert(self) -> bool:
        return self.level == Level.ALERT

    @property
    def is_soft(self) -> bool:
        return self.level == Level.SOFT


NOTHING = Assessment(Label.NONE)  # "none, no need": what the guild listener drops unread
