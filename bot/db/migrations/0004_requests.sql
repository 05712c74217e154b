-- Private support requests, the duty rota and peer tags.

CREATE TABLE guild_tags (
    guild_id    INTEGER NOT NULL,
    tag         TEXT    NOT NULL,
    PRIMARY KEY (guild_id, tag)
);

CREATE TABLE peer_tags (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    tag         TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, tag),
    FOREIGN KEY (guild_id, tag) REFERENCES guild_tags (guild_id, tag) ON DELETE CASCADE
);

-- Who is on duty now. A row exists only while the peer is on duty.
CREATE TABLE duty (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    since       TEXT    NOT NULL,
    until       TEXT,                       -- NULL: until they go off duty
    source      TEXT    NOT NULL DEFAULT 'manual',   -- manual | shift
    PRIMARY KEY (guild_id, user_id)
);

-- The recurring rota: weekday 0 = Monday; times are local to tz.
CREATE TABLE duty_shifts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time  TEXT    NOT NULL,           -- HH:MM
    end_time    TEXT    NOT NULL,           -- HH:MM; earlier than start means overnight
    tz          TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX duty_shifts_guild ON duty_shifts (guild_id, user_id);

CREATE TABLE support_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    requester_id    INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'claimed', 'closed', 'cancelled')),
    topic           TEXT    NOT NULL DEFAULT '',
    tags            TEXT    NOT NULL DEFAULT '[]',   -- JSON list
    summary         TEXT,                    -- only what the member chose to share
    anonymous       INTEGER NOT NULL DEFAULT 0,
    preferred_peer  INTEGER,
    source          TEXT    NOT NULL DEFAULT 'command',
    created_at      TEXT    NOT NULL,
    claimed_by      INTEGER,
    claimed_at      TEXT,
    closed_at       TEXT,
    closed_by       INTEGER,
    close_reason    TEXT,
    escalation      INTEGER NOT NULL DEFAULT 0,
    card_channel_id INTEGER,
    card_message_id INTEGER,
    thread_id       INTEGER,
    relay           INTEGER NOT NULL DEFAULT 0,
    last_activity   TEXT    NOT NULL,
    feedback        TEXT CHECK (feedback IN ('helped', 'somewhat', 'not_really')),
    transcript      INTEGER NOT NULL DEFAULT 0   -- the member asked for a transcript
);
CREATE INDEX support_requests_queue ON support_requests (guild_id, status, created_at);
CREATE INDEX support_requests_requester ON support_requests (requester_id, status);
CREATE INDEX support_requests_peer ON support_requests (claimed_by, status);
CREATE INDEX support_requests_thread ON support_requests (thread_id);
-- At most one live request per member per guild, enforced by the database itself.
CREATE UNIQUE INDEX support_requests_one_live ON support_requests (guild_id, requester_id)
    WHERE status IN ('open', 'claimed');

-- Relay messages are kept only for a member's transcript and only for the retention period.
CREATE TABLE relay_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    author      TEXT    NOT NULL CHECK (author IN ('member', 'peer')),
    content     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

CREATE TABLE support_blocks (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    reason      TEXT,
    blocked_by  INTEGER,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
