"""Kindred: a Discord bot for community peer support."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root; relative paths in the configuration resolve against it, not the CWD.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
