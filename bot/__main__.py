"""Command line: ``python -m bot [run|migrate|copy-db|check-config|detect|health|backup|
sandbox] [--config FILE]``.

``--config FILE`` may come before or after the subcommand."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Secrets, Settings, load_secrets, load_settings, masked_dump

NO_TOKEN = """\
Kindred needs a Discord bot token to connect, and DISCORD_TOKEN is not set.

  1. Open https://discord.com/developers/applications, create an application, then a Bot.
  2. On the Bot page, turn on the privileged "Message Content Intent" (Kindred reads
     messages only to notice crisis language; it stores no message text).
  3. Copy the token and run:   DISCORD_TOKEN=your-token make run
     (or put DISCORD_TOKEN=... in a .env file in this folder; it is git-ignored).

The README explains the invite link and the permissions Kindred asks for.
"""

EXIT_CONFIG = 2


class DiscordUnreachable(Exception):
    """Logging in, Kindred could not reach Discord's REST address (refused, unknown host,
    a proxy down, no answer in time) or it answered an HTTP error (a wrong path, Discord or
    a proxy in trouble); the message is the one line to print."""


def _config_option() -> argparse.ArgumentParser:
    """``--config`` for every subcommand too (``python -m bot run --config F``). SUPPRESS: a
    subcommand without it leaves the value given before the subcommand alone."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="TOML settings file")
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML settings file (or KINDRED_CONFIG)")
    sub = parser.add_subparsers(dest="command")
    common = [_config_option()]
    sub.add_parser("run", parents=common, help="start the bot (default)")
    sub.add_parser("migrate", parents=common, help="apply database migrations and exit")
    copy = sub.add_parser(
        "copy-db",
        parents=common,
        help="copy a database (e.g. the SQLite file) into a new, empty one (e.g. PostgreSQL)",
        description="Copy every row of a Kindred database into an empty one; the source is only"
        " read. Stop the bot first. Example: python -m bot copy-db --from data/kindred.db"
        " --to postgresql://kindred@localhost/kindred",
    )
    copy.add_argument(
        "--from",
        dest="source",
        help="source: a SQLite path, sqlite:///path or postgresql://"
        " URL (default: the configured SQLite file)",
    )
    copy.add_argument(
        "--to", dest="target", help="target URL (default: the configured [database] url)"
    )
    sub.add_parser("check-config", parents=common, help="validate and print the settings")
    sub.add_parser("detect", parents=common, help="classify JSON lines from stdin")
    _add_ops_commands(sub, common)
    sub.add_parser(
        "sandbox",
        parents=common,
        help="try Kindred in a local Discord emulator (--script FILE)",
    )
    return parser


