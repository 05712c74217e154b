"""Crisis-language detection (pure Python, no discord imports).

>>> from bot.safety import Detector, Label
>>> Detector.default().detect("i want to die").label is Label.CRISIS_SELF
True
"""

from bot.safety.detector import Detection, Detector, Label, PhraseListError

__all__ = ["Detection", "Detector", "Label", "PhraseListError"]
