"""``SafetyService``: the safety feature's rules in one object the cogs call (``services.safety``).

Its parts live in rooms of this package: ``decisions`` (what to do about a message),
``alerts`` (where alerts go, who is pinged), ``timers`` (retries and note removal),
``lookups`` (which resources a member is shown), ``members`` (opt-out, region, language).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.db.repositories.core import CardClearing
from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.services.privacy import CARD_CLEAR
from bot.services.safety.alerts import AlertsMixin
from bot.services.safety.decisions import DecisionsMixin
from bot.services.safety.lookups import LookupsMixin
from bot.services.safety.model import SafetySettings, SafetyStatus
from bot.services.safety.timers import TimersMixin

EXCLUDE_EVERYONE = N_(
    "Excluding `@everyone` would leave every member without Kindred's crisis replies. Please "
    "exclude a channel or a narrower role instead; to turn crisis replies off, "
    "`/safety settings enabled:False` does it openly. Nothing was changed."
)


class SafetyService(DecisionsMixin, AlertsMixin, TimersMixin, LookupsMixin):
    # -- guild settings ----------------------------------------------------------------------
    async def update_settings(self, guild_id: int, actor_id: int, **changes: Any) -> SafetySettings:
        """Store the changes given (none: just read the settings)."""
        if not changes:
            return await self.config(guild_id)
        return await self.settings.update(guild_id, SafetySettings, actor_id, **changes)

    async def exclude(
        self,
        guild_id: int,
        actor_id: int,
        *,
        channel_id: int | None = None,
        role_id: int | None = None,
        remove: bool = False,
    ) -> SafetySettings:
        """Leave a channel or role alone (or include it again). ``@everyone`` (whose id is the
        server's) is refused: every member has it, so it would silently end crisis replies."""
        if role_id == guild_id and not remove:
            raise InvalidInputError(EXCLUDE_EVERYONE)
        cfg = await self.config(guild_id)
        channels, roles = set(cfg.excluded_channel_ids), set(cfg.excluded_role_ids)
        for target, ids in ((channel_id, channels), (role_id, roles)):
            if target is not None:
                (ids.discard if remove else ids.add)(target)
        return await self.settings.update(
            guild_id,
            SafetySettings,
            actor_id,
            excluded_channel_ids=sorted(channels),
            excluded_role_ids=sorted(roles),
        )

    async def status(self, guild_id: int, days: int = 30) -> SafetyStatus:
        return SafetyStatus(
            counts=await self.counts(guild_id, days),
            enabled=(await self.config(guild_id)).enabled,
            precision=await self.precision(guild_id),
            stale=self.stale_resources(),
        )

    # -- retention and /forgetme ---------------------------------------------------------------
    async def purge(self, days: int) -> int:
        return await self.repo.purge_before(self.clock() - timedelta(days=days))

    async def forget(self, user_id: int) -> int:
        """``/forgetme``: their events and alerts go; alerts they were reaching out on (as a
        peer, raised within a day) are first opened again and offered to the others, as when
        a peer loses the role, without their id; older ones only lose who took them. The
        alert cards posted about them are cleared (``privacy.card_clear``, stored with the
        deletion and retried)."""
        self.forget_context(user_id)
        reopened = await self._reopen(None, user_id)
        clearing = CardClearing(CARD_CLEAR, self.clock())
        return len(reopened) + await self.repo.delete_user(user_id, clearing)
