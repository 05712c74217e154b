-- Which Discord message each transcript line was written from (the member's DM or the
-- peer's message in the relay thread), so that its writer's edit gives the line the new
-- words and a deletion takes the line out of the transcript. An id only; lines written before
-- this column (NULL) stay as they are. Goes with the row (the request, /forgetme, retention).
ALTER TABLE relay_messages ADD COLUMN source_id INTEGER;
CREATE INDEX relay_messages_source ON relay_messages (source_id);
