-- A member with relayed conversations in two servers at once: their DMs go where they mean.
-- Ids only, never words; dropped with the request and by the retention purge.

-- Kindred's DMs carrying a peer's words to the member: a Discord reply to one of them is for
-- that conversation (relayed_messages keeps the messages relayed; these are the copies).
CREATE TABLE relay_copies (
    message_id  INTEGER PRIMARY KEY,        -- Kindred's DM to the member
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL
);
CREATE INDEX relay_copies_created ON relay_copies (created_at);

-- A member's DM, not a reply, written while two or more of their relayed conversations go
-- on: Kindred does not guess whose peer it is for. It asks the member and holds the DM's id
-- (its words are read again from the DM once they choose). request_id is the member's latest
-- relayed conversation when the DM came, so the row goes with the member's requests.
CREATE TABLE relay_held_dms (
    message_id  INTEGER PRIMARY KEY,        -- the member's DM waiting for their choice
    request_id  INTEGER NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL
);
CREATE INDEX relay_held_dms_request ON relay_held_dms (request_id);
CREATE INDEX relay_held_dms_created ON relay_held_dms (created_at);
