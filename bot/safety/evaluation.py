"""The detector's figures: targets, metrics on a labelled set, and the threshold search.

``metrics`` turns gold rows and the bot's assessments into every figure the targets speak of;
``meets`` lists the targets missed; ``choose_thresholds`` picks the thresholds that combine the
phrase engine and the model (:class:`bot.safety.assess.Thresholds`) on the validation set only.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from bot.safety.assess import Assessment, Assessor, Thresholds
from bot.safety.classifier import Classifier, Scores
from bot.safety.datasets import load_set
from bot.safety.detector import Detection, Detector, Label

# What the bot must reach on validation (docs/detector.md, issue #9).
TARGETS = {
    "crisis_recall": 0.90,
    "tier3_recall": 0.97,
    "false_alarm": 0.02,
    "distress_to_alert": 0.10,
    "concern_recall": 0.85,
    "harassment_recall": 0.90,
    "lang_crisis_recall_min": 0.85,
    "soft_crisis_any": 0.98,
    "soft_none_any": 0.08,
    "needs_recall": 0.90,
    "needs_false": 0.02,
}

_ALERTS = (Label.CRISIS_SELF, Label.CONCERN_OTHER)

Pairs = list[tuple[dict, Assessment]]


def score_rows(detector: Detector, classifier: Classifier | None, rows: Sequence[dict]):
    """Phrase detections and model scores for each row, computed once."""
    out = []
    for row in rows:
        text = row["text"]
        detection = detector.detect(text)
        scores = classifier.scores(text) if classifier else None
        out.append((detection, scores))
    return out


def _assess_all(
    assessor: Assessor, scored: Sequence[tuple[Detection, Scores | None]], rows
) -> list[Assessment]:
    return [assessor.combine(d, s, text=r["text"]) for (d, s), r in zip(scored, rows, strict=True)]


def evaluate(
    set_name: str, *, phrases_only: bool = False, writers: Collection[str] | None = None
) -> dict:
    """Figures for one data set, or for the lines of some of its writers only."""
    rows = load_set(set_name)
    if writers:
        rows = [r for r in rows if r.get("writer") in writers]
    detector = Detector.default()
    classifier = None if phrases_only else Classifier.default()
    assessor = Assessor(detector, classifier)
    return metrics(rows, [assessor.assess(r["text"]) for r in rows])


# ---------------------------------------------------------------------- figures


class Rate(float):
    """A share that keeps its counts: ``hits`` of ``total`` (the float is their ratio, nan
    for no rows), so a report can say how many lines a figure rests on."""

    hits: int
    total: int

    def __new__(cls, hits: int, total: int) -> Rate:
        value = super().__new__(cls, hits / total if total else float("nan"))
        value.hits, value.total = hits, total
        return value


def _rate(hits: int, total: int) -> Rate:
    return Rate(hits, total)


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``hits`` of ``total`` (95 % by default): how far a
    share measured on a few hundred lines may be from the rate behind it."""
    if total <= 0:
        return float("nan"), float("nan")
    p = hits / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    # (rounding can leave the share a hair outside its own interval at 0 or 1)
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def intervals(m: dict) -> dict:
    """For every share in a figure set (per-language shares as ``name.lang``): its counts
    and Wilson 95 % interval, ``{"hits", "total", "low", "high"}``."""
    out: dict = {}
    flat = [(k, v) for k, v in m.items() if not isinstance(v, dict)]
    flat += [(f"{k}.{sub}", v) for k, d in m.items() if isinstance(d, dict) for sub, v in d.items()]
    for key, value in flat:
        if isinstance(value, Rate) and value.total:
            low, high = wilson(value.hits, value.total)
            out[key] = {"hits": value.hits, "total": value.total, "low": low, "high": high}
    return out


def metrics(rows: Sequence[dict], results: Sequence[Assessment]) -> dict:
    """Every figure the targets speak of, from gold rows and the bot's assessments."""
    by: dict[str, Pairs] = defaultdict(list)
    for row, res in zip(rows, results, strict=True):
        by[row["label"]].append((row, res))
    m: dict = {}
    m["n"] = len(rows)
    m.update(_crisis_figures(by["crisis_self"]))
    m.update(_label_figures(by))
    m.update(_language_figures(by["crisis_self"]))
    m.update(_needs_figures(list(zip(rows, results, strict=True))))
    if any(g.get("lang") for g in rows):
        m["lang_accuracy"] = _rate(
            sum(r.lang == g.get("lang", "en") for g, r in zip(rows, results, strict=True)),
            len(rows),
        )
    return m


