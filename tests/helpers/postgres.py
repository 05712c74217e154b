"""A throwaway PostgreSQL cluster for the tests: initdb + start in a temporary folder.

The server listens only on a Unix socket inside that folder (no TCP port, nothing shared with
the machine's own PostgreSQL). PostgreSQL refuses to run as root, so under root (CI, this
workplace) every server command runs as the ``postgres`` user through ``runuser``. Binaries:
``KINDRED_PG_BIN``, else ``initdb`` on PATH, else the newest ``/usr/lib/postgresql/*/bin``.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import asyncpg

SUPERUSER = "postgres"
# Throwaway data: durability off, so a test database is created in milliseconds.
SERVER_OPTIONS = (
    "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c max_connections=300 -c shared_buffers=32MB"
)


# A session's cluster ends with ~90,000 files (a schema per test): deleting them took 7-20 s on
# disk and about 1 s in memory. /dev/shm holds it when it has room to spare (containers often
# give /dev/shm only 64 MB: then the temporary folder, as before).
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_FREE_NEEDED = 4 * 2**30


def cluster_parent() -> str | None:
    """Where the cluster's folder goes: /dev/shm with room to spare, else the default."""
    try:
        stat = os.statvfs(MEMORY_FOLDER)
    except OSError:
        return None
    roomy = stat.f_bavail * stat.f_frsize >= MEMORY_FREE_NEEDED
    return str(MEMORY_FOLDER) if roomy and os.access(MEMORY_FOLDER, os.W_OK) else None


def find_bindir() -> Path | None:
    configured = os.environ.get("KINDRED_PG_BIN")
    if configured:
        return Path(configured) if (Path(configured) / "initdb").exists() else None
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


class Cluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="kindred-pg-", dir=cluster_parent()))
        self.data = self.root / "data"
        self._names = itertools.count(1)
        self._as: list[str] = []
        self._shared: str | None = None  # the database holding one schema per test
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise RuntimeError(
                    "PostgreSQL will not run as root and there is no 'postgres' user to run it"
                    " as: install Debian's postgresql package, or run the tests as another user"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", SUPERUSER, "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "--locale=C", "--encoding=UTF8", "--no-sync",
        )  # fmt: skip
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
            "-o", f"{SERVER_OPTIONS} -k {self.root}",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.root}"

    async def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        name = f"kt_{os.getpid()}_{next(self._names)}"
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()
        return self.url(name)

    async def create_schema(self) -> str:
        """A new, empty schema in a shared database, as a URL whose ``search_path`` is it:
        as isolated as a database for Kindred (it reads only ``current_schema()``), and a
        hundredth of the disk and time (a database is a copy of ~8 MB of catalogs)."""
        if self._shared is None:
            self._shared = await self.create_database()
        name = f"ks_{next(self._names)}"
        conn = await asyncpg.connect(self._shared)
        try:
            await conn.execute(f"CREATE SCHEMA {name}")
        finally:
            await conn.close()
        return f"{self._shared}&search_path={name}"
