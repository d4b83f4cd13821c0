-- Encryption at rest (see store/keyring.go). Keep in step with
-- 0007_sealed.sqlite.sql, which says what each table is for.
CREATE TABLE data_keys (
	id         TEXT PRIMARY KEY,
	purpose    TEXT NOT NULL,
	wrapped    BYTEA NOT NULL,
	kek_id     TEXT NOT NULL DEFAULT '',
	chained    BYTEA,
	chained_by TEXT NOT NULL DEFAULT '',
	active     BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE record_keys (
	entity_type TEXT NOT NULL,
	entity_id   BIGINT NOT NULL,
	wrapped     BYTEA,
	erased_at   TIMESTAMPTZ,
	erased_by   BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (entity_type, entity_id)
);

CREATE TABLE case_tokens (
	token   BIGINT NOT NULL,
	case_id BIGINT NOT NULL,
	PRIMARY KEY (token, case_id)
);
CREATE TABLE located_tokens (
	token      BIGINT NOT NULL,
	located_id BIGINT NOT NULL,
	PRIMARY KEY (token, located_id)
);

ALTER TABLE cases ADD COLUMN sealed BYTEA;
ALTER TABLE located ADD COLUMN sealed BYTEA;
