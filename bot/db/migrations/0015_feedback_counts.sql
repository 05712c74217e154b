-- Feedback after a support conversation is kept as a count only: per server, month (UTC) and
-- answer. It used to sit in support_requests.feedback, on the same row as the member who gave
-- it and the peer it was about, which is not what members are told ("only counts are kept").
-- The request keeps only that its member answered (feedback_given), so a second press is
-- not counted twice; what they answered is in no row about them.
CREATE TABLE support_feedback_counts (
    guild_id    INTEGER NOT NULL,
    month       TEXT    NOT NULL,   -- YYYY-MM (UTC) the answer was given in
    answer      TEXT    NOT NULL CHECK (answer IN ('helped', 'somewhat', 'not_really')),
    answers     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, month, answer)
);

-- Answers given before: counted in the month their request was opened (what /peers stats
-- counted them by), then taken off the requests.
INSERT INTO support_feedback_counts (guild_id, month, answer, answers)
    SELECT guild_id, substr(created_at, 1, 7), feedback, COUNT(*)
    FROM support_requests
    WHERE feedback IS NOT NULL
    GROUP BY guild_id, substr(created_at, 1, 7), feedback;

ALTER TABLE support_requests ADD COLUMN feedback_given INTEGER NOT NULL DEFAULT 0;
UPDATE support_requests SET feedback_given = 1 WHERE feedback IS NOT NULL;
ALTER TABLE support_requests DROP COLUMN feedback;
