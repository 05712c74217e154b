-- Self-help: a member's own goals (with the schedule of their gentle nudges) and their
-- wellness plan, and the peers a member chose to share each with. All of it is the
-- member's private data: kept until they drop or delete it, or run /forgetme.

CREATE TABLE goals (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL,
    guild_id       INTEGER,                 -- where it was set (its server's home zone)
    text           TEXT    NOT NULL,
    schedule       TEXT,                    -- canonical schedule of the nudges; NULL: none
    tz             TEXT,                    -- IANA zone the schedule runs in
    status         TEXT    NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'paused', 'done')),
    pause_reason   TEXT,
    created_at     TEXT    NOT NULL,
    done_at        TEXT,
    last_nudge_at  TEXT
);
CREATE INDEX goals_user ON goals (user_id, status);

-- Consent: the member lets this peer see their goals (revocable).
CREATE TABLE goal_shares (
    user_id     INTEGER NOT NULL,
    peer_id     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, peer_id)
);
CREATE INDEX goal_shares_peer ON goal_shares (peer_id);

-- One plan per member: the answers (JSON object, section key -> text) they chose to write.
CREATE TABLE wellness_plans (
    user_id     INTEGER PRIMARY KEY,
    answers     TEXT    NOT NULL DEFAULT '{}',
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Consent: the member lets this peer read their plan (revocable; each share, unshare and
-- reading by the peer is also an audit_log entry without content).
CREATE TABLE plan_shares (
    user_id     INTEGER NOT NULL,
    peer_id     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, peer_id)
);
CREATE INDEX plan_shares_peer ON plan_shares (peer_id);
