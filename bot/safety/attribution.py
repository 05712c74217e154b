"""Someone else's words in an assessment (:mod:`bot.safety.quotes` finds them).

Pure Python (no discord imports).  Two rules, both the phrase engine's reading, whatever
the model's score (so they hold whatever threshold the combination was given):

* a crisis alert for a message that quotes someone else is the writer's only if their own
  words, without the quotation, are a crisis alert, or hold a first-person crisis phrase of
  tier 2 or 3 ("ella me dijo "todo va a estar bien" pero quiero morir"); otherwise the
  crisis is the quoted person's, and the writer is worried about them: a ``concern_other``
  alert;
* a message left below an alert that reports someone else's crisis words of tier 2 or 3 in
  quotation marks ("il m'a dit « je veux mourir »"), with no crisis phrase of the writer's
  own, is a ``concern_other`` alert: the worried-friend help, never the writer's crisis DM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.safety.assessment import NOTHING, Assessment, Level
from bot.safety.detector import Detection, Detector, Label
from bot.safety.quotes import split_attributed

__all__ = ["crisis_hit", "reported_worry", "someone_elses"]


def crisis_hit(detector: Detector, words: str) -> Detection | None:
    """The phrase engine's first-person crisis hit of tier 2 or 3 in ``words`` read as their
    speaker's own (the writer's words with others' quotations taken out, or a quotation read
    as the quoted person's), or None."""
    found = detector.detect(words)
    return found if found.label is Label.CRISIS_SELF and found.tier >= 2 else None


def someone_elses(whole: Assessment, own: Assessment, hit: Detection | None) -> Assessment:
    """A crisis alert for a message that quotes someone else, given the writer's own words
    read alone (``own``) and their own first-person crisis hit (``hit``): if their words
    are a crisis alert, that one (its tier from their words); if they hold such a hit, the
    alert stays the writer's, with the hit's tier at least; otherwise a ``concern_other``
    alert (worry about the person quoted)."""
    if own.is_alert and own.label is Label.CRISIS_SELF:
        return replace(own, lang=whole.lang)
    if hit is not None:
        tier = max(hit.tier, whole.tier if whole.label is Label.CRISIS_SELF else 0)
        return replace(whole, label=Label.CRISIS_SELF, tier=tier)
    return replace(whole, label=Label.CONCERN_OTHER, tier=0)


def reported_worry(
    detector: Detector, texts: Sequence[str], results: list[Assessment], model_version: str
) -> None:
    """In place: each message left below an alert that reports someone else's crisis words
    (and holds no crisis phrase of the writer's own) becomes a ``concern_other`` alert."""
    for i, text in enumerate(texts):
        whole = results[i]
        # quoted crisis words are a phrase hit of the whole message first: most chat has none
        if whole is NOTHING or whole.is_alert or not whole.phrase_ids:
            continue
        own, quoted = split_attributed(text)
        if (
            quoted
            and crisis_hit(detector, own) is None
            and any(crisis_hit(detector, span) is not None for span in quoted)
        ):
            results[i] = replace(
                whole,
                label=Label.CONCERN_OTHER,
                tier=0,
                level=Level.ALERT,
                model_version=model_version,
                sources=("phrase", "quote"),
                possible_concern=False,
            )
