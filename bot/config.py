"""Deployment settings: one typed model read from a TOML file and the environment.

Per-guild settings (what moderators change with slash commands) live in the database instead;
this file only holds what the person hosting Kindred decides. The token never comes from a file
in the repository: only from ``DISCORD_TOKEN`` (or a git-ignored ``.env``).
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bot import PROJECT_ROOT
from bot.db.connection import DATABASE_URL_RULE, is_database_url, mask_url

DISCORD_API_BASE_URL = "https://discord.com/api/v10"
ENV_PREFIX = "KINDRED_"


class ConfigError(Exception):
    """A configuration problem, already phrased as one line naming the file, key and problem."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(_Section):
    api_base_url: str = Field(
        DISCORD_API_BASE_URL, description="REST base URL; point at a proxy or the emulator."
    )
    gateway_url: str | None = Field(
        None, description="Gateway websocket URL; empty means Discord's own (or ask api_base_url)."
    )
    dev_guild_id: int | None = Field(
        None, description="Sync slash commands to this guild only (instant, for development)."
    )
    sync_commands: bool = Field(True, description="Sync slash commands with Discord at start-up.")

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("gateway_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value


class DatabaseSettings(_Section):
    url: str | None = Field(
        None,
        description="Empty: SQLite at `path` (one process). postgresql://user@host/db: PostgreSQL"
        " (the password is best left to PGPASSWORD or ~/.pgpass). sqlite:///file also works.",
    )
    path: Path = Field(Path("data/kindred.db"), description="SQLite file; relative to the repo.")
    busy_timeout_ms: int = Field(5000, ge=0, le=600_000, description="SQLite: wait for a lock.")
    pool_min_size: int = Field(1, ge=0, le=100, description="PostgreSQL: connections kept open.")
    pool_max_size: int = Field(10, ge=1, le=100, description="PostgreSQL: most connections.")

    @field_validator("url")
    @classmethod
    def _db_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not is_database_url(value):
            raise ValueError(f"{DATABASE_URL_RULE}; leave it out for SQLite")
        return value

    @property
    def backend(self) -> Literal["sqlite", "postgres"]:
        return "postgres" if self.url and self.url.startswith("postgres") else "sqlite"

    def resolved_path(self) -> Path:
        if self.url and self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
        else:
            path = self.path
        return path if path.is_absolute() else PROJECT_ROOT / path

    def target(self) -> str:
        """What ``Database(...)`` opens: the PostgreSQL URL or the SQLite file."""
        return self.url if self.backend == "postgres" and self.url else str(self.resolved_path())

    def options(self) -> dict[str, int]:
        return {
            "busy_timeout_ms": self.busy_timeout_ms,
            "pool_min_size": self.pool_min_size,
            "pool_max_size": self.pool_max_size,
        }


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    format: Literal["human", "json"] = Field(
        "human", description="human: one readable line each; json: one JSON object per line."
    )

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class SchedulerSettings(_Section):
    misfire_grace_seconds: int = Field(
        300, ge=0, description="A recurring run missed by less than this is run late, once."
    )
    default_timezone: str = Field("UTC", description="IANA zone used when a guild sets none.")

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():  # "US" is a folder: ZoneInfo raises
            raise ValueError(
                f"unknown time zone {value[:40]!r} (use an IANA name like Europe/London)"
            )
        return value


class PrivacySettings(_Section):
    retention_days: int = Field(
        30, ge=1, le=3650, description="Upper bound for keeping any stored message content."
    )
    departed_server_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="How long a server's data is kept after it removed Kindred (invited back"
        " within it, everything resumes); then every row of the server is deleted.",
    )


class HealthSettings(_Section):
    enabled: bool = Field(False, description="Serve GET /health (for container health checks).")
    host: str = Field("127.0.0.1", description="Address to listen on; localhost by default.")
    port: int = Field(8080, ge=1, le=65535)
    max_timer_lag_seconds: int = Field(
        300, ge=1, description="Unhealthy when a due timer has waited longer than this."
    )


