"""A member's own choices: automatic messages off (opt-out), their region, their language."""

from __future__ import annotations

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.services.resources import normalize_region
from bot.services.safety.base import SafetyBase
from bot.services.safety.model import LANG_KEY, LANGUAGES, OPT_OUT_KEY, REGION_KEY
from bot.services.settings import CoreSettings


class MembersMixin(SafetyBase):
    async def opted_out(self, user_id: int) -> bool:
        return bool(await self.prefs.get(user_id, OPT_OUT_KEY))

    async def set_opt_out(self, user_id: int, value: bool) -> None:
        if value:
            await self.prefs.set(user_id, OPT_OUT_KEY, True, self.clock())
        else:
            await self.prefs.delete(user_id, OPT_OUT_KEY)

    # -- regions -------------------------------------------------------------------------
    async def region_for(self, guild_id: int | None, user_id: int) -> str | None:
        """The member's own region, else the guild's default, else unknown."""
        mine = await self.prefs.get(user_id, REGION_KEY)
        if mine:
            return str(mine)
        if guild_id is None:
            return None
        return (await self.settings.get(guild_id, CoreSettings)).default_region

    async def set_region(self, user_id: int, text: str) -> str:
        region = normalize_region(text)
        await self.prefs.set(user_id, REGION_KEY, region, self.clock())
        return region

    async def clear_region(self, user_id: int) -> None:
        await self.prefs.delete(user_id, REGION_KEY)

    # -- language ----------------------------------------------------------------------------
    async def language_for(self, user_id: int, detected: str | None = None) -> str:
        """The member's chosen language, else the detected one, else English."""
        mine = await self.prefs.get(user_id, LANG_KEY)
        if mine in LANGUAGES:
            return str(mine)
        return detected if detected in LANGUAGES else "en"

    async def set_language(self, user_id: int, code: str) -> str:
        code = code.strip().lower()[:5].split("-")[0]
        if code not in LANGUAGES:
            raise InvalidInputError(N_("Languages: {languages}."), languages=", ".join(LANGUAGES))
        await self.prefs.set(user_id, LANG_KEY, code, self.clock())
        return code

    async def clear_language(self, user_id: int) -> None:
        await self.prefs.delete(user_id, LANG_KEY)
