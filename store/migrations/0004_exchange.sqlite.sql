-- The exchange with mediators: parties and this installation's identity,
-- channels and their phases, return lists with their revisions, entries,
-- answers and the candidates of received entries, the tasks answers open,
-- welfare messages, and bundles with their outbox. SQLite. Keep in step
-- with 0004_exchange.postgres.sql: only types and identity columns differ.

-- parties are the installations bundles go to and come from; one of them,
-- self, is this installation. A party without keys is offline (printed
-- lists and spreadsheets only).
CREATE TABLE parties (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	self          BOOLEAN NOT NULL DEFAULT FALSE,
	signing_key   TEXT NOT NULL DEFAULT '',
	age_key       TEXT NOT NULL DEFAULT '',
	fingerprint   TEXT NOT NULL DEFAULT '',
	confirmed_by  INTEGER NOT NULL DEFAULT 0,
	confirmed_at  TEXT,
	retired_by    INTEGER NOT NULL DEFAULT 0,
	retired_at    TEXT,
	retire_reason TEXT NOT NULL DEFAULT '',
	version       INTEGER NOT NULL DEFAULT 1,
	created_by    INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX parties_fingerprint ON parties (fingerprint) WHERE fingerprint <> '';
CREATE UNIQUE INDEX parties_self ON parties (self) WHERE self;

-- party_secrets holds this installation's secret keys, sealed by a key
-- file or a passphrase that is never stored here.
CREATE TABLE party_secrets (
	party_id   INTEGER PRIMARY KEY REFERENCES parties (id),
	sealed     BLOB NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE channels (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	uid            TEXT NOT NULL UNIQUE,
	org_id         INTEGER NOT NULL REFERENCES orgs (id),
	name           TEXT NOT NULL,
	origin_id      INTEGER NOT NULL REFERENCES parties (id),
	mediator_id    INTEGER NOT NULL REFERENCES parties (id),
	counterpart_id INTEGER NOT NULL REFERENCES parties (id),
	created_by     INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL
);

CREATE TABLE phases (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	channel_id INTEGER NOT NULL REFERENCES channels (id),
	number     INTEGER NOT NULL,
	opened_by  INTEGER NOT NULL DEFAULT 0,
	opened_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX phases_number ON phases (channel_id, number);

CREATE TABLE return_lists (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	uid               TEXT NOT NULL UNIQUE,
	org_id            INTEGER NOT NULL REFERENCES orgs (id),
	channel_id        INTEGER NOT NULL REFERENCES channels (id),
	phase_id          INTEGER NOT NULL REFERENCES phases (id),
	direction         TEXT NOT NULL,
	author_id         INTEGER NOT NULL REFERENCES parties (id),
	title             TEXT NOT NULL,
	profile           TEXT NOT NULL,
	state             TEXT NOT NULL,
	revision          INTEGER NOT NULL DEFAULT 1,
	sealed_revision   INTEGER NOT NULL DEFAULT 0,
	seal_requested_by INTEGER NOT NULL DEFAULT 0,
	seal_requested_at TEXT,
	version           INTEGER NOT NULL DEFAULT 1,
	created_by        INTEGER NOT NULL DEFAULT 0,
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL
);
CREATE INDEX return_lists_channel ON return_lists (channel_id, phase_id);

-- list_revisions keeps each sealed or received revision as the document
-- that left or arrived, byte for byte.
CREATE TABLE list_revisions (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	list_id           INTEGER NOT NULL REFERENCES return_lists (id),
	revision          INTEGER NOT NULL,
	entries           INTEGER NOT NULL,
	body              TEXT NOT NULL,
	body_hash         TEXT NOT NULL,
	seal_requested_by INTEGER NOT NULL DEFAULT 0,
	sealed_by         INTEGER NOT NULL DEFAULT 0,
	sealed_at         TEXT NOT NULL,
	sent_at           TEXT,
	superseded_at     TEXT,
	bundle_id         INTEGER NOT NULL DEFAULT 0 -- the bundle a received revision came in
);
CREATE UNIQUE INDEX list_revisions_list ON list_revisions (list_id, revision);

CREATE TABLE list_entries (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	list_id          INTEGER NOT NULL REFERENCES return_lists (id),
	ref              TEXT NOT NULL,
	position         INTEGER NOT NULL,
	case_id          INTEGER NOT NULL DEFAULT 0,
	person           TEXT NOT NULL DEFAULT '{}',
	added_revision   INTEGER NOT NULL,
	removed_revision INTEGER NOT NULL DEFAULT 0,
	state            TEXT NOT NULL,
	answer           TEXT NOT NULL DEFAULT '',
	answered_at      TEXT,
	carried_from     TEXT NOT NULL DEFAULT '',
	carried_from_id  INTEGER NOT NULL DEFAULT 0,
	carried_to_id    INTEGER NOT NULL DEFAULT 0,
	located_id       INTEGER NOT NULL DEFAULT 0,
	candidates       INTEGER NOT NULL DEFAULT 0,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX list_entries_ref ON list_entries (list_id, ref);
CREATE INDEX list_entries_case ON list_entries (case_id);

CREATE TABLE entry_candidates (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	entry_id    INTEGER NOT NULL REFERENCES list_entries (id),
	entity_type TEXT NOT NULL,
	entity_id   INTEGER NOT NULL,
	probability REAL NOT NULL,
	explanation TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL
);
CREATE INDEX entry_candidates_entry ON entry_candidates (entry_id);

CREATE TABLE answers (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	uid          TEXT NOT NULL UNIQUE,
	entry_id     INTEGER NOT NULL REFERENCES list_entries (id),
	code         TEXT NOT NULL,
	answered_on  TEXT NOT NULL,
	their_ref    TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL DEFAULT '',
	details      TEXT NOT NULL DEFAULT '{}',
	corrects     TEXT NOT NULL DEFAULT '',
	source       TEXT NOT NULL,
	bundle_id    INTEGER NOT NULL DEFAULT 0,
	outbox_id    INTEGER NOT NULL DEFAULT 0,
	recorded_by  INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL
);
CREATE INDEX answers_entry ON answers (entry_id, id);

CREATE TABLE tasks (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	org_id     INTEGER NOT NULL REFERENCES orgs (id),
	kind       TEXT NOT NULL,
	entry_id   INTEGER NOT NULL DEFAULT 0,
	answer_id  INTEGER NOT NULL DEFAULT 0,
	detail     TEXT NOT NULL DEFAULT '',
	done_by    INTEGER NOT NULL DEFAULT 0,
	done_at    TEXT,
	note       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX tasks_case ON tasks (case_id);

CREATE TABLE welfare_messages (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	uid          TEXT NOT NULL UNIQUE,
	org_id       INTEGER NOT NULL REFERENCES orgs (id),
	case_id      INTEGER NOT NULL DEFAULT 0,
	entry_id     INTEGER NOT NULL REFERENCES list_entries (id),
	channel_id   INTEGER NOT NULL REFERENCES channels (id),
	direction    TEXT NOT NULL,
	text         TEXT NOT NULL,
	photo        BLOB,
	photo_type   TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL,
	author_id    INTEGER NOT NULL DEFAULT 0,
	author_party INTEGER NOT NULL DEFAULT 0,
	approved_by  INTEGER NOT NULL DEFAULT 0,
	approved_at  TEXT,
	written_at   TEXT NOT NULL,
	sent_at      TEXT,
	delivered_at TEXT,
	read_at      TEXT,
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX welfare_messages_case ON welfare_messages (case_id);
CREATE INDEX welfare_messages_entry ON welfare_messages (entry_id);

-- bundles records every bundle file that left or arrived. file is kept
-- for a bundle we made (to download it again) and for one held by a gap;
-- a refused bundle keeps its facts and reason only.
CREATE TABLE bundles (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	uid           TEXT NOT NULL DEFAULT '',
	org_id        INTEGER NOT NULL DEFAULT 0,
	direction     TEXT NOT NULL,
	status        TEXT NOT NULL,
	channel_id    INTEGER NOT NULL DEFAULT 0,
	sender_id     INTEGER NOT NULL DEFAULT 0,
	to_id         INTEGER NOT NULL DEFAULT 0,
	sequence      INTEGER NOT NULL DEFAULT 0,
	previous      TEXT NOT NULL DEFAULT '',
	manifest_hash TEXT NOT NULL DEFAULT '',
	file_hash     TEXT NOT NULL,
	size          INTEGER NOT NULL,
	documents     INTEGER NOT NULL DEFAULT 0,
	kinds         TEXT NOT NULL DEFAULT '{}',
	reason        TEXT NOT NULL DEFAULT '',
	detail        TEXT NOT NULL DEFAULT '',
	sent_at       TEXT,
	expires_at    TEXT,
	received_at   TEXT,
	file          BLOB,
	created_by    INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);
CREATE INDEX bundles_stream ON bundles (channel_id, sender_id, to_id, sequence);
CREATE INDEX bundles_uid ON bundles (uid);

-- outbox_items are documents waiting for the next bundle to a party.
CREATE TABLE outbox_items (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id     INTEGER NOT NULL DEFAULT 0,
	channel_id INTEGER NOT NULL REFERENCES channels (id),
	to_id      INTEGER NOT NULL REFERENCES parties (id),
	kind       TEXT NOT NULL,
	list_id    INTEGER NOT NULL DEFAULT 0,
	body       TEXT NOT NULL DEFAULT '',
	signed     TEXT NOT NULL DEFAULT '',
	files      TEXT NOT NULL DEFAULT '[]',
	-- loose items (receipts of bundles) may also leave in a bundle outside
	-- the stream, which can go astray without leaving a gap.
	loose      BOOLEAN NOT NULL DEFAULT FALSE,
	bundle_id  INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
);
CREATE INDEX outbox_items_pending ON outbox_items (channel_id, to_id, bundle_id);

-- exchange_files keeps the photos and scans that travel with documents, by
-- their hash, so that a bundle can carry them and a mediator relay them.
CREATE TABLE exchange_files (
	sha256       TEXT PRIMARY KEY,
	content_type TEXT NOT NULL DEFAULT '',
	data         BLOB NOT NULL,
	created_at   TEXT NOT NULL
);
