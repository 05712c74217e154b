"""Phrase engine + classifier → one assessment: what Kindred would do about a message.

Pure Python (no discord imports).  The phrase engine (:mod:`bot.safety.detector`) is the
explainable layer: phrase ids, tiers, negation, third person, quotes and code skipped.  The
classifier (:mod:`bot.safety.classifier`) generalises to wording nobody listed.  They are
combined by a few thresholds that ``make train`` chooses on the validation set only and stores
in ``data/models/detector.json``:

``score(X) = min(1, model(X) + phrase_boost · [phrase engine says X])`` for X in crisis_self,
concern_other and harassment (a plan the phrase engine lowered for laughter, with no stronger
hit beside it, earns no boost: the model decides); then, in order:

1. crisis_self ``score ≥ alert``, or the imminent class alone ``crisis_3 ≥ imminent`` →
   **alert** ``crisis_self`` (tier: the higher of the phrase tier and the model's;
   ``crisis_3 ≥ tier3`` forces 3);
2. concern_other ``score ≥ concern`` → **alert** ``concern_other``;
3. harassment ``score ≥ harassment`` and at least the crisis and concern scores →
   ``harassment`` (moderators, never the writer);
4. crisis or concern ``score ≥ soft``, or distress ``≥ distress`` → ``distress``: the **soft**
   level, a gentle private check-in (what ``python -m bot detect`` prints as ``distress``);
5. otherwise ``none``.

A milestone told (``Detection.milestone``: every phrase hit left is a crisis hit a recovery
cue made distress, "6 months clean from self harm"): the crisis score, read from
the same words, counts only at step 1; at step 4 and as context only the concern score does.

Sentence floor: ordinary words elsewhere never silence a first-person tier-2/3 phrase hit
(not negated, not an idiom, not banter-lowered, not attributed to someone else). When the
combination left such a message below its floor and the message has two or more sentences,
each sentence holding the hit is also read alone; if one of them, alone, is a crisis alert
of tier 3 (the phrase's or the model's), the message is one too; if it is a tier-2 alert or
the soft level, the message is at least the soft level (an alert, when it was a crisis alert
alone and the member's recent context reached the soft level).
Chosen on validation: a tier-2 alert here would have cost two false alarms for one crisis
line; the soft level costs one gentle check-in (docs/detector.md).

Plan floor: a first-person tier-3 phrase hit (an imminent plan: "je vais me tuer ce soir",
"ich bringe mich gleich um"; not negated, not an idiom, not banter-lowered, not reported)
that is still not a crisis alert after the steps and the sentence floor makes the message a
tier-3 crisis alert whatever the model says; words quoted from someone else are read again as
below (a concern_other alert at most). On validation it moved no line (docs/detector.md).
A plan lowered by laughter (model's call) is at least the soft level: "lol" can mask a plan.

Someone else's words (:mod:`bot.safety.attribution`): a crisis alert for a message that quotes
words the writer attributes to another person (:mod:`bot.safety.quotes`) stands only if the
writer's own words, assessed without the quotation, are a crisis alert too or hold a
first-person crisis phrase of tier 2 or 3; otherwise it is a ``concern_other`` alert (worry
about the person quoted). A message left below an alert that reports someone else's crisis
words of tier 2 or 3, with none of the writer's own, is a ``concern_other`` alert too.

Context: when the same member's recent messages in the channel (kept in memory as scores only,
never text) already reached the soft level, a message at the soft level is raised to an alert
(a farewell after earlier distress).

Needs (``respite``, ``warmline``, ``peer``) are reported beside the label whenever the model's
score passes ``need``; they choose which resources the private reply offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.safety.assessment import NOTHING, Assessment, Level, Thresholds
from bot.safety.attribution import crisis_hit, reported_worry, someone_elses
from bot.safety.classifier import NEEDS, QUIET, Classifier, Pause, Quiet, Scores
from bot.safety.detector import Detection, Detector, Label
from bot.safety.language import guess_language
from bot.safety.normalize import split_sentences, split_tokens
from bot.safety.quotes import split_attributed

__all__ = ["NOTHING", "Assessment", "Assessor", "Level", "Thresholds"]

_PAUSE_EVERY = 16  # messages the phrase engine reads between two of the pacer's checkpoints


_JOKED_PLAN = {"level": Level.SOFT, "possible_concern": True, "sources": ("phrase",)}  # soft


class Assessor:
    """Combines a :class:`Detector` and an optional :class:`Classifier`.  Thread-safe."""

    def __init__(
        self,
        detector: Detector,
        classifier: Classifier | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.detector = detector
        self.classifier = classifier
        if thresholds is None:
            thresholds = Thresholds.from_meta(classifier.meta) if classifier else Thresholds()
        self.thresholds = thresholds
        self.model_version = classifier.version if classifier else "phrases-only"

    @classmethod
    def default(cls) -> Assessor:
        return cls(Detector.default(), Classifier.default())

    def assess(self, text: str, *, context_risk: float = 0.0) -> Assessment:
        if self.classifier is None:
            return self.combine(self.detector.detect(text), None, text=text)
        # the batch path: the text is split and normalised once for both layers
        return self.assess_batch([text], [context_risk])[0]

    def assess_batch(
        self,
        texts: Sequence[str],
        context_risks: Sequence[float] | None = None,
        quiet: Sequence[bool] | None = None,
        *,
        pause: Pause = None,
    ) -> list[Assessment]:
        """Many messages at once (the model's arithmetic is shared by the batch).

        A message marked in ``quiet`` whose assessment would be ``none`` with no need
        gets the shared :data:`NOTHING` (no label, no need, nothing else filled in): for
        callers that drop such messages unread (the guild listener), most chat then
        costs no Scores and no Assessment of its own."""
        risks = context_risks or [0.0] * len(texts)
        if self.classifier is None:
            return [self.assess(t, context_risk=r) for t, r in zip(texts, risks, strict=True)]
        results = self._plain(texts, risks, quiet, pause)
        # A crisis alert is the writer's only if their own words make it: words they
        # attribute to someone else are that person's (worry about them, at most).
        again = [
            (i, own)
            for i, (t, r) in enumerate(zip(texts, results, strict=True))
            if r.is_alert and r.label is Label.CRISIS_SELF
            for own, quoted in (split_attributed(t),)
            if quoted
        ]
        if again:
            owns = self._plain([own for _, own in again], [risks[i] for i, _ in again], None, pause)
            for (i, own_text), own in zip(again, owns, strict=True):
                results[i] = someone_elses(results[i], own, crisis_hit(self.detector, own_text))
        reported_worry(self.detector, texts, results, self.model_version)
        return results

    def _plain(
        self,
        texts: Sequence[str],
        risks: Sequence[float],
        quiet: Sequence[bool] | None,
        pause: Pause,
    ) -> list[Assessment]:
        """:meth:`assess_batch` for texts read whole, as the writer's own words."""
        assert self.classifier is not None
        split = [split_tokens(t) for t in texts]  # normalised once for both layers
        detect = self.detector.detect_tokens
        detections: list[Detection] = []
        for i in range(0, len(split), _PAUSE_EVERY):  # a checkpoint every few messages
            detections += [detect(*words) for words in split[i : i + _PAUSE_EVERY]]
            if pause is not None:
                pause()
        limits = None
        if quiet is not None:
            eligible = [q and d.label is Label.NONE for q, d in zip(quiet, detections, strict=True)]
            limits = self._quiet_limits(eligible)
        # letters spaced out one by one were joined into words the model never met: it
        # reads them split into its own words (bot/safety/segment.py)
        model = self.classifier
        scores = model.scores_tokens(
            [model.readable(tokens, runs) if runs else tokens for tokens, runs in split],
            limits,
            pause,
        )
        results = [
            NOTHING if s is QUIET else self.combine(d, s, context_risk=r, text=t)
            for t, d, s, r in zip(texts, detections, scores, risks, strict=True)
        ]
        due = [
            i
            for i, (d, r) in enumerate(zip(detections, results, strict=True))
            if d.label is Label.CRISIS_SELF and d.tier >= 2 and _below_floor(d.tier, r)
        ]
        if due:
            self._sentence_floor(due, texts, split, risks, results)
        for i, d in enumerate(detections):
            if d.label is Label.CRISIS_SELF and d.tier >= 3 and _below_floor(3, results[i]):
                results[i] = self._plan_floor(results[i])
            elif d.banter_plan and results[i].level == Level.NONE:
                results[i] = replace(results[i], label=Label.DISTRESS, **_JOKED_PLAN)
        return results

    def _plan_floor(self, whole: Assessment) -> Assessment:
        """The plan floor (module docstring): a message with a first-person tier-3 phrase
        hit that is still not a crisis alert becomes a tier-3 one."""
        return replace(
            whole,
            label=Label.CRISIS_SELF,
            tier=3,
            level=Level.ALERT,
            confidence=whole.risk,
            model_version=self.model_version,
            sources=("phrase", "plan"),
            possible_concern=False,
        )

    def _sentence_floor(
        self,
        due: list[int],
        texts: Sequence[str],
        split: list[tuple[list[str], frozenset[str]]],
        risks: Sequence[float],
        results: list[Assessment],
    ) -> None:
        """The sentence floor (module docstring), in place, for the messages ``due``: a
        first-person tier-2/3 phrase hit whose message the combination left below it."""
        assert self.classifier is not None
        candidates = self._floor_sentences(due, texts, split)
        if not candidates:
            return
        # a sentence's spaced-out words are read split, as the whole message's are
        model = self.classifier
        scores = model.scores_tokens(
            [
                model.readable(sentence, runs) if runs else sentence
                for _, _, sentence, runs in candidates
            ]
        )
        for (i, found, _, _), alone_scores in zip(candidates, scores, strict=True):
            floored = self._floored(results[i], found, alone_scores, risks[i])
            if floored is not None:
                results[i] = floored

    def _floor_sentences(
        self, due: list[int], texts: Sequence[str], split: list[tuple[list[str], frozenset[str]]]
    ) -> list[tuple[int, Detection, list[str], frozenset[str]]]:
        """The sentences holding a first-person tier-2/3 phrase hit, in the writer's own
        words, of each message ``due`` that has two sentences or more, each with the words
        its message joined from spaced-out letters."""
        detect = self.detector.detect_tokens
        candidates: list[tuple[int, Detection, list[str], frozenset[str]]] = []
        for i in due:
            tokens, spaced = split[i]
            own, quoted = split_attributed(texts[i])
            if quoted:  # only the writer's own words can make their crisis
                tokens, spaced = split_tokens(own)
            sentences = split_sentences(tokens)
            if len(sentences) < 2:
                continue  # read whole already
            for sentence in sentences:
                found = detect(sentence, spaced)
                if found.label is Label.CRISIS_SELF and found.tier >= 2:
                    candidates.append((i, found, sentence, spaced))
        return candidates

    def _floored(
        self, whole: Assessment, found: Detection, alone_scores: Scores, context_risk: float
    ) -> Assessment | None:
        """The message raised to the floor its sentence read alone sets, or None."""
        alone = self.combine(found, alone_scores)
        crisis = alone.is_alert and alone.label is Label.CRISIS_SELF
        if not (crisis or alone.is_soft):
            return None  # the model read the hit's own sentence as nothing either
        tier = max(found.tier, alone.tier) if crisis else found.tier
        if not _below_floor(tier, whole):
            return None  # another sentence of the same message already raised it
        raised = tier == 2 and crisis and context_risk >= self.thresholds.soft
        common = {
            "needs": whole.needs,
            "lang": whole.lang,
            "phrase_ids": whole.phrase_ids,
            "model_version": self.model_version,
            "risk": max(whole.risk, alone.risk),
        }
        if crisis and (tier == 3 or raised):
            sources = ("phrase", "sentence", "context") if raised else ("phrase", "sentence")
            return Assessment(
                Label.CRISIS_SELF, tier, Level.ALERT, alone.confidence, sources=sources, **common
            )
        if whole.level != Level.NONE:
            return None
        return Assessment(
            Label.DISTRESS,
            0,
            Level.SOFT,
            alone.confidence,
            sources=("phrase", "sentence"),
            possible_concern=True,
            **common,
        )

    def context_can_raise(self, result: Assessment) -> bool:
        """Whether the member's recent risk could change ``result`` (``combine`` raises
        only a message whose own risk reached the soft level; the phrase engine alone
        knows no context), and a crisis_self alert is one with any context: callers need
        not look context up for anything else."""
        return (
            self.classifier is not None
            and result.risk >= self.thresholds.soft
            and not (result.label is Label.CRISIS_SELF and result.is_alert)
        )

    def context_counts(self, context_risk: float) -> bool:
        """Whether the member's recent risk is high enough to raise anything: below the soft
        level it never changes an assessment, so a message need not be assessed again."""
        return context_risk >= self.thresholds.soft

    def _quiet_limits(self, eligible: list[bool]) -> Quiet:
        """The limits under which ``_quiet`` gives ``none`` with no need."""
        th = self.thresholds
        return Quiet(
            min(th.alert, th.soft),
            min(th.concern, th.soft),
            th.imminent,
            th.harassment,
            th.distress,
            th.need,
            eligible,
        )

    # ------------------------------------------------------------------ combination
    def combine(
        self,
        detection: Detection,
        scores: Scores | None,
        *,
        context_risk: float = 0.0,
        text: str = "",
    ) -> Assessment:
        if scores is None:
            return self._phrases_only(detection, text)
        th = self.thresholds
        if detection.label is Label.NONE:
            quiet = self._quiet(detection, scores)
            if quiet is not None:
                return quiet
        crisis, concern, harass = _boosted(_boosting(detection), scores, th.phrase_boost)
        needs = tuple(n for n in NEEDS if scores.needs[n] >= th.need)
        risk = max(crisis, concern)
        # A milestone told (the phrase engine's recovery cue): the model's crisis score,
        # read from the same words, counts only at the alert bar (step 1); it neither earns
        # the gentle check-in nor counts as the member's recent risk
        felt = concern if detection.milestone else risk
        common = {
            "needs": needs,
            "lang": scores.lang,
            "phrase_ids": detection.phrase_ids,
            "model_version": self.model_version,
            "risk": felt,
        }
        raised = context_risk >= th.soft and felt >= th.soft
        alert = self._alert(detection, scores, crisis, concern, raised, common)
        if alert is not None:
            return alert
        return self._below_alert(detection, scores, harass, risk, common)

    def _quiet(self, detection: Detection, scores: Scores) -> Assessment | None:
        """Step 5 at once when no step before it can apply (most chat): no phrase hit, so
        no boost, and every model score under the lowest threshold that could use it. The
        same Assessment the steps give; None when any score is high enough to look."""
        th = self.thresholds
        c = scores.classes
        crisis = c["crisis_1"] + c["crisis_2"] + c["crisis_3"]
        concern = c["concern_other"]
        if (
            crisis >= min(th.alert, th.soft)
            or concern >= min(th.concern, th.soft)
            or c["crisis_3"] >= th.imminent
            or c["harassment"] >= th.harassment
            or c["distress"] >= th.distress
        ):
            return None
        wanted = scores.needs
        needs = (
            tuple(n for n in NEEDS if wanted[n] >= th.need)
            if max(wanted.values()) >= th.need
            else ()
        )
        return Assessment(
            Label.NONE,
            0,
            Level.NONE,
            c["none"],
            needs=needs,
            lang=scores.lang,
            phrase_ids=detection.phrase_ids,
            model_version=self.model_version,
            risk=max(crisis, concern),
        )

    def _alert(
        self,
        detection: Detection,
        scores: Scores,
        crisis: float,
        concern: float,
        raised: bool,
        common: dict,
    ) -> Assessment | None:
        """Steps 1 and 2: a crisis_self alert, else a concern_other alert, else None."""
        th = self.thresholds
        plabel = detection.label
        imminent = scores.classes["crisis_3"] >= th.imminent
        # "context" is named only where context made the alert: a message that is one by
        # itself is the same with any context (so the listener need not assess it again)
        by_itself = crisis >= th.alert or imminent
        if by_itself or (raised and crisis >= concern):
            tier = scores.tier
            if scores.classes["crisis_3"] >= th.tier3 or imminent:
                tier = 3
            if plabel is Label.CRISIS_SELF:
                tier = max(tier, detection.tier)
            model = scores.crisis >= th.alert or imminent
            sources = _sources(plabel is Label.CRISIS_SELF, model, raised and not by_itself)
            return Assessment(
                Label.CRISIS_SELF, tier, Level.ALERT, crisis, sources=sources, **common
            )
        if concern >= th.concern or raised:
            sources = _sources(
                plabel is Label.CONCERN_OTHER,
                scores.classes["concern_other"] >= th.concern,
                raised and concern < th.concern,
            )
            return Assessment(
                Label.CONCERN_OTHER, 0, Level.ALERT, concern, sources=sources, **common
            )
        return None

    def _below_alert(
        self, detection: Detection, scores: Scores, harass: float, risk: float, common: dict
    ) -> Assessment:
        """Steps 3 to 5, once no alert is due: harassment, else the soft level, else none."""
        th = self.thresholds
        # Someone who may be hurting themselves is never reported as a harasser: a
        # harassment call needs the harassment score to beat every risk score.
        if harass >= th.harassment and harass >= risk:
            sources = _sources(
                detection.label is Label.HARASSMENT,
                scores.classes["harassment"] >= th.harassment,
                False,
            )
            return Assessment(
                Label.HARASSMENT, 0, Level.HARASSMENT, harass, sources=sources, **common
            )
        distress = scores.classes["distress"]
        felt = common["risk"]  # the risk itself, or less for a milestone told (``combine``)
        if felt >= th.soft or distress >= th.distress:
            confidence = max(felt, distress)
            return Assessment(
                Label.DISTRESS,
                0,
                Level.SOFT,
                confidence,
                sources=("model",),
                possible_concern=felt >= th.soft,
                **common,
            )
        return Assessment(Label.NONE, 0, Level.NONE, scores.classes["none"], **common)

    def _phrases_only(self, detection: Detection, text: str) -> Assessment:
        label = detection.label
        level = {
            Label.CRISIS_SELF: Level.ALERT,
            Label.CONCERN_OTHER: Level.ALERT,
            Label.HARASSMENT: Level.HARASSMENT,
            Label.DISTRESS: Level.SOFT,
        }.get(label, Level.NONE)
        return Assessment(
            label,
            detection.tier,
            level,
            1.0,
            (),
            guess_language(text),
            detection.phrase_ids,
            self.model_version,
            1.0 if level == Level.ALERT else 0.0,
            ("phrase",) if label is not Label.NONE else (),
        )


def _below_floor(tier: int, result: Assessment) -> bool:
    """Whether ``result`` is below the sentence floor of a first-person phrase hit of
    ``tier``: a crisis alert for tier 3, the soft level (or any alert) for tier 2."""
    if tier >= 3:
        return not (result.is_alert and result.label is Label.CRISIS_SELF)
    return result.level == Level.NONE


def _boosting(detection: Detection) -> Label:
    """The phrase label that earns the boost. A plan lowered by laughter and nothing
    stronger beside it ("kill myself tonight if the wifi dies again 💀") earns none: the
    phrase engine itself read it as a likely joke, so the model decides, and the message is
    at least the soft level (``_plain``)."""
    if detection.banter_plan and detection.tier <= 1:
        return Label.NONE
    return detection.label


def _boosted(plabel: Label, scores: Scores, boost: float) -> tuple[float, float, float]:
    """The crisis_self, concern_other and harassment scores, each raised by ``boost`` when
    the phrase engine found that label (at most 1)."""
    crisis = min(1.0, scores.crisis + (boost if plabel is Label.CRISIS_SELF else 0.0))
    concern = min(
        1.0,
        scores.classes["concern_other"] + (boost if plabel is Label.CONCERN_OTHER else 0.0),
    )
    harass = min(1.0, scores.classes["harassment"] + (boost if plabel is Label.HARASSMENT else 0.0))
    return crisis, concern, harass


def _sources(phrase: bool, model: bool, context: bool) -> tuple[str, ...]:
    named = (("phrase", phrase), ("model", model), ("context", context))
    return tuple(name for name, on in named if on) or ("combined",)
