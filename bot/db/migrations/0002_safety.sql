-- Crisis-language events: metadata only (who, where, what kind, when), never message text.

CREATE TABLE safety_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    tier        INTEGER NOT NULL DEFAULT 0,
    replied     INTEGER NOT NULL DEFAULT 0,
    alerted     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);
CREATE INDEX safety_events_user ON safety_events (guild_id, user_id, created_at);
CREATE INDEX safety_events_channel ON safety_events (guild_id, channel_id, created_at);

-- Alerts shown to on-duty peers, and who said "I'll reach out".
CREATE TABLE safety_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    tier         INTEGER NOT NULL,
    responder_id INTEGER,
    created_at   TEXT    NOT NULL
);

-- Resources a guild adds itself; they are shown before the shipped directory.
CREATE TABLE guild_resources (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    contact       TEXT    NOT NULL,
    region        TEXT    NOT NULL DEFAULT '*',
    hours         TEXT    NOT NULL DEFAULT '',
    source_url    TEXT,
    added_by      INTEGER,
    created_at    TEXT    NOT NULL
);
CREATE INDEX guild_resources_guild ON guild_resources (guild_id);
