"""Peer supporters: their settings, duty, weekly shifts, tags and blocks.

- ``settings``: :class:`PeerSettings` (who the peers are, where cards go, limits, escalation);
- ``duty``: who is on duty now (:class:`DutyService`), shift windows;
- ``shifts``: :class:`ShiftService`, the shift engine (start, 10-minute reminder, end and
  hand-off, the 24-hour duty cap, duty expiry) on stored timers;
- ``tags``: the server's tags and each peer's (:class:`TagService`);
- ``blocks``: blocking a member from requests and revealing an anonymous one, audited
  (:class:`BlockService`).

Only the settings are imported here, so ``bot.services.requests`` can use them without a
circle; import the services from their modules.
"""

from bot.services.peers.settings import (
    PeerSettings,
    canonical_office_hours,
    check_idle,
    kept_days,
    update_limits,
)

__all__ = ["PeerSettings", "canonical_office_hours", "check_idle", "kept_days", "update_limits"]
