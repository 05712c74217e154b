"""The retention purge's cutoffs as SQL: one statement per table, a cutoff per server.

The deployment keeps stored content at most ``[privacy] retention_days`` (``default``); a
server may keep it for less (its ``/peers limits retention_days``, stored in
``guild_settings`` under ``setting``). ``shorter`` lists each shorter period in use (days) with
its cutoff, so a row is old enough when its time is before its server's cutoff:

    created_at < <latest cutoff>            -- the time index narrows the rows first
    AND created_at < CASE (SELECT value FROM guild_settings
                           WHERE guild_id = <the row's server> AND key = ?)
                     WHEN '7' THEN <now - 7 days> ... ELSE <default> END

Portable (times are ISO-8601 text on both backends; settings are JSON text), and the
correlated look-up uses the settings' primary key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import to_db

#: where a server's own retention period (days) is stored in ``guild_settings``
RETENTION_SETTING = "peers.retention_days"


@dataclass(frozen=True)
class Cutoffs:
    default: datetime
    #: (days, cutoff) for each period shorter than the deployment's that a server set
    shorter: tuple[tuple[int, datetime], ...] = ()
    setting: str = RETENTION_SETTING

    @classmethod
    def of(cls, cutoff: datetime | Cutoffs) -> Cutoffs:
        """A single cutoff for every server, or the cutoffs as given."""
        return cutoff if isinstance(cutoff, Cutoffs) else cls(cutoff)

    def older(self, column: str, guild_sql: str) -> tuple[str, tuple[Any, ...]]:
        """``column`` (a stored time) is before its server's cutoff: SQL and its parameters.
        ``guild_sql`` is the row's server id (a column, or a subquery for a child table)."""
        if not self.shorter:
            return f"{column} < ?", (to_db(self.default),)
        latest = max(cutoff for _, cutoff in self.shorter)
        whens = " ".join("WHEN ? THEN ?" for _ in self.shorter)
        sql = (
            f"{column} < ? AND {column} < CASE (SELECT gs.value FROM guild_settings gs"
            f" WHERE gs.guild_id = {guild_sql} AND gs.key = ?) {whens} ELSE ? END"
        )
        params: list[Any] = [to_db(latest), self.setting]
        for days, cutoff in self.shorter:
            params += [json.dumps(days), to_db(cutoff)]
        return sql, (*params, to_db(self.default))
