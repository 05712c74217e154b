-- Kindred's messages in a peer's relay thread carrying a member's DM word for word (the
-- member can't delete them: they are Kindred's). /forgetme reads them before the member's
-- requests go and stores the deletion of each (a privacy.card_clear timer, ids only). Ids
-- only, never words; dropped with the request. Not dropped by the retention purge: the copy
-- stays on Discord as long as the thread does, so /forgetme must still find it.
CREATE TABLE relay_thread_copies (
    message_id  INTEGER PRIMARY KEY,        -- Kindred's message in the relay thread
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,           -- the relay thread
    created_at  TEXT    NOT NULL
);
CREATE INDEX relay_thread_copies_request ON relay_thread_copies (request_id);
