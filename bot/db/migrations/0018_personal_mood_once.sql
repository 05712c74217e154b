-- One answer per personal check-in DM and mood: a double tap on a mood button (or a press
-- repeated later on the same DM) stored the mood twice. The DM's message id is kept with the
-- mood it answered, and a unique key drops a repeat; pressing another mood on the same DM is
-- still a new answer. Moods stored before (and any without a message) keep NULL, which the
-- key never matches.
ALTER TABLE personal_moods ADD COLUMN message_id INTEGER;
CREATE UNIQUE INDEX personal_moods_once ON personal_moods (user_id, message_id, mood);