def _crisis_figures(crisis: Pairs) -> dict:
    """Crisis recall, per gold tier, and how exact the tier-3 calls are."""
    m: dict = {}
    m["crisis_recall"] = _rate(sum(r.label is Label.CRISIS_SELF for _, r in crisis), len(crisis))
    for tier in (1, 2, 3):
        rows_t = [(g, r) for g, r in crisis if g["tier"] == tier]
        m[f"tier{tier}_recall"] = _rate(
            sum(r.label is Label.CRISIS_SELF for _, r in rows_t), len(rows_t)
        )
    t3 = [(g, r) for g, r in crisis if g["tier"] == 3]
    m["tier3_exact"] = _rate(
        sum(r.label is Label.CRISIS_SELF and r.tier == 3 for _, r in t3), len(t3)
    )
    low = [(g, r) for g, r in crisis if g["tier"] in (1, 2) and r.label is Label.CRISIS_SELF]
    m["tier3_false"] = _rate(sum(r.tier == 3 for _, r in low), len(low))
    return m


def _label_figures(by: dict[str, Pairs]) -> dict:
    """False alarms, and how each gold label is answered (alert, any response, its own)."""
    crisis, none = by["crisis_self"], by["none"]
    distress, concern, harass = by["distress"], by["concern_other"], by["harassment"]
    m: dict = {}
    m["false_alarm"] = _rate(sum(r.label in _ALERTS for _, r in none), len(none))
    m["distress_to_alert"] = _rate(sum(r.label in _ALERTS for _, r in distress), len(distress))
    m["distress_any"] = _rate(sum(r.label is not Label.NONE for _, r in distress), len(distress))
    m["concern_recall"] = _rate(
        sum(r.label is Label.CONCERN_OTHER for _, r in concern), len(concern)
    )
    m["concern_alert"] = _rate(sum(r.label in _ALERTS for _, r in concern), len(concern))
    m["harassment_recall"] = _rate(sum(r.label is Label.HARASSMENT for _, r in harass), len(harass))
    # ordinary lines reported to moderators as harassment: the one response that shows a
    # member's words to someone else, so it has a budget of its own in the search
    m["harassment_false"] = _rate(sum(r.label is Label.HARASSMENT for _, r in none), len(none))
    m["soft_crisis_any"] = _rate(
        sum(r.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER, Label.DISTRESS) for _, r in crisis),
        len(crisis),
    )
    m["soft_none_any"] = _rate(sum(r.label is not Label.NONE for _, r in none), len(none))
    return m


def _language_figures(crisis: Pairs) -> dict:
    """Crisis recall per language, and the lowest of them."""
    langs = Counter(g.get("lang", "en") for g, _ in crisis)
    per_lang = {
        lang: _rate(
            sum(r.label is Label.CRISIS_SELF for g, r in crisis if g.get("lang", "en") == lang),
            n,
        )
        for lang, n in sorted(langs.items())
    }
    return {
        "lang_crisis_recall": per_lang,
        "lang_crisis_recall_min": min(per_lang.values(), default=float("nan")),
    }


def _needs_figures(pairs: Pairs) -> dict:
    """Needs found (all of them, any of them) and needs given to plain chat."""
    with_need = [(g, r) for g, r in pairs if g.get("needs")]
    plain = [(g, r) for g, r in pairs if g["label"] == "none" and not g.get("needs")]
    return {
        "needs_recall": _rate(
            sum(set(g["needs"]) <= set(r.needs) for g, r in with_need), len(with_need)
        ),
        "needs_any": _rate(
            sum(bool(set(g["needs"]) & set(r.needs)) for g, r in with_need), len(with_need)
        ),
        "needs_false": _rate(sum(bool(r.needs) for _, r in plain), len(plain)),
    }


def meets(m: dict, targets: dict = TARGETS) -> list[str]:
    """The targets a figure set misses, as readable strings (empty = all met)."""
    misses = []
    for key, goal in targets.items():
        value = m.get(key)
        if value is None or math.isnan(value):  # no rows of that kind
            continue
        upper = key in ("false_alarm", "distress_to_alert", "soft_none_any", "needs_false")
        if (value > goal) if upper else (value < goal):
            sign = "≤" if upper else "≥"
            misses.append(f"{key} {value:.3f} (target {sign} {goal})")
    return misses


# ---------------------------------------------------------------------- threshold choice

GRID = [round(x * 0.025, 3) for x in range(2, 40)]


# After the alert threshold, the others one at a time, in this order: (threshold, what to
# maximise on the validation figures, the values tried; None = GRID). Each key is built by
# ``_within``: inside its budget the most of what it is for; when no value keeps the budget
# (an earlier step spent it), the value that overspends it least, never the most recall
# bought with an unbounded overspend.
def _within(
    budget: str, limit: float, gain: str, *more: tuple[str, float]
) -> Callable[[dict], object]:
    """``more``: further (budget, limit) pairs the value must keep as well; over any of
    them, the least overspend (the sum of the shares over their limits) wins."""
    budgets = ((budget, limit), *more)

    def key(m: dict) -> object:
        over = sum(max(0.0, m[b] - cap) for b, cap in budgets)
        ok = over == 0
        return (ok, m[gain] if ok else -over, -m[budget])

    return key