class BackupSettings(_Section):
    enabled: bool = Field(False, description="Back the database up once a day.")
    folder: Path = Field(
        Path("data/backups"), description="Where backups go; relative to the repo."
    )
    keep: int = Field(7, ge=1, le=3650, description="How many daily backups to keep.")
    time: str = Field("03:30", description="When, as HH:MM in UTC.")

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise ValueError("must be HH:MM, e.g. 03:30")
        if int(hours) > 23 or int(minutes) > 59:
            raise ValueError("must be a time of day between 00:00 and 23:59")
        return f"{int(hours):02d}:{minutes}"

    def resolved_folder(self) -> Path:
        return self.folder if self.folder.is_absolute() else PROJECT_ROOT / self.folder


class ClusterSettings(_Section):
    id: int = Field(0, ge=0, le=1023, description="This process's number, 0 to count - 1.")
    count: int = Field(
        1, ge=1, le=1024, description="How many processes share the bot; over 1 needs PostgreSQL."
    )
    shard_count: int | None = Field(
        None, ge=1, le=65536, description="Discord shards in all; empty: one per process."
    )
    timer_lease_seconds: int = Field(
        60, ge=1, le=3600, description="A claimed timer whose process died runs again after this."
    )
    timer_poll_seconds: int = Field(
        30, ge=1, le=3600, description="Look for due timers this often even without a NOTIFY."
    )

    @model_validator(mode="after")
    def _consistent(self) -> ClusterSettings:
        if self.id >= self.count:
            raise ValueError(f"id {self.id} must be below count {self.count} (ids start at 0)")
        if self.shard_count is not None and self.shard_count < self.count:
            raise ValueError(
                f"shard_count {self.shard_count} is below count {self.count}:"
                " every process needs at least one shard"
            )
        return self

    @property
    def clustered(self) -> bool:
        return self.count > 1

    def total_shards(self) -> int:
        return self.shard_count if self.shard_count is not None else self.count

    def shard_ids(self) -> list[int]:
        """The shards this process owns: ``{i | i % count == id}``."""
        return [i for i in range(self.total_shards()) if i % self.count == self.id]


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """Discord's formula; DMs and guild-less work belong to shard 0."""
    return 0 if not guild_id else (guild_id >> 22) % shard_count


class Settings(BaseSettings):
    """Everything a deployment configures. Environment variables (KINDRED_SECTION__KEY) win."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    discord: DiscordSettings = DiscordSettings()
    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    privacy: PrivacySettings = PrivacySettings()
    health: HealthSettings = HealthSettings()
    backup: BackupSettings = BackupSettings()
    cluster: ClusterSettings = ClusterSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init kwargs; the environment is listed first so it wins.
        return (env_settings, init_settings)


ENV_FILE = PROJECT_ROOT / ".env"


class Secrets(BaseSettings):
    """The bot token, read only from the environment or a git-ignored .env file."""

    model_config = SettingsConfigDict(
        env_file=str(ENV_FILE), env_file_encoding="utf-8-sig", extra="ignore"
    )  # -sig: a BOM some editors write

    discord_token: SecretStr | None = Field(None, validation_alias="DISCORD_TOKEN")


def load_secrets(env_file: Path | None = None) -> Secrets:
    """The token from the environment or ``env_file`` (the project's ``.env``). A file that
    is not UTF-8 text, or cannot be read, raises ConfigError naming it (one line for the
    command line), not a UnicodeDecodeError traceback from the loader."""
    path = ENV_FILE if env_file is None else Path(env_file)
    if path.is_file():
        read_text(path)  # checked here; the loader reads it again
    return Secrets(_env_file=path)  # type: ignore[call-arg]


def read_text(path: Path) -> str:
    """A configuration file's text (UTF-8, a BOM some editors write allowed), or ConfigError
    naming the file: not found, unreadable, or the line with a byte UTF-8 cannot read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: not UTF-8 text (line {line} has a byte UTF-8 cannot read);"
            " save the file as UTF-8"
        ) from exc


def default_config_path() -> Path:
    """``--config`` beats ``KINDRED_CONFIG`` beats ``config.toml`` beats the shipped example."""
    env = os.environ.get("KINDRED_CONFIG")
    if env:
        return Path(env)
    local = PROJECT_ROOT / "config.toml"
    return local if local.exists() else PROJECT_ROOT / "config.example.toml"


def _format_loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _environment() -> dict[str, str]:
    """The ``KINDRED_*`` variables by their upper-case name (pydantic reads them in any case)."""
    return {k.upper(): k for k in os.environ if k.upper().startswith(ENV_PREFIX)}


