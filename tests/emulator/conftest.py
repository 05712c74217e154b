from __future__ import annotations

from emulator.pytest_plugin import emulator  # noqa: F401  (fixture re-export)