# The false-alarm budget of steps 1b (imminent) and 2 (concern): validation's false alarms on
# `none` stay within it. 1.6 % since round 27 (twenty-ninth session), when the model trained
# with it won a round by its rule (lr-777b0dcd77); 1.8 % before. Test false alarms had run
# 0.1-0.2 points over validation's, so the wider margin leaves room for lines never tuned on.
FALSE_ALARM_MARGIN = 0.016

_SINGLE_STEPS: tuple[tuple[str, Callable[[dict], object], list[float] | None], ...] = (
    # 2. concern_other: recall with false alarms still in budget.
    ("concern", _within("false_alarm", FALSE_ALARM_MARGIN, "concern_recall"), None),
    # 3. harassment: recall with few ordinary lines given any response, and very few shown
    # to moderators as harassment (0.4 %: 3 of validation's 827 ordinary lines).
    (
        "harassment",
        _within("soft_none_any", 0.05, "harassment_recall", ("harassment_false", 0.004)),
        None,
    ),
    # 4. soft level and distress: any response for crisis, few responses for `none`.
    ("soft", _within("soft_none_any", 0.072, "soft_crisis_any"), None),
    ("distress", _within("soft_none_any", 0.07, "distress_any"), None),
    # 5. tier 3: the most exact tier-3 calls without losing crisis recall.
    ("tier3", lambda m: m["tier3_exact"] - m["tier3_false"], None),
    # 6. needs: recall with ordinary chat rarely given a need.
    ("need", _within("needs_false", 0.015, "needs_recall"), None),
)


# The phrase boost is held at 0.2 (thirteenth session). The search preferred 0 on the grown
# validation set, and with 0 a phrase hit the model doubts adds nothing: a writer's own
# crisis after a quote became worry about someone else, and someone else's quoted crisis
# words a check-in instead of worry (tests/safety/test_quotes.py). The phrase engine's rules
# are the explainable layer, so they keep their force; pass other values to search them.
PHRASE_BOOSTS: tuple[float, ...] = (0.2,)


def choose_thresholds(
    detector: Detector,
    classifier: Classifier,
    rows: Sequence[dict],
    boosts: Sequence[float] = PHRASE_BOOSTS,
) -> tuple[Thresholds, dict]:
    """Pick thresholds on validation rows: alert first (false alarms within budget, then the
    most crisis recall), then the rest one at a time.  Deterministic coordinate search."""
    scored = score_rows(detector, classifier, rows)

    def run(th: Thresholds) -> dict:
        assessor = Assessor(detector, classifier, th)
        return metrics(rows, _assess_all(assessor, scored, rows))

    th = Thresholds(
        alert=0.5, concern=0.5, harassment=0.5, soft=0.9, distress=0.99, tier3=0.5, need=0.5
    )
    th = _best_alert(run, th, boosts)
    th = _best_imminent(run, th)
    for name, key, grid in _SINGLE_STEPS:
        th = _best_single(run, th, name, key, grid=grid)
    return th, run(th)


def _best_alert(
    run: Callable[[Thresholds], dict], th: Thresholds, boosts: Sequence[float]
) -> Thresholds:
    """1. alert + phrase boost: maximise crisis recall with false alarms and distress pushed
    to alert within a margin under the targets."""
    best = None
    for boost in boosts:
        for alert in GRID:
            cand = replace(th, alert=alert, phrase_boost=boost)
            m = run(cand)
            ok = m["false_alarm"] <= 0.015 and m["distress_to_alert"] <= 0.09
            key = (ok, m["crisis_recall"] + m["tier3_recall"], -m["false_alarm"])
            if best is None or key > best[0]:
                best = (key, cand)
    return best[1]


def _best_imminent(run: Callable[[Thresholds], dict], th: Thresholds) -> Thresholds:
    """1b. imminent: the tier-3 probability alone may alert, if false alarms stay in budget.
    Chosen with the alert threshold next to step 1's (two grid steps either way), not after
    it alone: the imminent class catches tier-3 lines a slightly higher alert threshold
    lets go, and a greedy step 1 can leave no false-alarm budget for it."""
    best = None
    at = GRID.index(th.alert) if th.alert in GRID else None
    alerts = [th.alert] if at is None else GRID[max(0, at - 2) : at + 3]
    for alert in alerts:
        for imminent in [*GRID, 1.01]:
            cand = replace(th, alert=alert, imminent=imminent)
            m = run(cand)
            ok = m["false_alarm"] <= FALSE_ALARM_MARGIN and m["distress_to_alert"] <= 0.095
            key = (ok, m["crisis_recall"] + m["tier3_recall"], -m["false_alarm"])
            if best is None or key > best[0]:
                best = (key, cand)
    return best[1]


def _best_single(run, th: Thresholds, name: str, key, grid=None) -> Thresholds:
    best = None
    for value in grid or GRID:
        cand = replace(th, **{name: value})
        k = key(run(cand))
        if best is None or k > best[0]:
            best = (k, cand)
    return best[1]