def _add_ops_commands(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    health = sub.add_parser(
        "health", parents=common, help="ask the running bot's health endpoint; exit 0 if healthy"
    )
    health.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    backup = sub.add_parser(
        "backup", parents=common, help="back the database up now (safe while Kindred runs)"
    )
    backup.add_argument(
        "--to", type=Path, metavar="FOLDER", help="folder for the copy (default: [backup] folder)"
    )


def _setup_logging(settings: Settings, secrets: Secrets) -> None:
    from bot.logs import setup_logging

    token = secrets.discord_token
    setup_logging(
        settings.logging.level,
        settings.logging.format,
        secrets=[token.get_secret_value().strip()] if token else [],
    )


def _health(settings: Settings, timeout: float) -> int:
    """For a container's HEALTHCHECK: print the answer, exit 0 when healthy, 1 otherwise."""
    from bot.health import query_health

    healthy, text = asyncio.run(query_health(settings.health, seconds=timeout))
    print(text, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _backup(settings: Settings, folder: Path | None) -> int:
    from bot.services.backup import backup_once

    if settings.database.backend == "postgres":
        print(
            "backup copies the SQLite file; this Kindred uses PostgreSQL: use pg_dump "
            "(docs/self-hosting.md, The database)",
            file=sys.stderr,
        )
        return 1
    try:
        path = backup_once(settings, folder)
    except (OSError, RuntimeError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backed up to {path}")
    return 0


async def _migrate(settings: Settings) -> int:
    import sqlite3

    import asyncpg

    from bot.db import Database, apply_migrations
    from bot.db.connection import DatabaseOpenError
    from bot.db.migrate import MigrationError

    db = Database(settings.database.target(), **settings.database.options())
    try:
        await db.connect()
        applied = await apply_migrations(db)
    except (
        MigrationError,
        DatabaseOpenError,
        OSError,
        sqlite3.Error,
        asyncpg.PostgresError,
    ) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    where = f" ({settings.database.backend})"
    print(f"applied migrations{where}: {applied}" if applied else f"database is up to date{where}")
    return 0


def _copy_db(settings: Settings, source: str | None, target: str | None) -> int:
    from bot.db.connection import (
        DATABASE_URL_RULE,
        is_postgres_url,
        mask_url,
        sqlite_path,
        unsupported_url,
    )

    source = source or str(settings.database.resolved_path())
    target = target or (settings.database.url if settings.database.backend == "postgres" else None)
    if not target:
        print(
            "copy-db: say where to copy to: --to postgresql://user@host/database", file=sys.stderr
        )
        return EXIT_CONFIG
    for option, value in (("--from", source), ("--to", target)):
        if unsupported_url(value):
            print(
                f"copy-db: {option} {mask_url(value)}: a database URL {DATABASE_URL_RULE}"
                " (postgresql://user@host/database, postgres://… or sqlite:///path), or give"
                " a SQLite file's path; nothing was copied",
                file=sys.stderr,
            )
            return EXIT_CONFIG
    if not is_postgres_url(source) and not Path(sqlite_path(source)).is_file():
        print(f"copy-db: no SQLite database at {sqlite_path(source)}", file=sys.stderr)
        return 1
    return asyncio.run(_copy(settings, source, target))


async def _copy(settings: Settings, source: str, target: str) -> int:
    import sqlite3

    import asyncpg

    from bot.config import mask_url
    from bot.db import Database
    from bot.db.connection import DatabaseOpenError
    from bot.db.copy import CopyError, copy_database

    options = settings.database.options()
    src, dst = Database(source, **options), Database(target, **options)
    try:
        await src.connect()
        await dst.connect()
        counts = await copy_database(
            src, dst, progress=lambda table, n: print(f"  {table}: {n} rows")
        )
    except (CopyError, DatabaseOpenError, OSError, sqlite3.Error, asyncpg.PostgresError) as exc:
        print(f"copy-db: {exc}; nothing was copied", file=sys.stderr)
        return 1
    finally:
        await src.close()
        await dst.close()
    print(f"copied {sum(counts.values())} rows in {len(counts)} tables into {mask_url(target)}")
    return 0


async def _run(settings: Settings, token: str) -> int:
    import sqlite3

    import asyncpg
    import discord

    from bot.bot import make_bot
    from bot.config import mask_url
    from bot.db.connection import DatabaseOpenError
    from bot.db.migrate import MigrationError
    from bot.services import build_services
    from bot.services.selfhelp import LibraryError

    try:
        services = await build_services(settings)
    except LibraryError as exc:
        print(f"self-help library error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseOpenError as exc:  # names the file itself
        print(f"Kindred could not open its database: {exc}", file=sys.stderr)
        return 1
    except (MigrationError, OSError, sqlite3.Error, asyncpg.PostgresError) as exc:
        where = mask_url(settings.database.url or "") or settings.database.resolved_path()
        print(f"Kindred could not open its database ({where}): {exc}", file=sys.stderr)
        return 1
    bot = make_bot(services)
    stop, lost = asyncio.Event(), asyncio.Event()
    _stop_on_signals(stop)
    runner = asyncio.create_task(_own_then_start(bot, settings, token, stop, lost))
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()
        return 1 if lost.is_set() else 0
    except discord.LoginFailure:
        print(
            "Discord refused the token in DISCORD_TOKEN. Copy it again from the Bot page.",
            file=sys.stderr,
        )
        return 1
    except DiscordUnreachable as exc:
        print(exc, file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "Turn on the Message Content Intent on your bot's page in the Discord developer "
            "portal, then start Kindred again.",
            file=sys.stderr,
        )
        return 1
    finally:
        stopper.cancel()
        # Graceful: discord closes, the scheduler stops, then the database closes.
        await bot.close()
        if not runner.done():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def _own_then_start(
    bot: Any, settings: Settings, token: str, stop: asyncio.Event, lost: asyncio.Event
) -> None:
    """In a cluster, become the owner of this process's id first: a second process with the
    same id (a standby) waits here, and takes over when the owner's session ends."""
    import logging
    import time

    log = logging.getLogger("bot")
    cluster = settings.cluster
    if cluster.clustered:

        def on_lost() -> None:
            log.error("cluster id %d: lost the database session holding ownership", cluster.id)
            lost.set()
            stop.set()

        log.info("cluster id %d: waiting to own shards %s", cluster.id, cluster.shard_ids())
        began = time.monotonic()
        await bot.services.db.hold_session_lock("kindred-cluster", cluster.id, on_lost=on_lost)
        log.info(
            "cluster id %d: owner after %.3f s; connecting shards %s of %d",
            cluster.id, time.monotonic() - began, cluster.shard_ids(), cluster.total_shards(),
        )  # fmt: skip
    await _start(bot, settings, token)


async def _start(bot: Any, settings: Settings, token: str) -> None:
    """``bot.start``: login, then connect. Connecting to the gateway retries network errors by
    itself, so one that ends it comes from logging in, where an unreachable REST address
    shows: said in one line."""
    import aiohttp
    import discord

    from bot.db.connection import mask_url

    try:
        await bot.start(token)
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = " ".join(str(exc).split()) or "no answer in time"
        raise DiscordUnreachable(
            f"Kindred could not reach Discord at {mask_url(settings.discord.api_base_url)}"
            f" ({reason}): check the network, a proxy, and [discord] api_base_url, then start"
            " Kindred again"
        ) from exc
    except discord.HTTPException as exc:  # a 401 is discord.LoginFailure, said by _run
        raise DiscordUnreachable(_answered(settings, exc)) from exc


def _answered(settings: Settings, exc: Any) -> str:
    """One line for an HTTP error answering the login (or the requests discord.py makes
    while logging in): the address, the status, the request, and what to do. Never the
    answer's body (a proxy's HTML page)."""
    from bot.config import DISCORD_API_BASE_URL
    from bot.db.connection import mask_url

    response = exc.response
    status = " ".join(f"{exc.status} {getattr(response, 'reason', '') or ''}".split())
    url = getattr(response, "url", None)
    request = f" ({response.method} {url.path})" if url is not None else ""
    if exc.status >= 500:
        advice = "Discord or a proxy in between is in trouble: start Kindred again in a few minutes"
    else:
        advice = (
            f"check [discord] api_base_url (Discord's own is {DISCORD_API_BASE_URL}) and any"
            " proxy, then start Kindred again"
        )
    return (
        f"Discord at {mask_url(settings.discord.api_base_url)} answered {status} when Kindred"
        f" logged in{request}: {advice}"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:  # its own options: python -m bot sandbox --help
        from bot.sandbox.repl import main as sandbox_main

        return sandbox_main(argv[1:])
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "detect":
        from bot.safety.cli import main as detect_main

        return detect_main(sys.stdin, sys.stdout)
    try:
        settings, path = load_settings(args.config)
        if command == "health":  # needs no token
            return _health(settings, args.timeout)
        secrets = load_secrets()
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if command == "check-config":
        print(f"# settings from {path} and the environment")
        print(json.dumps(masked_dump(settings, secrets), indent=2))
        return 0
    _setup_logging(settings, secrets)
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "backup":
        return _backup(settings, args.to)
    if command == "copy-db":
        return _copy_db(settings, args.source, args.target)
    token = secrets.discord_token
    if token is None or not token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 1
    return asyncio.run(_run(settings, token.get_secret_value().strip()))


if __name__ == "__main__":
    sys.exit(main())
