-- Exactly-once relaying (issue #14): a Discord message is carried across at most once, even
-- when two sessions (a rolling restart, or two processes) see the same message event. Ids
-- only, never text; dropped with the request and by the retention purge.
CREATE TABLE relayed_messages (
    message_id  INTEGER PRIMARY KEY,        -- the Discord message that was relayed
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL
);
CREATE INDEX relayed_messages_created ON relayed_messages (created_at);
