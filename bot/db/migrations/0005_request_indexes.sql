-- Keep intake independent of the queue's length: queue positions count open requests by id,
-- and claim-time estimates read only claimed rows.
CREATE INDEX support_requests_open_ids ON support_requests (guild_id, status, id);
CREATE INDEX support_requests_claimed_recent ON support_requests (guild_id, id)
    WHERE claimed_at IS NOT NULL;
