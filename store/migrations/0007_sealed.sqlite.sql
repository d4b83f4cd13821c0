-- Encryption at rest (see store/keyring.go). Keep in step with
-- 0007_sealed.postgres.sql.
--
-- data_keys holds the installation's data key and blind-index key, each
-- wrapped by the installation's key (a key file or variable) or passphrase,
-- which is never stored here. During a re-encryption the new data key is
-- also wrapped by the old one (chained), so that a server started before the
-- rotation, which holds only the old key in memory, can read what is sealed
-- under the new one.
CREATE TABLE data_keys (
	id         TEXT PRIMARY KEY,
	purpose    TEXT NOT NULL,
	wrapped    BLOB NOT NULL,
	kek_id     TEXT NOT NULL DEFAULT '',
	chained    BLOB,
	chained_by TEXT NOT NULL DEFAULT '',
	active     BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TEXT NOT NULL
);

-- record_keys holds one key per case and located record, wrapped by a data
-- key, under which the personal data of the record's events is sealed.
-- Erasing a record destroys its key (wrapped becomes NULL): its events stay
-- in the chain, which hashes what is stored, and can no longer be read.
CREATE TABLE record_keys (
	entity_type TEXT NOT NULL,
	entity_id   INTEGER NOT NULL,
	wrapped     BLOB,
	erased_at   TEXT,
	erased_by   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (entity_type, entity_id)
) WITHOUT ROWID;

-- The blind index: keyed tokens of the names' search keys (names.SearchKeys),
-- never the names. A search looks up the tokens of its words.
CREATE TABLE case_tokens (
	token   INTEGER NOT NULL,
	case_id INTEGER NOT NULL,
	PRIMARY KEY (token, case_id)
) WITHOUT ROWID;
CREATE TABLE located_tokens (
	token      INTEGER NOT NULL,
	located_id INTEGER NOT NULL,
	PRIMARY KEY (token, located_id)
) WITHOUT ROWID;

-- A record's personal fields, sealed under the data key as one envelope;
-- the clear columns they came from are left empty.
ALTER TABLE cases ADD COLUMN sealed BLOB;
ALTER TABLE located ADD COLUMN sealed BLOB;

-- The list indexes carried search_text, which now stays empty.
DROP INDEX cases_org_created;
CREATE INDEX cases_org_created ON cases (org_id, created_at, id);
DROP INDEX located_org_created;
CREATE INDEX located_org_created ON located (org_id, created_at, id);
