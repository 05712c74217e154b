"""The phrase engine's rules for one message's hits, as plain functions over hit lists.

A hit is ``[start, end, entry index, category, tier]`` in the normalised text
(:mod:`bot.safety.normalize`); ``category`` is set to None once a rule drops the hit. The
rules are described in :mod:`bot.safety.detector`'s module text; this module keeps them
testable apart and the detector short.
"""

from __future__ import annotations

SUBJECT_WINDOW = 6
NEGATION_WINDOW = 3
RECOVERY_WINDOW = 5  # words at most between a recovery cue's end and the crisis hit
IDIOM = "idiom"
_CRISIS = "crisis_self"
_DISTRESS = "distress"


def unmasked(hits: list[list]) -> list[list]:
    """Idioms mask overlapping hits only; the idiom hits themselves go.  (Plain loops with
    for/else: a generator per hit costs more than the test.)"""
    idioms = [(h[0], h[1]) for h in hits if h[3] == IDIOM]
    if not idioms:
        return hits
    kept = []
    for h in hits:
        if h[3] == IDIOM:
            continue
        hs, he = h[0], h[1]
        for s, e in idioms:
            if s <= he and hs <= e:
                break
        else:
            kept.append(h)
    return kept


def longest(hits: list[list]) -> list[list]:
    """Longest match wins: drop hits strictly inside a longer hit (a hit is never strictly
    longer than itself, so comparing a hit with itself keeps it)."""
    if len(hits) <= 1:
        return hits
    kept = []
    for h in hits:
        hs, he = h[0], h[1]
        span = he - hs
        for o in hits:
            if o[0] <= hs and he <= o[1] and o[1] - o[0] > span:
                break
        else:
            kept.append(h)
    return kept


def recovered(
    norm: str, hits: list[list], recovery: list[list] | None, relapse: list[list] | None
) -> list[list]:
    """A crisis hit that a recovery cue ends just before, in the same sentence ("three years
    since i last had suicidal thoughts", "6 months clean from self harm", "hace dos años que
    no tengo pensamientos suicidas") is a milestone told, not a risk: the hit becomes
    ``distress`` (no phrase boost, no floor; the model still reads the words). Not when a
    relapse cue ("again", "relapsed", "otra vez", "wieder", "rechute") is in that sentence:
    risk that came back stays the phrase engine's. Returns the hits that became milestones."""
    told: list[list] = []
    if not recovery:
        return told
    for h in hits:
        if h[3] != _CRISIS:
            continue
        start = h[0]
        for cue in recovery:
            between = norm[cue[1] + 1 : start]
            if cue[1] < start and " . " not in between and len(between.split()) <= RECOVERY_WINDOW:
                break
        else:
            continue
        left = norm.rfind(" . ", 0, start)
        right = norm.find(" . ", h[1])
        if relapse and any(left < r[0] and (right < 0 or r[1] < right) for r in relapse):
            continue
        h[3] = _DISTRESS
        h[4] = 0
        told.append(h)
    return told


def after_cue(norm: str, start: int, reported: list[list]) -> bool:
    """A reporting cue ends before ``start`` in the same sentence, at most one word away."""
    return any(
        r[1] < start
        and "." not in norm[r[1] + 1 : start]
        and len(norm[r[1] + 1 : start].split()) <= 1
        for r in reported
    )


def someone_else(clause: list[str], first_person: set[str], third_person: set[str]) -> bool:
    """Scanning back over the clause's last words, a third-person word comes before any
    first-person one."""
    for word in reversed(clause[-SUBJECT_WINDOW:]):
        if word in first_person:
            return False
        if word in third_person:
            return True
    return False


def negated(clause: list[str], negators: set[str]) -> bool:
    """A negator among the clause's last words ("why not" excluded)."""
    window = clause[-NEGATION_WINDOW:]
    for i, word in enumerate(window):
        if word in negators and not (word == "not" and i > 0 and window[i - 1] == "why"):
            return True
    return False
