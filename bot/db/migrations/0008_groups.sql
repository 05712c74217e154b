-- Support groups (issue #12): moderators create a group with a channel and a role; members
-- join after accepting the group's guidelines. Kindred keeps the least it can: who is in which
-- group, which guideline version each member accepted and when, the pseudonym a member posts
-- under in a group, and which anonymous post was whose (so a moderator can reveal it, with an
-- audit entry) until the retention period ends. Never the posts themselves.

CREATE TABLE support_groups (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id            INTEGER NOT NULL,
    name                TEXT    NOT NULL,
    name_key            TEXT    NOT NULL,            -- the name casefolded: unique per server
    description         TEXT    NOT NULL DEFAULT '',
    tags                TEXT    NOT NULL DEFAULT '[]',  -- JSON list of topic tags
    private             INTEGER NOT NULL DEFAULT 0,
    channel_id          INTEGER,
    role_id             INTEGER,
    adopted             INTEGER NOT NULL DEFAULT 0,  -- the channel existed before the group
    status              TEXT    NOT NULL DEFAULT 'active',  -- active | archived
    guidelines          TEXT,                        -- NULL: the server's guidelines apply
    guidelines_version  INTEGER NOT NULL DEFAULT 0,  -- bumped by every edit of the group's own
    slowmode_seconds    INTEGER NOT NULL DEFAULT 0,
    anonymous_posts     INTEGER NOT NULL DEFAULT 0,
    content_notes       INTEGER NOT NULL DEFAULT 0,
    problem             TEXT,                        -- channel | role | channel,role: reported once
    created_by          INTEGER,
    created_at          TEXT    NOT NULL,
    archived_at         TEXT,
    UNIQUE (guild_id, name_key)
);
CREATE INDEX support_groups_channel ON support_groups (channel_id);

-- The server's own default guidelines (none stored: Kindred's built-in text, version 0).
CREATE TABLE group_guidelines (
    guild_id    INTEGER PRIMARY KEY,
    text        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    updated_by  INTEGER,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    source      TEXT    NOT NULL DEFAULT 'joined',   -- joined | role (given by hand on Discord)
    joined_at   TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (guild_id, user_id);

-- The latest guidelines a member accepted for a group: which (scope, version) and when.
CREATE TABLE group_acceptances (
    group_id     INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    scope        TEXT    NOT NULL,                   -- group | server
    version      INTEGER NOT NULL,
    accepted_at  TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_pseudonyms (
    group_id    INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    pseudonym   TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id),
    UNIQUE (group_id, pseudonym)
);

-- Which anonymous post was whose: the message id only, never its text.
CREATE TABLE group_anonymous_posts (
    message_id  INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    posted_at   TEXT    NOT NULL
);
CREATE INDEX group_anonymous_posts_user ON group_anonymous_posts (user_id);
CREATE INDEX group_anonymous_posts_time ON group_anonymous_posts (posted_at);
