-- The relay thread's welcome names a non-anonymous member (a mention): its id is recorded
-- beside the copies of the member's words, and /forgetme edits it to a line naming nobody
-- (a privacy.card_clear timer, ids only). 'copy': a copy of the member's words, deleted;
-- 'welcome': the welcome, edited.
ALTER TABLE relay_thread_copies ADD COLUMN kind TEXT NOT NULL DEFAULT 'copy';
