-- Core tables: per-guild settings, the audit log of who changed what, one-shot timers,
-- and per-member preferences. All timestamps are ISO-8601 UTC strings.

CREATE TABLE guild_settings (
    guild_id    INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    value       TEXT    NOT NULL,           -- JSON, validated by bot/services/settings.py
    updated_at  TEXT    NOT NULL,
    updated_by  INTEGER,
    PRIMARY KEY (guild_id, key)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER,
    actor_id    INTEGER,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}',  -- JSON; never message content
    created_at  TEXT    NOT NULL
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, created_at);

-- One-shot scheduled work (reminders, escalations, deletions). The scheduler rebuilds its
-- jobs from this table at start-up, so a restart loses nothing.
CREATE TABLE timers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    key         TEXT    UNIQUE,             -- optional natural key, to replace or cancel
    due_at      TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}',
    guild_id    INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);
CREATE INDEX timers_due ON timers (due_at);

-- A member's own choices (region, time zone, opt-outs), per guild or global (guild_id = 0).
CREATE TABLE member_prefs (
    user_id     INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL DEFAULT 0,
    key         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, guild_id, key)
);
