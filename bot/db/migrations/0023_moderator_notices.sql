-- When the moderators were last told of a channel refusing Kindred (a peer alert it can't
-- post, a card it may no longer edit), so a restarted bot does not tell them again within
-- the while it waits between reports. Ids and a time only.
CREATE TABLE moderator_notices (
    kind        TEXT    NOT NULL,   -- 'safety.alert_refused', 'privacy.card_refused'
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    told_at     TEXT    NOT NULL,
    PRIMARY KEY (kind, guild_id, channel_id)
);
