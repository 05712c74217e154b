-- Where a peer alert was posted (its channel and message), so that an alert whose peer can no
-- longer reach out (they lost the peer role) can be offered to the others again on its own
-- card. Alerts posted before keep NULL: they are offered again in a new message.
ALTER TABLE safety_alerts ADD COLUMN posted_channel_id INTEGER;
ALTER TABLE safety_alerts ADD COLUMN posted_message_id INTEGER;
