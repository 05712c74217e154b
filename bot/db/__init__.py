"""Persistence: the one place SQL lives. Everything above talks to repositories."""

from bot.db.connection import Database, Row, Transaction
from bot.db.migrate import apply_migrations, available_migrations

__all__ = ["Database", "Row", "Transaction", "apply_migrations", "available_migrations"]
