"""``python -m bot.sandbox``: the same as ``python -m bot sandbox`` (see ``repl``)."""

import sys

from bot.sandbox.repl import main

sys.exit(main())
