"""Resource text for Discord messages (placeholder until the resource directory lands)."""

from __future__ import annotations

from datetime import datetime


def nobody_on_duty_text(region: str | None, now: datetime) -> str:
    return (
        "While you wait: if you are in danger or thinking about ending your life, please reach "
        "a crisis line now. Find one for your country at https://findahelpline.com"
    )
