-- Exactly-once handling of one Discord event in a cluster (issue #14): when two sessions hold
-- one shard (a rolling restart), both processes receive the same interaction or message. The
-- first to insert (kind, event_id) handles it; the other drops it. Ids only, never content or
-- who sent it; rows older than a day are of no use and the retention purge removes them.
CREATE TABLE handled_events (
    kind        TEXT    NOT NULL,   -- 'interaction', 'dm', 'safety', ...
    event_id    INTEGER NOT NULL,   -- the Discord snowflake (interaction or message id)
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (kind, event_id)
);
CREATE INDEX handled_events_created ON handled_events (created_at);
