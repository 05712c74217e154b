"""The threshold search's keys (``bot/safety/evaluation.py``): within a budget the most of
what a threshold is for; over it, the least overspend."""

from __future__ import annotations

from bot.safety.evaluation import _SINGLE_STEPS, _within


def test_within_budget_the_most_gain_wins() -> None:
    key = _within("soft_none_any", 0.07, "distress_any")
    cheap = {"soft_none_any": 0.05, "distress_any": 0.80}
    rich = {"soft_none_any": 0.069, "distress_any": 0.95}
    over = {"soft_none_any": 0.09, "distress_any": 0.99}
    assert max([cheap, rich, over], key=key) is rich


def test_when_no_value_keeps_the_budget_the_least_overspend_wins() -> None:
    """An earlier step can spend a budget (the soft level gave 7.1 % of ordinary lines a
    response): the distress step then chose the most recall, a 0.1 threshold and 14.6 %,
    instead of the value that overspends least."""
    key = _within("soft_none_any", 0.07, "distress_any")
    low = {"soft_none_any": 0.071, "distress_any": 0.75}
    high = {"soft_none_any": 0.146, "distress_any": 0.99}
    assert max([high, low], key=key) is low


def test_every_budgeted_step_uses_the_same_rule() -> None:
    """Two values over every budget: the one with the smaller overspend wins in each step,
    though the other gains more."""
    budgets = ("false_alarm", "soft_none_any", "needs_false", "harassment_false")
    gains = ("concern_recall", "harassment_recall", "soft_crisis_any", "distress_any")
    less = dict.fromkeys(budgets, 0.5) | dict.fromkeys((*gains, "needs_recall"), 0.5)
    more = dict.fromkeys(budgets, 0.6) | dict.fromkeys((*gains, "needs_recall"), 1.0)
    names = [name for name, _, _ in _SINGLE_STEPS]
    assert names == ["concern", "harassment", "soft", "distress", "tier3", "need"]
    for name, key, _ in _SINGLE_STEPS:
        if name != "tier3":
            assert max([more, less], key=key) is less, name


def test_harassment_keeps_its_own_budget_of_ordinary_lines_shown_to_moderators() -> None:
    """The harassment step keeps two budgets: ordinary lines given any response, and those
    reported to moderators as harassment (a member's words shown to someone else). A value
    inside the first but over the second loses to one inside both, though it finds more."""
    key = {name: key for name, key, _ in _SINGLE_STEPS}["harassment"]
    reports_more = {"soft_none_any": 0.04, "harassment_false": 0.006, "harassment_recall": 0.93}
    reports_few = {"soft_none_any": 0.04, "harassment_false": 0.0024, "harassment_recall": 0.92}
    assert max([reports_more, reports_few], key=key) is reports_few
    # with both budgets kept, the most recall wins as before
    finds_more = {"soft_none_any": 0.045, "harassment_false": 0.0036, "harassment_recall": 0.95}
    assert max([finds_more, reports_few], key=key) is finds_more
