-- The event head's MAC: HMAC-SHA256, under a key derived from the
-- installation's key file (never stored here), of the last event's ID and
-- hash. Without it, whoever can write the database could cut events off the
-- end of the log and rewrite the head to match; see store/head.go. Empty
-- when the head was written without the key.
ALTER TABLE event_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';
