-- Scheduled check-ins: channel check-ins set by moderators, personal ones set by members.

CREATE TABLE checkins (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    schedule      TEXT    NOT NULL,          -- canonical form, parsed by bot/schedules.py
    tz            TEXT    NOT NULL,
    title         TEXT    NOT NULL DEFAULT 'Check-in',
    prompts       TEXT    NOT NULL DEFAULT '[]',   -- JSON; empty: the built-in set
    prompt_index  INTEGER NOT NULL DEFAULT 0,
    use_thread    INTEGER NOT NULL DEFAULT 0,
    show_summary  INTEGER NOT NULL DEFAULT 0,
    paused        INTEGER NOT NULL DEFAULT 0,
    pause_reason  TEXT,
    created_by    INTEGER,
    created_at    TEXT    NOT NULL,
    last_run_at   TEXT
);
CREATE INDEX checkins_guild ON checkins (guild_id);

-- One row per posted (or claimed-to-post) occurrence: the UNIQUE pair is what makes a
-- check-in impossible to post twice for the same scheduled time, even across restarts.
CREATE TABLE checkin_posts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    checkin_id     INTEGER REFERENCES checkins (id) ON DELETE SET NULL,
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    message_id     INTEGER,
    scheduled_for  TEXT    NOT NULL,
    posted_at      TEXT,
    UNIQUE (checkin_id, scheduled_for)
);
CREATE INDEX checkin_posts_checkin ON checkin_posts (checkin_id, scheduled_for);

-- Moods on a channel check-in are anonymous: the voter column is a keyed hash of the
-- member and the post, so it stops double votes without being linkable across posts.
CREATE TABLE checkin_moods (
    post_id     INTEGER NOT NULL REFERENCES checkin_posts (id) ON DELETE CASCADE,
    voter       TEXT    NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (post_id, voter)
);

CREATE TABLE personal_checkins (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL UNIQUE,
    guild_id      INTEGER,                  -- where it was set (for the DMs-closed notice)
    channel_id    INTEGER,
    schedule      TEXT    NOT NULL,
    tz            TEXT    NOT NULL,
    quiet_start   TEXT,                     -- HH:MM local
    quiet_end     TEXT,
    paused        INTEGER NOT NULL DEFAULT 0,
    pause_reason  TEXT,
    share_with    INTEGER,                  -- a peer the member chose to share their trend with
    created_at    TEXT    NOT NULL,
    last_run_at   TEXT
);

-- A member's own moods: theirs alone (shown to a peer only with stored, revocable consent).
CREATE TABLE personal_moods (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    created_at  TEXT    NOT NULL
);
CREATE INDEX personal_moods_user ON personal_moods (user_id, created_at);

CREATE TABLE kv (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
