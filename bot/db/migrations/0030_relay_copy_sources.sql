-- Which message each of Kindred's relayed copies carries (a peer's message in their relay
-- thread copied to the member's DMs, or a member's DM copied to the thread), part by part
-- (a long message goes as several): an edit of the message edits its copies, a deletion
-- deletes them. Ids only, never words; dropped with the request and by the retention purge.
CREATE TABLE relay_copy_sources (
    copy_id     INTEGER PRIMARY KEY,        -- Kindred's copy (a DM or a message in the thread)
    source_id   INTEGER NOT NULL,           -- the message it carries
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,           -- where the copy is (the member's DMs, the thread)
    created_at  TEXT    NOT NULL
);
CREATE INDEX relay_copy_sources_source ON relay_copy_sources (source_id);
CREATE INDEX relay_copy_sources_created ON relay_copy_sources (created_at);
