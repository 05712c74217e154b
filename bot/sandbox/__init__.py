"""Run the real Kindred against the Discord emulator.

- ``runner``: ``KindredRunner`` starts, stops and restarts the bot on one database file (the
  end-to-end tests and benchmarks use it), ``SandboxClock`` is a clock the sandbox moves, and
  ``settle`` waits until the bot has finished reacting.
- ``world``: ``build_world`` (the tests' server) and ``build_demo`` (the demo community).
- ``parse``: one console line → a command or a one-line hint (no I/O).
- ``console``: runs commands against the emulator and returns what happened (no terminal).
- ``render``: draws what happened with rich; ``repl``: the prompt_toolkit prompt, scripts and
  ``python -m bot sandbox`` / ``make sandbox``.
"""

from bot.sandbox.runner import KindredRunner, SandboxClock
from bot.sandbox.world import DemoWorld, World, build_demo, build_world

__all__ = ["DemoWorld", "KindredRunner", "SandboxClock", "World", "build_demo", "build_world"]