def _unknown_variable(env: dict[str, str]) -> str | None:
    """A ``KINDRED_*`` variable naming no section (pydantic would silently ignore it)."""
    sections = Settings.model_fields
    for upper, name in sorted(env.items()):
        if upper == "KINDRED_CONFIG":
            continue
        section = upper.removeprefix(ENV_PREFIX).split("__")[0].lower()
        if section not in sections:
            return f"{name}: no such setting (sections: {', '.join(sections)})"
    return None


def _variable_for(loc: tuple[Any, ...], env: dict[str, str]) -> str | None:
    """The environment variable behind a validation error at ``loc``, if one is set: the
    environment wins over the file, so a set variable is where the bad value came from."""
    parts = [str(p).upper() for p in loc if not isinstance(p, int)]
    for depth in range(len(parts), 0, -1):
        upper = ENV_PREFIX + "__".join(parts[:depth])
        if upper in env:
            return env[upper]
    return None


def _validate(raw: dict[str, Any], path: Path) -> Settings:
    env = _environment()
    unknown = _unknown_variable(env)
    if unknown:
        raise ConfigError(f"environment variable {unknown}")
    try:
        settings = Settings(**raw)
    except SettingsError as exc:  # e.g. KINDRED_DATABASE=oops: not a section
        field = re.search(r'field "([^"]+)"', str(exc))
        name = _variable_for((field.group(1),), env) if field else None
        if name:
            raise ConfigError(
                f"environment variable {name}: not valid JSON for the whole section; "
                f"set one key as {name.upper()}__<KEY>"
            ) from exc
        raise ConfigError(f"{path}: environment: {exc}".splitlines()[0]) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        problem = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            problem = "unknown key"
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        name = _variable_for(err["loc"], env)
        where = f"environment variable {name}" if name else f"{path}: {_format_loc(err['loc'])}"
        raise ConfigError(f"{where}: {problem}{more}") from exc
    cluster_problem = cluster_refusal(settings)
    if cluster_problem:
        name = _variable_for(("cluster", "count"), env)
        raise ConfigError(f"{f'environment variable {name}' if name else path}: {cluster_problem}")
    return settings


def cluster_refusal(settings: Settings) -> str | None:
    """Several processes on one SQLite file would each run every timer: refused."""
    count = settings.cluster.count
    if count > 1 and settings.database.backend != "postgres":
        return (
            f'cluster.count = {count} needs PostgreSQL (database.url = "postgresql://...");'
            " SQLite serves one process only, so leave cluster.count at 1"
        )
    return None


def load_settings(path: Path | None = None) -> tuple[Settings, Path]:
    """Read and validate the settings; raise ConfigError with one clear line on any problem,
    naming the file and key, or the ``KINDRED_*`` variable the bad value came from."""
    path = Path(path) if path is not None else default_config_path()
    text = read_text(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _check_shape(raw, path)
    return _validate(raw, path), path


def _check_shape(raw: dict[str, Any], path: Path) -> None:
    """Before validation: each section is a table (``discord = 5`` is a mistyped
    ``[discord]``), and no token is written in the file, at the top or in any section."""
    for section in Settings.model_fields:
        if section in raw and not isinstance(raw[section], dict):
            raise ConfigError(
                f"{path}: {section}: must be a section ([{section}] followed by its keys),"
                " not a value"
            )
    tables = [raw, *(value for value in raw.values() if isinstance(value, dict))]
    for key in ("token", "discord_token"):
        if any(key in table for table in tables):
            raise ConfigError(
                f"{path}: {key}: the bot token must not be in a file; set DISCORD_TOKEN instead"
            )


def masked_dump(settings: Settings, secrets: Secrets) -> dict[str, Any]:
    """The effective settings as plain data, secrets masked, for ``check-config``."""
    data = settings.model_dump(mode="json")
    token = secrets.discord_token.get_secret_value() if secrets.discord_token else ""
    data["DISCORD_TOKEN"] = (token[:4] + "…" + "*" * 8) if token else "(not set)"
    database = settings.database
    if database.url:
        data["database"]["url"] = mask_url(database.url)
    data["database"]["backend"] = database.backend
    if database.backend == "sqlite":
        data["database"]["resolved_path"] = str(database.resolved_path())
    return data
