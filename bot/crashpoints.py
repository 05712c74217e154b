"""Named crash points for the crash-recovery tests (issue #10).

``TEST_CRASH_POINT=<name>`` in the environment makes the process kill itself with SIGKILL
(no cleanup, no graceful shutdown: what a power cut or the OOM killer does) the first time
execution reaches that point. Unset, a crash point costs one comparison. Points:

- ``claim.committed``: a peer's claim is stored; no thread or relay exists yet.
- ``close.committed``: a request is closed in the database; nothing was sent yet.
- ``transfer.committed``: a request moved to another peer; the new peer is not in the
  conversation yet.
- ``checkin.claimed``: a check-in run is claimed (so it can never post twice); not posted yet.
"""

from __future__ import annotations

import os
import signal

_TARGET = os.environ.get("TEST_CRASH_POINT", "")


def crash_point(name: str) -> None:
    if _TARGET and name == _TARGET:
        os.kill(os.getpid(), signal.SIGKILL)
