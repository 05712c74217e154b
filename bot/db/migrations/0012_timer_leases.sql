-- Clustered timers (issue #14): with several processes on PostgreSQL, a process claims a due
-- timer by leasing it until leased_until (FOR UPDATE SKIP LOCKED, so no two claim one row);
-- a lease left behind by a process that died expires, and the timer runs again. One process
-- (SQLite, the default) never sets these columns.
ALTER TABLE timers ADD COLUMN leased_until TEXT;
ALTER TABLE timers ADD COLUMN leased_by TEXT;
